import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { StaffPrincipal } from '../auth/principal';
import { ApiView } from '../common/api-view';
import { SubmissionView } from './submission-views';
import { AttachSubmissionDto, CloseSubmissionDto, ConfirmLabelDto, DraftItemDto } from './submissions.dto';
import { DraftedItemView, TriageService } from './triage.service';

/**
 * Triage steps on a submission, for analysts: each is audited, and each answers 404 for an
 * unknown submission and 409, naming what stands in the way, when its state does not allow it.
 */
@ApiTags('submissions')
@ApiBearerAuth()
@ApiCookieAuth('tlpb_session')
@Controller('submissions')
export class TriageController {
  constructor(private readonly triage: TriageService) {}

  /** The label (and PAP) as confirmed with the source: an assumed label (`label-assumed`) becomes the confirmed one. */
  @Post(':id/label')
  @HttpCode(200)
  @Roles('analyst')
  @ApiView('SubmissionView')
  confirmLabel(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: ConfirmLabelDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<SubmissionView> {
    return this.triage.confirmLabel(id, dto, actor);
  }

  /**
   * A draft item made from the submission: its content as the body, its indicators, its label
   * (never lower) and its provenance (originator, label, the sender's consent), linked to it.
   * Published later with POST /items/:id/publish.
   */
  @Post(':id/draft-item')
  @Roles('analyst')
  @ApiView('DraftedItemView', { status: 201 })
  draftItem(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: DraftItemDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<DraftedItemView> {
    return this.triage.draftItem(id, dto, actor);
  }

  /** Links the submission to an existing item it is about. */
  @Post(':id/attach')
  @HttpCode(200)
  @Roles('analyst')
  @ApiView('SubmissionView')
  attach(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: AttachSubmissionDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<SubmissionView> {
    return this.triage.attach(id, dto.itemId, actor);
  }

  /** Closes it: a duplicate, out of scope, spam, or resolved. */
  @Post(':id/close')
  @HttpCode(200)
  @Roles('analyst')
  @ApiView('SubmissionView')
  close(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: CloseSubmissionDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<SubmissionView> {
    return this.triage.close(id, dto.reason, actor);
  }
}
