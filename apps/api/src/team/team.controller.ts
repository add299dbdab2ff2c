import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { TeamKeyService } from '@tlp-broker/crypto';
import { Public } from '../auth/auth.decorators';

@ApiTags('team')
@Controller('team')
export class TeamController {
  constructor(private readonly teamKey: TeamKeyService) {}

  /** The team's OpenPGP public key: every delivery is signed with it. */
  @Get('key')
  @Public()
  key(): { fingerprint: string; algorithm: string; createdAt: Date; publicKey: string } {
    const key = this.teamKey.publicKey();
    return { fingerprint: key.fingerprint, algorithm: key.algorithm, createdAt: key.createdAt, publicKey: key.armored };
  }

  /** The same key as an importable file (`curl … | gpg --import`). */
  @Get('key.asc')
  @Public()
  @Header('Content-Type', 'application/pgp-keys')
  armored(): string {
    return this.teamKey.publicKey().armored;
  }
}
