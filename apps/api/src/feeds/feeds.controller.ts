import { Controller, Get, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Partner } from '../auth/auth.decorators';
import { PartnerPrincipal } from '../auth/principal';
import { etagOf, matchesEtag } from './etag';
import { FeedQueryDto } from './feeds.dto';
import { FeedEntryView, FeedsService } from './feeds.service';

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
  async list(
    @Query() query: FeedQueryDto,
    @CurrentPrincipal() partner: PartnerPrincipal,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ entries: FeedEntryView[]; next: string | null } | undefined> {
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
  get(
    @Param('deliveryId', new ParseUUIDPipe()) deliveryId: string,
    @CurrentPrincipal() partner: PartnerPrincipal,
  ): Promise<FeedEntryView> {
    return this.feeds.get(partner, deliveryId);
  }
}
