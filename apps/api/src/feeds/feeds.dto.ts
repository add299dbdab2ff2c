import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsTimestamp, PageLimit, QueryInteger } from '../common/validators';

export class FeedQueryDto {
  @PageLimit(500, 100)
  limit?: number;

  // Cursors are feed sequence numbers: a PostgreSQL bigint, handed to clients as exact decimal digits.
  @ApiPropertyOptional({ description: 'Cursor from a previous page (`next`): entries older than it' })
  @IsOptional()
  @QueryInteger()
  @IsInt({ message: 'before must be a cursor returned as `next`' })
  @Min(1, { message: 'before must be a cursor returned as `next`' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'before must be a cursor returned as `next`' })
  before?: number;

  @ApiPropertyOptional({
    example: '2026-11-30T08:00:00Z',
    description: 'Only entries delivered after this time (ISO 8601 with a time zone)',
  })
  @IsOptional()
  @IsTimestamp()
  since?: string;
}
