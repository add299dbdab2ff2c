import { Controller, Get, Header, NotFoundException, Param, ParseUUIDPipe, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { Public } from '../auth/auth.decorators';
import { PublicFeedService, PublicItem } from './public-feed.service';
import { publicBase } from '../common/public-url';

/** TLP:CLEAR for everyone, no credentials: JSON, RSS, Atom, JSON Feed and STIX 2.1. */
@ApiTags('public')
@Controller('public')
export class PublicFeedController {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly feed: PublicFeedService,
  ) {}

  /** The public items, newest first (at most 100). */
  @Get('items')
  @Public()
  async items(): Promise<{ items: PublicItem[] }> {
    return { items: await this.feed.items() };
  }

  @Get('items/:id')
  @Public()
  async item(@Param('id', new ParseUUIDPipe()) id: string): Promise<PublicItem> {
    const item = (await this.feed.items()).find((candidate) => candidate.id === id);
    if (!item) throw new NotFoundException(`no public item ${id}`);
    return item;
  }

  @Get('feed.json')
  @Public()
  @Header('Content-Type', 'application/feed+json; charset=utf-8')
  async json(@Req() request: Request): Promise<string> {
    return (await this.feed.syndication(publicBase(this.config, request))).json1();
  }

  @Get('feed.rss')
  @Public()
  @Header('Content-Type', 'application/rss+xml; charset=utf-8')
  async rss(@Req() request: Request): Promise<string> {
    return (await this.feed.syndication(publicBase(this.config, request))).rss2();
  }

  @Get('feed.atom')
  @Public()
  @Header('Content-Type', 'application/atom+xml; charset=utf-8')
  async atom(@Req() request: Request): Promise<string> {
    return (await this.feed.syndication(publicBase(this.config, request))).atom1();
  }

  /** A STIX 2.1 bundle: the team identity, the TLP:CLEAR marking, a report per item with its indicators. */
  @Get('stix.json')
  @Public()
  @Header('Content-Type', 'application/stix+json;version=2.1')
  async stix(): Promise<string> {
    return JSON.stringify(await this.feed.stix());
  }

}
