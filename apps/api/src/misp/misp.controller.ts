import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Partner } from '../auth/auth.decorators';
import { PartnerPrincipal } from '../auth/principal';
import { ApiDocument } from '../common/api-view';
import { invalidField } from '../common/errors';
import { FeedResponses } from '../feeds/feed-responses';
import { sendParts, sendWhole, wholeAnswer } from './misp-response';
import { MispService } from './misp.service';

const JSON_TYPE = 'application/json; charset=utf-8';
const CSV_TYPE = 'text/csv; charset=utf-8';

/**
 * The partner's MISP feed. In MISP: Sync Actions → Feeds → Add feed, source format "MISP Feed",
 * URL `<broker>/misp`, and a header `Authorization: Bearer <the channel's API key>`. Answers are
 * kept while the channel's feed is unchanged (see FeedResponses).
 */
@ApiTags('misp')
@ApiBearerAuth()
@Controller('misp')
export class MispController {
  constructor(
    private readonly misp: MispService,
    private readonly responses: FeedResponses,
  ) {}

  @Get('manifest.json')
  @Partner('misp')
  @ApiDocument('application/json', 'the MISP feed manifest: one entry per event')
  manifest(@CurrentPrincipal() partner: PartnerPrincipal, @Res() response: Response): Promise<void> {
    return this.listing(partner, response, 'manifest.json', JSON_TYPE, () => this.misp.manifest(partner));
  }

  @Get('hashes.csv')
  @Partner('misp')
  @ApiDocument('text/csv', 'the MISP feed hashes.csv: a hash of each attribute value, with its event')
  hashes(@CurrentPrincipal() partner: PartnerPrincipal, @Res() response: Response): Promise<void> {
    return this.listing(partner, response, 'hashes.csv', CSV_TYPE, () => this.misp.hashes(partner));
  }

  @Get(':file')
  @Partner('misp')
  @ApiDocument('application/json', 'one MISP event (<event uuid>.json)')
  async event(
    @CurrentPrincipal() partner: PartnerPrincipal,
    @Param('file') file: string,
    @Res() response: Response,
  ): Promise<void> {
    const uuid = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json$/.exec(file)?.[1];
    if (!uuid) throw invalidField('file', 'an event file is <event uuid>.json');
    const answer = await this.responses.answer(partner.channelId, `misp:${uuid}`, async () =>
      wholeAnswer(JSON_TYPE, JSON.stringify(await this.misp.event(partner, uuid))),
    );
    sendWhole(response, answer);
  }

  /** A file listing every event (manifest.json, hashes.csv): the one kept, or written a run of events at a time. */
  private async listing(
    partner: PartnerPrincipal,
    response: Response,
    file: string,
    contentType: string,
    parts: () => AsyncIterable<string>,
  ): Promise<void> {
    const key = `misp:${file}`;
    const state = await this.responses.stateOf(partner.channelId);
    const kept = this.responses.kept(partner.channelId, key, state);
    if (kept) return sendWhole(response, kept);
    await sendParts(response, contentType, parts(), (answer) =>
      this.responses.keep(partner.channelId, key, state, answer),
    );
  }
}
