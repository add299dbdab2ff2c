import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { ApiDocument } from '../common/api-view';
import { ProfileService } from './profile.service';

/** RFC 9116: how to reach the team about security, cleartext-signed with the team key. */
@ApiTags('team')
@Controller('.well-known')
export class SecurityTxtController {
  constructor(private readonly profile: ProfileService) {}

  @Get('security.txt')
  @Public()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiDocument('text/plain', 'security.txt (RFC 9116), cleartext-signed')
  securityTxt(): Promise<string> {
    return this.profile.securityTxt();
  }
}
