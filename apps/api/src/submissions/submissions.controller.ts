import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Partner, Roles } from '../auth/auth.decorators';
import { ApiView } from '../common/api-view';
import { PartnerPrincipal } from '../auth/principal';
import { SubmissionDto } from './submissions.dto';
import { SubmissionsService, SubmissionView } from './submissions.service';

@ApiTags('submissions')
@ApiBearerAuth()
@Controller('submissions')
export class SubmissionsController {
  constructor(private readonly submissions: SubmissionsService) {}

  /**
   * A partner sends signed material in: 201 when its signature verifies against a key registered
   * for the partner, 422 (recorded) otherwise; 413 (recorded, nothing of it kept) when its content
   * is over SUBMISSION_MAX_BYTES once decompressed; 409 with the first submission when the
   * organisation already sent the same signed message (not stored again).
   */
  @Post()
  @Partner('submit')
  @ApiView('SubmissionView', { status: 201 })
  receive(@Body() dto: SubmissionDto, @CurrentPrincipal() partner: PartnerPrincipal): Promise<SubmissionView> {
    return this.submissions.receive(partner, dto.message);
  }

  /** What partners sent in, verified and rejected, newest first. */
  @Get()
  @Roles('analyst', 'approver', 'admin')
  @ApiView('SubmissionView', { array: true })
  list(): Promise<SubmissionView[]> {
    return this.submissions.list();
  }
}
