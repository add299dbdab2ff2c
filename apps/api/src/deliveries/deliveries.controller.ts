import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { ApiView } from '../common/api-view';
import { StaffPrincipal } from '../auth/principal';
import { DeliveriesQueryDto } from './deliveries.dto';
import { DeliveriesService, DeliveryRecordView } from './deliveries.service';

@ApiTags('deliveries')
@ApiBearerAuth()
@Controller('deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  /**
   * Deliveries, most recently changed first; `?state=dead` is the dead-letter list with each last
   * error; `?item=` every delivery of one item (all versions, and its recall notices).
   */
  @Get()
  @Roles('admin', 'analyst', 'approver')
  @ApiView('DeliveryRecordView', { array: true })
  list(@Query() query: DeliveriesQueryDto): Promise<DeliveryRecordView[]> {
    return this.deliveries.list({ state: query.state, itemId: query.item, kind: query.kind }, query.limit);
  }

  @Get(':id')
  @Roles('admin', 'analyst', 'approver')
  @ApiView('DeliveryRecordView')
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<DeliveryRecordView> {
    return this.deliveries.get(id);
  }

  /** Sends a dead delivery again (the sharing rules are checked again first). */
  @Post(':id/retry')
  @HttpCode(200)
  @Roles('admin')
  @ApiView('DeliveryRecordView')
  retry(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<DeliveryRecordView> {
    return this.deliveries.retry(id, actor);
  }
}
