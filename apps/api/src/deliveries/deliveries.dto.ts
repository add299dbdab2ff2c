import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageLimit } from '../common/validators';
import { DELIVERY_KINDS, DELIVERY_STATES, DeliveryKind, DeliveryState } from '@tlp-broker/domain';

export class DeliveriesQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATES, description: '`dead`: the dead-letter list' })
  @IsOptional()
  @IsIn(DELIVERY_STATES, { message: `state must be one of: ${DELIVERY_STATES.join(', ')}` })
  state?: DeliveryState;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only the deliveries of this item (every version, items and recalls)',
  })
  @IsOptional()
  @IsUUID('all', { message: 'item must be an item id (a UUID)' })
  item?: string;

  @ApiPropertyOptional({ enum: DELIVERY_KINDS, description: '`item`: item versions; `recall`: recall notices' })
  @IsOptional()
  @IsIn(DELIVERY_KINDS, { message: `kind must be one of: ${DELIVERY_KINDS.join(', ')}` })
  kind?: DeliveryKind;

  @PageLimit(1000, 100)
  limit?: number;
}
