import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { StaffPrincipal } from '../auth/principal';
import { ApiView } from '../common/api-view';
import { CreateCaveatDto } from './caveats.dto';
import { CaveatsService, CaveatView } from './caveats.service';

@ApiTags('caveats')
@ApiBearerAuth()
@Controller('caveats')
export class CaveatsController {
  constructor(private readonly caveats: CaveatsService) {}

  @Get()
  @Roles('admin', 'analyst', 'approver')
  @ApiView('CaveatView', { array: true })
  list(): Promise<CaveatView[]> {
    return this.caveats.list();
  }

  /** Registers a handling caveat (national defence secret markings are refused: this system must not carry such material). */
  @Post()
  @Roles('admin')
  @ApiView('CaveatView', { status: 201 })
  create(@Body() dto: CreateCaveatDto, @CurrentPrincipal() actor: StaffPrincipal): Promise<CaveatView> {
    return this.caveats.create(dto.name, dto.description, actor);
  }
}
