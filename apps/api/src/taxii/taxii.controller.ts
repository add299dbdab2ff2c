import {
  applyDecorators,
  Controller,
  Delete,
  Get,
  HttpStatus,
  Param,
  Post,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import type { PartnerScope } from '@tlp-broker/domain';
import { TAXII_MEDIA_TYPE, TaxiiQuery } from '@tlp-broker/stix';
import { CurrentPrincipal, Partner } from '../auth/auth.decorators';
import { PartnerPrincipal } from '../auth/principal';
import { publicLink } from '../common/public-url';
import { inboxMaxContentLength } from './inbox-collection';
import { InboxService } from './inbox.service';
import { TaxiiAcceptGuard } from './taxii-accept.guard';
import { TaxiiErrorFilter } from './taxii-error.filter';
import { RawTaxiiQuery, readTaxiiQuery } from './taxii-query';
import { FeedResponse, FeedResponses } from '../feeds/feed-responses';
import { sendAnswer, sendTaxii, taxiiPage } from './taxii-response';
import { TaxiiService } from './taxii.service';
import { TaxiiError } from './taxii.types';

/** A TAXII read: a partner credential with the `taxii` scope, and an Accept header TAXII answers in. */
const TaxiiGet = (path?: string, ...scopes: PartnerScope[]) =>
  applyDecorators(Get(path), Partner('taxii', ...scopes), UseGuards(TaxiiAcceptGuard));
/** What a credential that may only post to its organisation's inbox (`submit`) also reaches: discovery, the API root, its collections, its statuses. */
const InboxGet = (path?: string) => TaxiiGet(path, 'submit');

/**
 * TAXII 2.1 at /taxii2/: discovery, one API root, one collection per partner channel to read what
 * was delivered to it, and one inbox per partner organisation to post STIX objects to (credentials
 * holding `submit` as well), with status resources. Requests must accept
 * `application/taxii+json;version=2.1` (or anything); answers are in it.
 */
@ApiExcludeController()
@ApiBearerAuth()
@UseFilters(TaxiiErrorFilter)
@Controller('taxii2')
export class TaxiiController {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly taxii: TaxiiService,
    private readonly inbox: InboxService,
    private readonly responses: FeedResponses,
  ) {}

  @InboxGet()
  discovery(@Res() response: Response): void {
    const root = publicLink(this.config, '/taxii2/api/');
    sendTaxii(response, {
      title: `${this.config.teamKey.userId.name} — tlp-broker TAXII 2.1`,
      description:
        'TAXII 2.1 service: each partner reads the collection of what was delivered to it, and posts STIX 2.1 objects to its inbox.',
      contact: this.config.teamKey.userId.email,
      default: root,
      api_roots: [root],
    });
  }

  @InboxGet('api')
  apiRoot(@Res() response: Response): void {
    sendTaxii(response, {
      title: 'tlp-broker deliveries',
      description: "One collection per partner channel, and the partner organisation's inbox.",
      versions: [TAXII_MEDIA_TYPE],
      max_content_length: inboxMaxContentLength(this.config),
    });
  }

  @InboxGet('api/collections')
  async collections(@CurrentPrincipal() partner: PartnerPrincipal, @Res() response: Response): Promise<void> {
    sendTaxii(response, { collections: await this.taxii.collections(partner) });
  }

  @InboxGet('api/collections/:collection')
  async collection(
    @CurrentPrincipal() partner: PartnerPrincipal,
    @Param('collection') collection: string,
    @Res() response: Response,
  ): Promise<void> {
    sendTaxii(response, await this.taxii.collection(partner, collection));
  }

  @TaxiiGet('api/collections/:collection/objects')
  async objects(
    @CurrentPrincipal() partner: PartnerPrincipal,
    @Param('collection') collection: string,
    @RawTaxiiQuery() query: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const taxiiQuery = readTaxiiQuery(query);
    this.taxii.readable(partner, collection);
    const answer = await this.answer(partner, ['objects', taxiiQuery], async () =>
      taxiiPage(await this.taxii.objects(partner, collection, taxiiQuery), (items) => ({ objects: items })),
    );
    sendAnswer(response, answer);
  }

  /** Adds objects to the organisation's inbox (the only collection that takes any), answered with a status resource. */
  @Post('api/collections/:collection/objects')
  @Partner('taxii', 'submit')
  @UseGuards(TaxiiAcceptGuard)
  async add(
    @CurrentPrincipal() partner: PartnerPrincipal,
    @Param('collection') collection: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const status = await this.inbox.add(partner, collection, {
      contentType: request.get('content-type'),
      contentLength: request.get('content-length'),
      body: request.body as unknown,
    });
    sendTaxii(response, status, HttpStatus.ACCEPTED);
  }

  @InboxGet('api/status/:status')
  async status(
    @CurrentPrincipal() partner: PartnerPrincipal,
    @Param('status') status: string,
    @Res() response: Response,
  ): Promise<void> {
    sendTaxii(response, await this.inbox.status(partner, status));
  }

  @Delete('api/collections/:collection/objects/:object')
  @Partner('taxii')
  remove(): never {
    throw new TaxiiError(HttpStatus.FORBIDDEN, 'Read-only collection', 'Objects in this collection cannot be deleted.');
  }

  @TaxiiGet('api/collections/:collection/manifest')
  async manifest(
    @CurrentPrincipal() partner: PartnerPrincipal,
    @Param('collection') collection: string,
    @RawTaxiiQuery() query: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const taxiiQuery = readTaxiiQuery(query);
    this.taxii.readable(partner, collection);
    const answer = await this.answer(partner, ['manifest', taxiiQuery], async () =>
      taxiiPage(await this.taxii.manifest(partner, collection, taxiiQuery), (items) => ({ objects: items })),
    );
    sendAnswer(response, answer);
  }

  @TaxiiGet('api/collections/:collection/objects/:object')
  async object(
    @CurrentPrincipal() partner: PartnerPrincipal,
    @Param('collection') collection: string,
    @Param('object') object: string,
    @RawTaxiiQuery() query: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const taxiiQuery = readTaxiiQuery(query);
    this.taxii.readable(partner, collection);
    const answer = await this.answer(partner, ['object', object, taxiiQuery], async () =>
      taxiiPage(await this.taxii.object(partner, collection, object, taxiiQuery), (items) => ({ objects: items })),
    );
    sendAnswer(response, answer);
  }

  @TaxiiGet('api/collections/:collection/objects/:object/versions')
  async versions(
    @CurrentPrincipal() partner: PartnerPrincipal,
    @Param('collection') collection: string,
    @Param('object') object: string,
    @RawTaxiiQuery() query: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const taxiiQuery = readTaxiiQuery(query);
    this.taxii.readable(partner, collection);
    const answer = await this.answer(partner, ['versions', object, taxiiQuery], async () =>
      taxiiPage(await this.taxii.versions(partner, collection, object, taxiiQuery), (items) => ({ versions: items })),
    );
    sendAnswer(response, answer);
  }

  /**
   * A read of the credential's collection (checked readable before), answered as made before while
   * the channel's feed is unchanged (see FeedResponses); `what` names the read, `build` makes it.
   */
  private answer(
    partner: PartnerPrincipal,
    what: readonly (string | TaxiiQuery)[],
    build: () => Promise<FeedResponse>,
  ): Promise<FeedResponse> {
    return this.responses.answer(partner.channelId, JSON.stringify(['taxii', ...what]), build);
  }
}
