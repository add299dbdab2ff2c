import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { Public } from '../auth/auth.decorators';
import { ApiDocument, ApiView } from '../common/api-view';
import { publicLink } from '../common/public-url';
import { projectRoot } from '../console/console-static';

/** Where the build packs the partner kit (scripts/build-partner-kit.ts). */
export const PARTNER_KIT_DIR = join(projectRoot(__dirname), 'dist', 'partner-kit');

/** The partner kit the broker hands out. */
export interface PartnerKitView {
  name: 'tlp-broker-partner';
  version: string;
  /** The package under its versioned name: `npx` keeps what it fetched from a URL, so a new version gets a new URL. */
  url: string;
}

/**
 * The partner kit, handed out by the broker itself so that a partner runs it with
 * `npx <broker>/partner-kit/tlp-broker-partner-<version>.tgz`, with no registry of the team's to
 * reach. It is code, not intelligence: anyone may fetch it.
 */
@ApiTags('partner kit')
@Controller('partner-kit')
export class PartnerKitController {
  constructor(@InjectConfig() private readonly config: AppConfig) {}

  @Get()
  @Public()
  @ApiView('PartnerKitView')
  about(): PartnerKitView {
    const version = builtVersion();
    return {
      name: 'tlp-broker-partner',
      version,
      url: publicLink(this.config, `/partner-kit/tlp-broker-partner-${version}.tgz`),
    };
  }

  @Get(':file')
  @Public()
  @ApiDocument(
    'application/gzip',
    'the partner kit as an npm package: tlp-broker-partner.tgz, or under its versioned name',
  )
  download(@Param('file') file: string, @Res() response: Response): void {
    const version = builtVersion();
    if (file !== 'tlp-broker-partner.tgz' && file !== `tlp-broker-partner-${version}.tgz`)
      throw new NotFoundException(`no ${file} here: the partner kit is tlp-broker-partner-${version}.tgz`);
    response.setHeader('Content-Type', 'application/gzip');
    response.setHeader('Content-Disposition', `attachment; filename="${file}"`);
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(join(PARTNER_KIT_DIR, 'tlp-broker-partner.tgz'));
  }
}

let packed: string | null = null;

/**
 * The version the build packed, read once it is there (a build comes with a restart); a 404 while
 * the kit is not built here. Anyone may ask, so no request reads the disk again.
 */
function builtVersion(): string {
  if (packed) return packed;
  const file = join(PARTNER_KIT_DIR, 'VERSION');
  if (!existsSync(file)) throw new NotFoundException('the partner kit is not built here: npm run build');
  packed = readFileSync(file, 'utf8').trim();
  return packed;
}
