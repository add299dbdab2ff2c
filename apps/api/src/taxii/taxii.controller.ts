import {
  ArgumentsHost,
  Catch,
  Controller,
  Delete,
  ExceptionFilter,
  Get,
  HttpException,
  HttpStatus,
  Param,
  Post,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { CurrentPrincipal, Partner } from '../auth/auth.decorators';
import { PartnerPrincipal } from '../auth/principal';
import { Page, TAXII_MEDIA_TYPE, TaxiiError, TaxiiService } from './taxii.service';
import { readTaxiiQuery } from './taxii-query';
import { publicLink } from '../common/public-url';

/** Every error on a TAXII route is a TAXII error object, in TAXII's media type. */
@Catch()
export class TaxiiErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const status = exception instanceof HttpException ? exception.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
    const body = exception instanceof HttpException ? exception.getResponse() : null;
    const error =
      exception instanceof TaxiiError
        ? body
        : {
            title:
              HttpStatus[status]
                ?.toString()
                .replace(/_/g, ' ')
                .toLowerCase()
                .replace(/^\w/, (c) => c.toUpperCase()) ?? 'Error',
            description:
              typeof body === 'object' && body !== null && 'message' in body
                ? String((body as { message: unknown }).message)
                : 'The request could not be served.',
            http_status: String(status),
          };
    if (status === HttpStatus.TOO_MANY_REQUESTS && typeof body === 'object' && body !== null && 'retryAfter' in body) {
      response.setHeader('Retry-After', String((body as { retryAfter: number }).retryAfter));
    }
    response.status(status).setHeader('Content-Type', TAXII_MEDIA_TYPE);
    response.end(JSON.stringify(error));
  }
}

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

  @Get()
  @Partner('taxii')
  discovery(@Req() request: Request, @Res() response: Response): void {
    const root = publicLink(this.config, '/taxii2/api/');
    send(request, response, {
      title: `${this.config.teamKey.userId.name} — tlp-broker TAXII 2.1`,
      description: 'Read-only TAXII 2.1 service: each partner reads the collection of what was delivered to it.',
      contact: this.config.teamKey.userId.email,
      default: root,
      api_roots: [root],
    });
  }

  @Get('api')
  @Partner('taxii')
  apiRoot(@Req() request: Request, @Res() response: Response): void {
    send(request, response, {
      title: 'tlp-broker deliveries',
      description: 'One collection per partner channel.',
      versions: [TAXII_MEDIA_TYPE],
      max_content_length: 0,
    });
  }

  @Get('api/collections')
  @Partner('taxii')
  async collections(
    @CurrentPrincipal() partner: PartnerPrincipal,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    accepts(request);
    send(request, response, { collections: [await this.taxii.collection(partner, partner.channelId)] });
  }

  @Get('api/collections/:collection')
  @Partner('taxii')
  async collection(
    @CurrentPrincipal() partner: PartnerPrincipal,
    @Param('collection') collection: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    accepts(request);
    send(request, response, await this.taxii.collection(partner, collection));
  }

  @Get('api/collections/:collection/objects')
  @Partner('taxii')
  async objects(
    @CurrentPrincipal() partner: PartnerPrincipal,
    @Param('collection') collection: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    accepts(request);
    const page = await this.taxii.objects(
      partner,
      collection,
      readTaxiiQuery(request.query as Record<string, unknown>),
    );
    sendPage(request, response, page, (items) => ({ objects: items }));
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

  @Get('api/collections/:collection/manifest')
  @Partner('taxii')
  async manifest(
    @CurrentPrincipal() partner: PartnerPrincipal,
    @Param('collection') collection: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    accepts(request);
    const page = await this.taxii.manifest(
      partner,
      collection,
      readTaxiiQuery(request.query as Record<string, unknown>),
    );
    sendPage(request, response, page, (items) => ({ objects: items }));
  }

  @Get('api/collections/:collection/objects/:object')
  @Partner('taxii')
  async object(
    @CurrentPrincipal() partner: PartnerPrincipal,
    @Param('collection') collection: string,
    @Param('object') object: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    accepts(request);
    const page = await this.taxii.object(
      partner,
      collection,
      object,
      readTaxiiQuery(request.query as Record<string, unknown>),
    );
    sendPage(request, response, page, (items) => ({ objects: items }));
  }

  @Get('api/collections/:collection/objects/:object/versions')
  @Partner('taxii')
  async versions(
    @CurrentPrincipal() partner: PartnerPrincipal,
    @Param('collection') collection: string,
    @Param('object') object: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    accepts(request);
    const page = await this.taxii.versions(
      partner,
      collection,
      object,
      readTaxiiQuery(request.query as Record<string, unknown>),
    );
    sendPage(request, response, page, (items) => ({ versions: items }));
  }
}

/** TAXII clients must accept TAXII's media type; `*\/*` and no Accept header are taken as yes. */
function accepts(request: Request): void {
  const accept = request.get('accept');
  if (!accept) return;
  const ok = accept
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .some(
      (part) =>
        part.startsWith('*/*') ||
        part.startsWith('application/*') ||
        (part.startsWith('application/taxii+json') && !/version=(?!2\.1)/.test(part)),
    );
  if (!ok)
    throw new TaxiiError(
      HttpStatus.NOT_ACCEPTABLE,
      'Not acceptable',
      `This server answers in ${TAXII_MEDIA_TYPE}; the request accepts only ${accept}.`,
    );
}

function send(request: Request, response: Response, body: unknown): void {
  accepts(request);
  // Exactly TAXII's media type (Express's send would add a charset parameter).
  response.status(200).setHeader('Content-Type', TAXII_MEDIA_TYPE);
  response.end(JSON.stringify(body));
}

function sendPage<T>(
  request: Request,
  response: Response,
  page: Page<T>,
  shape: (items: T[]) => Record<string, unknown>,
): void {
  if (page.first) response.setHeader('X-TAXII-Date-Added-First', page.first);
  if (page.last) response.setHeader('X-TAXII-Date-Added-Last', page.last);
  send(request, response, {
    more: page.more,
    ...(page.next ? { next: page.next } : {}),
    ...(page.items.length > 0 ? shape(page.items) : {}),
  });
}
