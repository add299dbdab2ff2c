import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { StaffPrincipal } from '../auth/principal';
import { CreateItemDto, ExplainQueryDto, RejectDto, RetractDto } from './items.dto';
import { ItemLifecycleService } from './item-lifecycle.service';
import { DecisionsView, ExplainView, ItemView, PreviewView, RetractionView } from './item-view';
import { ItemViewsService } from './item-views.service';

@ApiTags('items')
@ApiBearerAuth()
@Controller('items')
export class ItemsController {
  constructor(
    private readonly lifecycle: ItemLifecycleService,
    private readonly views: ItemViewsService,
  ) {}

  /** Publishes an item: it is routed to every partner the TLP rules allow, in the background. */
  @Post()
  @Roles('analyst')
  publish(@Body() dto: CreateItemDto, @CurrentPrincipal() actor: StaffPrincipal): Promise<ItemView> {
    return this.lifecycle.publish(dto, actor);
  }

  /**
   * A new version of a published item (the whole item, as for publishing; its type stays). It goes
   * to whoever the rules allow for it; anyone sent an earlier version who may not have this one
   * gets a recall notice. Needs approval under the same rules as publishing.
   */
  @Put(':id')
  @Roles('analyst')
  update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: CreateItemDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<ItemView> {
    return this.lifecycle.update(id, dto, actor);
  }

  /**
   * Withdraws the item: nothing more of it is sent, it leaves every partner feed, and every earlier
   * recipient gets a recall notice (with `notice`, when given).
   */
  @Post(':id/retract')
  @HttpCode(200)
  @Roles('analyst', 'approver')
  retract(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: RetractDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<RetractionView> {
    return this.lifecycle.retract(id, dto.reason, dto.notice ?? null, actor);
  }

  /** Who would receive this draft and why, for every partner and channel; nothing is published or stored. */
  @Post('preview')
  @HttpCode(200)
  @Roles('analyst', 'approver')
  preview(@Body() dto: CreateItemDto, @CurrentPrincipal() actor: StaffPrincipal): Promise<PreviewView> {
    return this.views.preview(dto, actor);
  }

  /** Four eyes: an approver other than the author releases a pending item. */
  @Post(':id/approve')
  @HttpCode(200)
  @Roles('approver')
  approve(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() actor: StaffPrincipal): Promise<ItemView> {
    return this.lifecycle.approve(id, actor);
  }

  /** Sends a pending item back to draft, with the reason; nothing leaves. */
  @Post(':id/reject')
  @HttpCode(200)
  @Roles('approver')
  reject(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: RejectDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<ItemView> {
    return this.lifecycle.reject(id, dto.reason, actor);
  }

  @Get(':id')
  @Roles('analyst', 'approver', 'admin')
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<ItemView> {
    return this.views.get(id);
  }

  /** Who may receive the item and why, partner by partner and channel by channel, with delivery states. */
  @Get(':id/decisions')
  @Roles('analyst', 'approver', 'admin')
  decisions(@Param('id', new ParseUUIDPipe()) id: string): Promise<DecisionsView> {
    return this.views.decisions(id);
  }

  /** For one partner: what was decided for each of its channels when the item was routed, and what would be decided now. */
  @Get(':id/explain')
  @Roles('analyst', 'approver', 'admin')
  explain(@Param('id', new ParseUUIDPipe()) id: string, @Query() query: ExplainQueryDto): Promise<ExplainView> {
    return this.views.explain(id, query.organisation);
  }
}
