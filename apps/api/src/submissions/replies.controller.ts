import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { StaffPrincipal } from '../auth/principal';
import { ApiView } from '../common/api-view';
import { ReplyDto } from './replies.dto';
import { RepliesService, SubmissionMessageView } from './replies.service';

@ApiTags('submissions')
@ApiBearerAuth()
@Controller('submissions')
export class RepliesController {
  constructor(private readonly replies: RepliesService) {}

  /**
   * Replies to the sender of a submission: queued now, then signed by the team, encrypted to the
   * sender's key and sent over its own e-mail route, quoting the reference. 409 when the sender is
   * not verified (unverified senders receive no reply) or has no e-mail route with a usable key.
   */
  @Post(':id/replies')
  @Roles('analyst')
  @ApiView('SubmissionMessageView', { status: 201 })
  reply(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: ReplyDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<SubmissionMessageView> {
    return this.replies.reply(id, dto.body, actor);
  }

  /** The acknowledgement and replies sent back about a submission (or waiting to be), with their state. */
  @Get(':id/messages')
  @Roles('analyst', 'approver', 'admin')
  @ApiView('SubmissionMessageView', { array: true })
  messages(@Param('id', new ParseUUIDPipe()) id: string): Promise<SubmissionMessageView[]> {
    return this.replies.list(id);
  }
}
