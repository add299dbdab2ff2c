import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators';
import { ApiView } from '../common/api-view';
import { OperationsService } from './operations.service';
import { QueueDepthView } from './queue-depth-view';

@ApiTags('operations')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'not an administrator' })
@Controller('operations')
export class OperationsController {
  constructor(private readonly operations: OperationsService) {}

  /** How many jobs each queue holds: waiting, being processed, delayed (back-off, rate limit), failed, completed, paused. */
  @Get('queues')
  @Roles('admin')
  @ApiView('QueueDepthView', { array: true })
  queues(): Promise<QueueDepthView[]> {
    return this.operations.queueDepths();
  }
}
