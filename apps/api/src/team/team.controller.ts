import { Controller, Get, Header, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { TeamKeyRecord, TeamKeyService, TeamPublicKey } from '@tlp-broker/crypto';
import { CurrentPrincipal, Public, Roles } from '../auth/auth.decorators';
import { StaffPrincipal } from '../auth/principal';
import { ProfileService } from './profile.service';
import { publicBase } from '../common/public-url';

@ApiTags('team')
@Controller('team')
export class TeamController {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly teamKey: TeamKeyService,
    private readonly profile: ProfileService,
  ) {}

  /** The team's RFC 2350 description, cleartext-signed with the team key (`gpg --verify`). */
  @Get('profile.txt')
  @Public()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  profileText(@Req() request: Request): Promise<string> {
    return this.profile.text(publicBase(this.config, request));
  }

  /** The same description as JSON; its detached signature is at profile.json.asc. */
  @Get('profile.json')
  @Public()
  @Header('Content-Type', 'application/json; charset=utf-8')
  async profileJson(@Req() request: Request): Promise<string> {
    return this.profile.json(publicBase(this.config, request));
  }

  @Get('profile.json.asc')
  @Public()
  @Header('Content-Type', 'application/pgp-signature')
  profileSignature(@Req() request: Request): Promise<string> {
    return this.profile.jsonSignature(publicBase(this.config, request));
  }


  /** The team's active OpenPGP public key: every delivery is signed with it. */
  @Get('key')
  @Public()
  async key(): Promise<{ fingerprint: string; algorithm: string; createdAt: Date; publicKey: string }> {
    const { info } = await this.teamKey.current();
    return { fingerprint: info.fingerprint, algorithm: info.algorithm, createdAt: info.createdAt, publicKey: info.armored };
  }

  /** The same key as an importable file (`curl … | gpg --import`). */
  @Get('key.asc')
  @Public()
  @Header('Content-Type', 'application/pgp-keys')
  async armored(): Promise<string> {
    return (await this.teamKey.current()).info.armored;
  }

  /** Every team key, the active one first; retired keys still verify what they signed. */
  @Get('keys')
  @Public()
  keys(): Promise<TeamKeyRecord[]> {
    return this.teamKey.all();
  }

  /** Generates a new team key and retires the current one (which stays published). */
  @Post('key/rotate')
  @HttpCode(200)
  @ApiBearerAuth()
  @Roles('admin')
  rotate(@CurrentPrincipal() actor: StaffPrincipal): Promise<{ previous: string; current: TeamPublicKey }> {
    return this.teamKey.rotate(`user:${actor.userId}`);
  }
}
