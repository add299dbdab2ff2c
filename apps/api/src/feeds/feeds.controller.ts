import { Controller, Get, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Partner } from '../auth/auth.decorators';
import { PartnerPrincipal } from '../auth/principal';
import { ApiView } from '../common/api-view';
import { etagOf, matchesEtag } from './etag';
import { FeedQueryDto } from './feeds.dto';
import { FeedEntryView, FeedPageView, FeedsService } from './feeds.service';

@ApiTags('feed')
@ApiBearerAuth()
@Controller('feed')
export class FeedsController {
  constructor(private readonly feeds: FeedsService) {}

  /**
   * The calling partner's deliveries, newest first. With an ETag: a client that sends it back in
   * If-None-Match gets 304 Not Modified while nothing changed.
   */
  @Get()
  @Partner('feed')
  @ApiView('FeedPageView')
  @ApiResponse({ status: 304, description: 'nothing changed since the ETag sent in If-None-Match' })
  async list(
    @Query() query: FeedQueryDto,
    @CurrentPrincipal() partner: PartnerPrincipal,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<FeedPageView | undefined> {
    const page = await this.feeds.list(partner, query.limit, query.before, query.since);
    const etag = etagOf(page);
    response.setHeader('ETag', etag);
    response.setHeader('Cache-Control', 'private, no-cache');
    if (matchesEtag(request.get('if-none-match'), etag)) {
      response.status(304);
      return undefined;
    }
    return page;
  }

  @Get(':deliveryId')
  @Partner('feed')
  @ApiView('FeedEntryView')
  get(
    @Param('deliveryId', new ParseUUIDPipe()) deliveryId: string,
    @CurrentPrincipal() partner: PartnerPrincipal,
  ): Promise<FeedEntryView> {
    return this.feeds.get(partner, deliveryId);
  }
}
