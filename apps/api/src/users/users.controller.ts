import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { StaffPrincipal } from '../auth/principal';
import { ApiView } from '../common/api-view';
import { CreateUserDto } from './users.dto';
import { CreatedUser } from '@tlp-broker/persistence';
import { UsersService } from './users.service';
import { UserView } from './user-view';

@ApiTags('users')
@ApiBearerAuth()
@ApiCookieAuth('tlpb_session')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Creates a team member (analyst, approver, admin); the API key is returned once. */
  @Post()
  @Roles('admin')
  @ApiView('CreatedUser', { status: 201 })
  create(@Body() dto: CreateUserDto, @CurrentPrincipal() actor: StaffPrincipal): Promise<CreatedUser> {
    return this.users.create(dto.name, dto.roles, actor.userId, dto.password);
  }

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'the team members, by name' })
  @ApiView('UserView', { array: true })
  list(): Promise<UserView[]> {
    return this.users.list();
  }

  @Post(':id/totp/reset')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: "forget a member's authenticator",
    description:
      'For a lost or replaced device: the member’s sessions end, and at their next sign-in (with their password) they enrol a new authenticator.',
  })
  @ApiView('UserView')
  resetTotp(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() actor: StaffPrincipal): Promise<UserView> {
    return this.users.resetTotp(id, actor.userId);
  }
}
