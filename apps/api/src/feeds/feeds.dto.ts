import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, Matches, Max, Min } from 'class-validator';

export class FeedQueryDto {
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'Cursor from a previous page (`next`): entries older than it' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'before must be a cursor returned as `next`' })
  @Min(1)
  before?: number;

  @ApiPropertyOptional({ example: '2026-11-30T08:00:00Z', description: 'Only entries delivered after this time (ISO 8601 with a time zone)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date and time, e.g. 2026-11-30T08:00:00Z' })
  @Matches(/(Z|[+-]\d{2}:\d{2})$/, { message: 'since must state its time zone (Z or ±hh:mm)' })
  since?: string;
}
