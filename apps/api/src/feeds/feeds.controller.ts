import { Controller, Get, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Partner } from '../auth/auth.decorators';
import { PartnerPrincipal } from '../auth/principal';
import { ApiView } from '../common/api-view';
import { matchesEtag, pageTag } from './etag';
import { FeedResponse, FeedResponses } from './feed-responses';
import { FeedQueryDto } from './feeds.dto';
import { FeedEntryView, FeedPageView, FeedsService } from './feeds.service';

const JSON_TYPE = 'application/json; charset=utf-8';

@ApiTags('feed')
@ApiBearerAuth()
@Controller('feed')
export class FeedsController {
  constructor(
    private readonly feeds: FeedsService,
    private readonly responses: FeedResponses,
  ) {}

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
    @Res() response: Response,
  ): Promise<void> {
    const key = JSON.stringify(['feed', query.limit ?? null, query.before ?? null, query.since ?? null]);
    const page = await this.responses.answer(partner.channelId, key, () => this.page(partner, query));
    response.setHeader('ETag', page.headers.ETag);
    response.setHeader('Cache-Control', 'private, no-cache');
    if (matchesEtag(request.get('if-none-match'), page.headers.ETag)) {
      response.status(304).end();
      return;
    }
    response.setHeader('Content-Type', JSON_TYPE);
    response.send(page.body);
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

  /** A page as JSON, with its ETag (computed from the entries it holds, not from its bytes). */
  private async page(partner: PartnerPrincipal, query: FeedQueryDto): Promise<FeedResponse> {
    const page: FeedPageView = await this.feeds.list(partner, query.limit, query.before, query.since);
    return { body: Buffer.from(JSON.stringify(page)), headers: { 'Content-Type': JSON_TYPE, ETag: pageTag(page) } };
  }
}
