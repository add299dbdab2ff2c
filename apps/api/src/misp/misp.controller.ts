import { Controller, Get, Header, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Partner } from '../auth/auth.decorators';
import { PartnerPrincipal } from '../auth/principal';
import { ApiDocument } from '../common/api-view';
import { MispService } from './misp.service';
import { invalidField } from '../common/errors';

/**
 * The partner's MISP feed. In MISP: Sync Actions → Feeds → Add feed, source format "MISP Feed",
 * URL `<broker>/misp`, and a header `Authorization: Bearer <the channel's API key>`.
 */
@ApiTags('misp')
@ApiBearerAuth()
@Controller('misp')
export class MispController {
  constructor(private readonly misp: MispService) {}

  @Get('manifest.json')
  @Partner('misp')
  @ApiDocument('application/json', 'the MISP feed manifest: one entry per event')
  manifest(@CurrentPrincipal() partner: PartnerPrincipal) {
    return this.misp.manifest(partner);
  }

  @Get('hashes.csv')
  @Partner('misp')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiDocument('text/csv', 'the MISP feed hashes.csv: a hash of each attribute value, with its event')
  hashes(@CurrentPrincipal() partner: PartnerPrincipal): Promise<string> {
    return this.misp.hashes(partner);
  }

  @Get(':file')
  @Partner('misp')
  @ApiDocument('application/json', 'one MISP event (<event uuid>.json)')
  event(@CurrentPrincipal() partner: PartnerPrincipal, @Param('file') file: string) {
    const uuid = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json$/.exec(file)?.[1];
    if (!uuid) throw invalidField('file', 'an event file is <event uuid>.json');
    return this.misp.event(partner, uuid);
  }
}
