import { Injectable } from '@nestjs/common';
import {
  AuditEventRepository,
  AuditPage,
  SubmissionAttachmentEntity,
  SubmissionEntity,
  SubmissionMessageRepository,
  SubmissionRepository,
} from '@tlp-broker/persistence';
import type { AuditEventView } from '../items/item-view';
import { notFound } from './submission-answers';
import {
  ReplyRouteView,
  submissionDetailView,
  SubmissionDetailView,
  submissionView,
  SubmissionView,
} from './submission-views';
import { InboxQueryDto } from './submissions.dto';

/** What the team reads of submissions: the triage inbox, one submission in full, its attachments. Nothing is written. */
@Injectable()
export class SubmissionViewsService {
  constructor(
    private readonly submissions: SubmissionRepository,
    private readonly auditEvents: AuditEventRepository,
    private readonly messages: SubmissionMessageRepository,
  ) {}

  /** The inbox, newest first, filtered by triage state and source. */
  async inbox(query: InboxQueryDto): Promise<SubmissionView[]> {
    const rows = await this.submissions.inbox({
      states: query.state ?? [],
      sources: query.source ?? [],
      limit: query.limit ?? 100,
    });
    return rows.map(submissionView);
  }

  /** One submission as the inbox lists it; 404 when there is none. */
  async view(id: string): Promise<SubmissionView> {
    const found = await this.submissions.listedById(id);
    if (!found) throw notFound('id', `no submission ${id}`);
    return submissionView(found);
  }

  async detail(id: string): Promise<SubmissionDetailView> {
    const found = await this.submissions.listedById(id);
    if (!found) throw notFound('id', `no submission ${id}`);
    const [attachments, replyTo] = await Promise.all([
      this.submissions.attachmentsOf(id),
      this.replyRoute(found.submission),
    ]);
    return submissionDetailView(found, attachments, replyTo);
  }

  /** Where a reply would go, as RepliesService would send it: only ever to a verified sender's own route. */
  private async replyRoute(row: SubmissionEntity): Promise<ReplyRouteView | null> {
    if (row.status !== 'verified' || !row.organisationId) return null;
    return this.messages.senderRoute({
      organisationId: row.organisationId,
      contactId: row.senderContactId,
      fingerprint: row.signerFingerprint,
    });
  }

  /** Its audit trail, oldest first: how it came in, was acknowledged, triaged and answered. */
  async audit(id: string, { after, limit = 200 }: Partial<AuditPage>): Promise<AuditEventView[]> {
    if (!(await this.submissions.byId(id))) throw notFound('id', `no submission ${id}`);
    const events = await this.auditEvents.aboutSubject('submission', id, { after, limit });
    return events.map(({ actorName, ...event }) => ({ ...event, actor: actorName ?? event.actor }));
  }

  /** An attachment with its bytes; 404 naming the attachment when the submission has no such one. */
  async attachment(id: string, attachmentId: string): Promise<SubmissionAttachmentEntity> {
    const attachment = await this.submissions.attachment(id, attachmentId);
    if (!attachment) throw notFound('attachmentId', `submission ${id} has no attachment ${attachmentId}`);
    return attachment;
  }
}
