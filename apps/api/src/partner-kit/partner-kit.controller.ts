import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, NotFoundException, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { ApiDocument } from '../common/api-view';
import { projectRoot } from '../console/console-static';

/** Where the build packs the partner kit (scripts/build-partner-kit.ts). */
export const PARTNER_KIT_FILE = join(projectRoot(__dirname), 'dist', 'partner-kit', 'tlp-broker-partner.tgz');

/**
 * The partner kit, handed out by the broker itself so that a partner runs it with
 * `npx <broker>/partner-kit/tlp-broker-partner.tgz`, with no registry of the team's to reach.
 * It is code, not intelligence: anyone may fetch it.
 */
@ApiTags('partner kit')
@Controller('partner-kit')
export class PartnerKitController {
  @Get('tlp-broker-partner.tgz')
  @Public()
  @ApiDocument('application/gzip', 'tlp-broker-partner, the partner kit, as an npm package (`npx <this URL> --help`)')
  download(@Res() response: Response): void {
    if (!existsSync(PARTNER_KIT_FILE)) throw new NotFoundException('the partner kit is not built here: npm run build');
    response.setHeader('Content-Type', 'application/gzip');
    response.setHeader('Content-Disposition', 'attachment; filename="tlp-broker-partner.tgz"');
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(PARTNER_KIT_FILE);
  }
}
