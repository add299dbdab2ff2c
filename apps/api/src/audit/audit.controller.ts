import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AuditVerification, StoredCheckpoint } from '@tlp-broker/persistence';
import { Roles } from '../auth/auth.decorators';
import { AuditVerificationDto, CheckpointDto, CheckpointsQueryDto } from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'not an administrator' })
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** Verifies the audit trail; reads every event, so it takes a while on a long trail. */
  @Get('verify')
  @Roles('admin')
  @ApiOperation({
    summary: 'verify the audit trail',
    description:
      'Each event’s link to the one before, its hash and its MAC (made with a key the database never holds); each signed checkpoint, and that the event it names is there with that hash. `intact` false names the first broken link and why.',
  })
  @ApiOkResponse({ type: AuditVerificationDto })
  verify(): Promise<AuditVerification> {
    return this.audit.verify();
  }

  @Get('checkpoints')
  @Roles('admin')
  @ApiOperation({
    summary: 'signed checkpoints of the audit trail, newest first',
    description:
      'Each is the chain head signed with the team key (`gpg --verify`): keep copies where the database administrators cannot reach.',
  })
  @ApiOkResponse({ type: CheckpointDto, isArray: true })
  list(@Query() query: CheckpointsQueryDto): Promise<StoredCheckpoint[]> {
    return this.audit.list(query.limit, query.before);
  }

  @Get('checkpoints/latest')
  @Roles('admin')
  @ApiOperation({ summary: 'the latest signed checkpoint' })
  @ApiOkResponse({ type: CheckpointDto })
  @ApiNotFoundResponse({ description: 'no checkpoint yet' })
  latest(): Promise<StoredCheckpoint> {
    return this.audit.latest();
  }
}
