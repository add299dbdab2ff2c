import { Controller, Get, Header, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { Public } from '../auth/auth.decorators';
import { PUBLIC_FEED_LIMIT, PublicFeedService, PublicItem, PublicItemList } from './public-feed.service';
import { PublicSyndicationService } from './public-syndication.service';
import { PageLimit } from '../common/validators';
import { ApiDocument, ApiView } from '../common/api-view';

export class PublicFeedQueryDto {
  @PageLimit(PUBLIC_FEED_LIMIT, PUBLIC_FEED_LIMIT, 'How many of the newest items')
  limit?: number;
}

/** TLP:CLEAR for everyone, no credentials: JSON, RSS, Atom, JSON Feed and STIX 2.1. */
@ApiTags('public')
@Controller('public')
export class PublicFeedController {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly feed: PublicFeedService,
    private readonly syndication: PublicSyndicationService,
  ) {}

  /** The public items, newest first (at most 100). */
  @Get('items')
  @Public()
  @ApiView('PublicItemList')
  async items(@Query() query: PublicFeedQueryDto): Promise<PublicItemList> {
    return { items: await this.feed.newest(query.limit) };
  }

  @Get('items/:id')
  @Public()
  @ApiView('PublicItem')
  item(@Param('id', new ParseUUIDPipe()) id: string): Promise<PublicItem> {
    return this.feed.item(id);
  }

  @Get('feed.json')
  @Public()
  @Header('Content-Type', 'application/feed+json; charset=utf-8')
  @ApiDocument('application/feed+json', 'JSON Feed of the public items')
  async json(@Query() query: PublicFeedQueryDto): Promise<string> {
    return (await this.syndication.syndication(this.config.http.publicUrl, query.limit)).json1();
  }

  @Get('feed.rss')
  @Public()
  @Header('Content-Type', 'application/rss+xml; charset=utf-8')
  @ApiDocument('application/rss+xml', 'RSS 2.0 feed of the public items')
  async rss(@Query() query: PublicFeedQueryDto): Promise<string> {
    return (await this.syndication.syndication(this.config.http.publicUrl, query.limit)).rss2();
  }

  @Get('feed.atom')
  @Public()
  @Header('Content-Type', 'application/atom+xml; charset=utf-8')
  @ApiDocument('application/atom+xml', 'Atom feed of the public items')
  async atom(@Query() query: PublicFeedQueryDto): Promise<string> {
    return (await this.syndication.syndication(this.config.http.publicUrl, query.limit)).atom1();
  }

  /** A STIX 2.1 bundle: the team identity, the TLP:CLEAR marking, a report per item with its indicators. */
  @Get('stix.json')
  @Public()
  @Header('Content-Type', 'application/stix+json;version=2.1')
  @ApiDocument('application/stix+json', 'STIX 2.1 bundle of the public items')
  async stix(@Query() query: PublicFeedQueryDto): Promise<string> {
    return JSON.stringify(await this.syndication.stix(query.limit));
  }
}
