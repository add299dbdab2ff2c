import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Partner } from '../auth/auth.decorators';
import { PartnerPrincipal } from '../auth/principal';
import { FeedQueryDto } from './feeds.dto';
import { FeedEntryView, FeedsService } from './feeds.service';

@ApiTags('feed')
@ApiBearerAuth()
@Controller('feed')
export class FeedsController {
  constructor(private readonly feeds: FeedsService) {}

  /** The calling partner's deliveries, newest first. */
  @Get()
  @Partner('feed')
  list(@Query() query: FeedQueryDto, @CurrentPrincipal() partner: PartnerPrincipal): Promise<{ entries: FeedEntryView[]; next: string | null }> {
    return this.feeds.list(partner, query.limit, query.before);
  }

  @Get(':deliveryId')
  @Partner('feed')
  get(@Param('deliveryId', new ParseUUIDPipe()) deliveryId: string, @CurrentPrincipal() partner: PartnerPrincipal): Promise<FeedEntryView> {
    return this.feeds.get(partner, deliveryId);
  }
}
