import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, Partner, Roles } from '../auth/auth.decorators';
import { PartnerPrincipal } from '../auth/principal';
import { ApiDocument, ApiView } from '../common/api-view';
import type { AuditEventView } from '../items/item-view';
import { ItemAuditQueryDto } from '../items/items.dto';
import { attachmentHeaders } from './attachment-download';
import { SubmissionDetailView, SubmissionReceiptView, SubmissionView } from './submission-views';
import { SubmissionViewsService } from './submission-views.service';
import { InboxQueryDto, SubmissionDto } from './submissions.dto';
import { SubmissionsService } from './submissions.service';

@ApiTags('submissions')
@ApiBearerAuth()
@ApiCookieAuth('tlpb_session')
@Controller('submissions')
export class SubmissionsController {
  constructor(
    private readonly submissions: SubmissionsService,
    private readonly views: SubmissionViewsService,
  ) {}

  /**
   * A partner sends signed material in: 201 with its reference when its signature verifies
   * against a key registered for the partner, 422 (recorded) otherwise; 413 (recorded, nothing of
   * it kept) when its content is over SUBMISSION_MAX_BYTES once decompressed; 409 with the first
   * submission when the organisation already sent the same signed message (not stored again).
   * Its label and PAP are read from the text (none: held as TLP:AMBER, flagged `label-assumed`).
   */
  @Post()
  @Partner('submit')
  @ApiView('SubmissionReceiptView', { status: 201 })
  receive(@Body() dto: SubmissionDto, @CurrentPrincipal() partner: PartnerPrincipal): Promise<SubmissionReceiptView> {
    return this.submissions.receive(partner, dto.message);
  }

  /**
   * The triage inbox: everything that came in (every way in, verified, unverified and rejected),
   * newest first, by triage state and source.
   */
  @Get()
  @Roles('analyst', 'approver', 'admin')
  @ApiView('SubmissionView', { array: true })
  inbox(@Query() query: InboxQueryDto): Promise<SubmissionView[]> {
    return this.views.inbox(query);
  }

  /** One submission in full: its content, a form's fields, indicators, attachments (described, not their bytes), consent. */
  @Get(':id')
  @Roles('analyst', 'approver', 'admin')
  @ApiView('SubmissionDetailView')
  detail(@Param('id', new ParseUUIDPipe()) id: string): Promise<SubmissionDetailView> {
    return this.views.detail(id);
  }

  /** Its audit trail, oldest first: received, acknowledged, label confirmed, item drafted, attached, closed, replies. */
  @Get(':id/audit')
  @Roles('analyst', 'approver', 'admin')
  @ApiView('AuditEventView', { array: true })
  audit(@Param('id', new ParseUUIDPipe()) id: string, @Query() query: ItemAuditQueryDto): Promise<AuditEventView[]> {
    return this.views.audit(id, query);
  }

  /**
   * An attachment's bytes, as a download only: application/octet-stream whatever it claims to be,
   * with `nosniff` and a sandboxing Content-Security-Policy, so that no browser renders it.
   */
  @Get(':id/attachments/:attachmentId')
  @Roles('analyst', 'approver', 'admin')
  @ApiDocument('application/octet-stream', 'The attachment as it was sent')
  async attachment(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('attachmentId', new ParseUUIDPipe()) attachmentId: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StreamableFile> {
    const attachment = await this.views.attachment(id, attachmentId);
    response.set(attachmentHeaders(attachment.filename, attachment.content.length));
    return new StreamableFile(attachment.content);
  }
}
