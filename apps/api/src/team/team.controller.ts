import { Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { TeamKeyRecord, TeamKeyService } from '@tlp-broker/crypto';
import { CurrentPrincipal, Public, Roles } from '../auth/auth.decorators';
import { StaffPrincipal } from '../auth/principal';
import { ApiDocument, ApiView } from '../common/api-view';
import { ProfileService } from './profile.service';
import { TeamKeyRotationView, TeamKeyView } from './team-key-views';

@ApiTags('team')
@Controller('team')
export class TeamController {
  constructor(
    private readonly teamKey: TeamKeyService,
    private readonly profile: ProfileService,
  ) {}

  /** The team's RFC 2350 description, cleartext-signed with the team key (`gpg --verify`). */
  @Get('profile.txt')
  @Public()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiDocument('text/plain', 'the team description (RFC 2350), cleartext-signed')
  profileText(): Promise<string> {
    return this.profile.text();
  }

  /** The same description as JSON; its detached signature is at profile.json.asc. */
  @Get('profile.json')
  @Public()
  @Header('Content-Type', 'application/json; charset=utf-8')
  @ApiView('ProfileDocument')
  async profileJson(): Promise<string> {
    return this.profile.json();
  }

  @Get('profile.json.asc')
  @Public()
  @Header('Content-Type', 'application/pgp-signature')
  @ApiDocument('application/pgp-signature', 'the detached signature of profile.json')
  profileSignature(): Promise<string> {
    return this.profile.jsonSignature();
  }

  /** The team's active OpenPGP public key: every delivery is signed with it. */
  @Get('key')
  @Public()
  @ApiView('TeamKeyView')
  async key(): Promise<TeamKeyView> {
    const { info } = await this.teamKey.current();
    return {
      fingerprint: info.fingerprint,
      algorithm: info.algorithm,
      createdAt: info.createdAt,
      publicKey: info.armored,
    };
  }

  /** The same key as an importable file (`curl … | gpg --import`). */
  @Get('key.asc')
  @Public()
  @Header('Content-Type', 'application/pgp-keys')
  @ApiDocument('application/pgp-keys', 'the active team key, ASCII-armored')
  async armored(): Promise<string> {
    return (await this.teamKey.current()).info.armored;
  }

  /** Every team key, the active one first; retired keys still verify what they signed. */
  @Get('keys')
  @Public()
  @ApiView('TeamKeyRecord', { array: true })
  keys(): Promise<TeamKeyRecord[]> {
    return this.teamKey.all();
  }

  /** Generates a new team key and retires the current one (which stays published). */
  @Post('key/rotate')
  @HttpCode(200)
  @ApiBearerAuth()
  @Roles('admin')
  @ApiView('TeamKeyRotationView')
  rotate(@CurrentPrincipal() actor: StaffPrincipal): Promise<TeamKeyRotationView> {
    return this.teamKey.rotate(`user:${actor.userId}`);
  }
}
