import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { StaffPrincipal } from '../auth/principal';
import { CreateItemDto } from './items.dto';
import { DecisionView, ItemsService, ItemView } from './items.service';

@ApiTags('items')
@ApiBearerAuth()
@Controller('items')
export class ItemsController {
  constructor(private readonly items: ItemsService) {}

  /** Publishes an item: it is routed to every partner the TLP rules allow, in the background. */
  @Post()
  @Roles('analyst')
  publish(@Body() dto: CreateItemDto, @CurrentPrincipal() actor: StaffPrincipal): Promise<ItemView> {
    return this.items.publish(dto, actor);
  }

  @Get(':id')
  @Roles('analyst', 'approver', 'admin')
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<ItemView> {
    return this.items.get(id);
  }

  /** Who may receive the item and why, partner by partner and channel by channel, with delivery states. */
  @Get(':id/decisions')
  @Roles('analyst', 'approver', 'admin')
  decisions(@Param('id', new ParseUUIDPipe()) id: string): Promise<{ item: ItemView; routed: boolean; decisions: DecisionView[] }> {
    return this.items.decisions(id);
  }
}
