import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { StaffPrincipal } from '../auth/principal';
import { ApiView } from '../common/api-view';
import { CreatePartnerFeedDto, UpdatePartnerFeedDto } from './partner-feeds.dto';
import { PartnerFeedView } from './partner-feed-view';
import { PartnerFeedsService } from './partner-feeds.service';

/** Partners' own feeds the dispatcher polls: each new object or event comes in as a submission from that partner. */
@ApiTags('partner-feeds')
@ApiBearerAuth()
@Controller('partner-feeds')
export class PartnerFeedsController {
  constructor(private readonly feeds: PartnerFeedsService) {}

  /** Registers a partner's TAXII 2.1 collection or MISP feed to poll every `intervalSeconds`. */
  @Post()
  @Roles('admin')
  @ApiView('PartnerFeedView', { status: 201 })
  create(@Body() dto: CreatePartnerFeedDto, @CurrentPrincipal() actor: StaffPrincipal): Promise<PartnerFeedView> {
    return this.feeds.create(dto, actor);
  }

  @Get()
  @Roles('admin', 'analyst', 'approver')
  @ApiView('PartnerFeedView', { array: true })
  list(): Promise<PartnerFeedView[]> {
    return this.feeds.list();
  }

  @Get(':id')
  @Roles('admin', 'analyst', 'approver')
  @ApiView('PartnerFeedView')
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<PartnerFeedView> {
    return this.feeds.get(id);
  }

  /** Renames it, points it elsewhere (its cursor starts again), changes its credential or interval, suspends or reinstates it. */
  @Patch(':id')
  @Roles('admin')
  @ApiView('PartnerFeedView')
  update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UpdatePartnerFeedDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<PartnerFeedView> {
    return this.feeds.update(id, dto, actor);
  }

  /** Polls it now rather than at its next time: the next dispatcher to look takes it. */
  @Post(':id/poll')
  @Roles('admin')
  @HttpCode(202)
  @ApiView('PartnerFeedView', { status: 202 })
  pollNow(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<PartnerFeedView> {
    return this.feeds.pollNow(id, actor);
  }
}
