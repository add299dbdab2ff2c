import { Body, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { StaffPrincipal } from '../auth/principal';
import { CreateUserDto } from './users.dto';
import { CreatedUser } from '@tlp-broker/persistence';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Creates a team member (analyst, approver, admin); the API key is returned once. */
  @Post()
  @Roles('admin')
  create(@Body() dto: CreateUserDto, @CurrentPrincipal() actor: StaffPrincipal): Promise<CreatedUser> {
    return this.users.create(dto.name, dto.roles, actor.userId);
  }
}
