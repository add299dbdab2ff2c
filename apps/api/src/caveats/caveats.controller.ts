import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CaveatEntity } from '@tlp-broker/persistence';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { StaffPrincipal } from '../auth/principal';
import { CreateCaveatDto } from './caveats.dto';
import { CaveatsService } from './caveats.service';

@ApiTags('caveats')
@ApiBearerAuth()
@Controller('caveats')
export class CaveatsController {
  constructor(private readonly caveats: CaveatsService) {}

  @Get()
  @Roles('admin', 'analyst', 'approver')
  list(): Promise<CaveatEntity[]> {
    return this.caveats.list();
  }

  /** Registers a handling caveat (national defence secret markings are refused: this system must not carry such material). */
  @Post()
  @Roles('admin')
  create(@Body() dto: CreateCaveatDto, @CurrentPrincipal() actor: StaffPrincipal): Promise<CaveatEntity> {
    return this.caveats.create(dto.name, dto.description, actor);
  }
}
