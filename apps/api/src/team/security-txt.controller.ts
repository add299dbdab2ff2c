import { Controller, Get, Header, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { Public } from '../auth/auth.decorators';
import { ProfileService } from './profile.service';
import { publicBase } from '../common/public-url';

/** RFC 9116: how to reach the team about security, cleartext-signed with the team key. */
@ApiTags('team')
@Controller('.well-known')
export class SecurityTxtController {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly profile: ProfileService,
  ) {}

  @Get('security.txt')
  @Public()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  securityTxt(@Req() request: Request): Promise<string> {
    return this.profile.securityTxt(publicBase(this.config, request));
  }
}
