import {
  applyDecorators,
  Controller,
  Delete,
  Get,
  HttpStatus,
  Param,
  Post,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { CurrentPrincipal, Partner } from '../auth/auth.decorators';
import { PartnerPrincipal } from '../auth/principal';
import { publicLink } from '../common/public-url';
import { TaxiiAcceptGuard } from './taxii-accept.guard';
import { TaxiiErrorFilter } from './taxii-error.filter';
import { RawTaxiiQuery, readTaxiiQuery } from './taxii-query';
import { sendTaxii, sendTaxiiPage } from './taxii-response';
import { TaxiiService } from './taxii.service';
import { TAXII_MEDIA_TYPE, TaxiiError } from './taxii.types';

/** A TAXII read: a partner credential with the `taxii` scope, and an Accept header TAXII answers in. */
const TaxiiGet = (path?: string) => applyDecorators(Get(path), Partner('taxii'), UseGuards(TaxiiAcceptGuard));

/**
 * TAXII 2.1 (read-only) at /taxii2/: discovery, one API root, one collection per partner channel.
 * Requests must accept `application/taxii+json;version=2.1` (or anything); answers are in it.
 */
@ApiExcludeController()
@ApiBearerAuth()
@UseFilters(TaxiiErrorFilter)
@Controller('taxii2')
export class TaxiiController {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly taxii: TaxiiService,
  ) {}

  @TaxiiGet()
  discovery(@Res() response: Response): void {
    const root = publicLink(this.config, '/taxii2/api/');
    sendTaxii(response, {
      title: `${this.config.teamKey.userId.name} — tlp-broker TAXII 2.1`,
      description: 'Read-only TAXII 2.1 service: each partner reads the collection of what was delivered to it.',
      contact: this.config.teamKey.userId.email,
      default: root,
      api_roots: [root],
    });
  }

  @TaxiiGet('api')
  apiRoot(@Res() response: Response): void {
    sendTaxii(response, {
      title: 'tlp-broker deliveries',
      description: 'One collection per partner channel.',
      versions: [TAXII_MEDIA_TYPE],
      max_content_length: 0,
    });
  }

  @TaxiiGet('api/collections')
  async collections(@CurrentPrincipal() partner: PartnerPrincipal, @Res() response: Response): Promise<void> {
    sendTaxii(response, { collections: [await this.taxii.collection(partner, partner.channelId)] });
  }

  @TaxiiGet('api/collections/:collection')
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
    const page = await this.taxii.objects(partner, collection, readTaxiiQuery(query));
    sendTaxiiPage(response, page, (items) => ({ objects: items }));
  }

  /** Collections are read-only (`can_write: false`): partners send material through /submissions. */
  @Post('api/collections/:collection/objects')
  @Partner('taxii')
  add(): never {
    throw new TaxiiError(
      HttpStatus.FORBIDDEN,
      'Read-only collection',
      'This collection cannot be written to; send signed material through POST /submissions.',
    );
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
    const page = await this.taxii.manifest(partner, collection, readTaxiiQuery(query));
    sendTaxiiPage(response, page, (items) => ({ objects: items }));
  }

  @TaxiiGet('api/collections/:collection/objects/:object')
  async object(
    @CurrentPrincipal() partner: PartnerPrincipal,
    @Param('collection') collection: string,
    @Param('object') object: string,
    @RawTaxiiQuery() query: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const page = await this.taxii.object(partner, collection, object, readTaxiiQuery(query));
    sendTaxiiPage(response, page, (items) => ({ objects: items }));
  }

  @TaxiiGet('api/collections/:collection/objects/:object/versions')
  async versions(
    @CurrentPrincipal() partner: PartnerPrincipal,
    @Param('collection') collection: string,
    @Param('object') object: string,
    @RawTaxiiQuery() query: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const page = await this.taxii.versions(partner, collection, object, readTaxiiQuery(query));
    sendTaxiiPage(response, page, (items) => ({ versions: items }));
  }
}
