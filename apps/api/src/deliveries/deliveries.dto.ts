import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { DELIVERY_STATES, DeliveryState } from '@tlp-broker/persistence';

export class DeliveriesQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATES, description: '`dead`: the dead-letter list' })
  @IsOptional()
  @IsIn(DELIVERY_STATES, { message: `state must be one of: ${DELIVERY_STATES.join(', ')}` })
  state?: DeliveryState;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(1000)
  limit?: number;
}
