import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Roles } from '../auth/auth.decorators';
import { ApiView } from '../common/api-view';
import { QueryInteger } from '../common/validators';
import { KeyReportRow, KeysService } from './keys.service';

export class KeysQueryDto {
  @ApiPropertyOptional({
    description: 'Only keys expiring within this many days (expired ones included)',
    minimum: 0,
    maximum: 3650,
  })
  @IsOptional()
  @QueryInteger()
  @IsInt({ message: 'expiringWithinDays must be a whole number of days' })
  @Min(0)
  @Max(3650)
  expiringWithinDays?: number;
}

@ApiTags('keys')
@ApiBearerAuth()
@Controller('keys')
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  /** The keys channels use now, soonest expiry first; `expiringWithinDays` gives the renewal report. */
  @Get()
  @Roles('admin', 'analyst', 'approver')
  @ApiView('KeyReportRow', { array: true })
  list(@Query() query: KeysQueryDto): Promise<KeyReportRow[]> {
    return this.keys.report(query.expiringWithinDays);
  }
}
