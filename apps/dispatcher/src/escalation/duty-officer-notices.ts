import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { AcknowledgementRepository, DutyOfficerNoticeToSend } from '@tlp-broker/persistence';
import { ChannelSenders } from '../delivery/channel-senders';

const BATCH = 20;

/**
 * Tells the team's duty officer, through its hook (DUTY_OFFICER_URL), that an urgent item is still
 * unacknowledged: like a page, without content (the label, type and reference, the organisation,
 * since when). A notice stays queued in PostgreSQL until the hook accepts it, retried with backoff;
 * the hook receives an Idempotency-Key, so a notice resent after a crash is recognised.
 */
@Injectable()
export class DutyOfficerNotices {
  private readonly logger = new Logger(DutyOfficerNotices.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly requests: AcknowledgementRepository,
    private readonly senders: ChannelSenders,
  ) {}

  /** Sends the notices due at `now`; returns how many were sent. */
  async sendDue(now: Date): Promise<number> {
    const due = await this.requests.dueNotices(now, BATCH);
    let sent = 0;
    for (const notice of due) if (await this.send(notice, now)) sent += 1;
    return sent;
  }

  private async send(due: DutyOfficerNoticeToSend, now: Date): Promise<boolean> {
    const hook = this.config.escalation.dutyOfficer;
    if (!hook) {
      await this.requests.noticeFailed(due.notice.id, 'no duty officer hook is configured (DUTY_OFFICER_URL)', null);
      return false;
    }
    try {
      await this.senders.webhook().send({
        url: hook.url,
        secret: hook.secret,
        deliveryId: due.notice.id,
        idempotencyKey: `duty-officer-${due.notice.id}`,
        payload: dutyOfficerPayload(due),
      });
      return this.requests.noticeSent(due.notice.id, now);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const attempts = due.notice.attempts + 1;
      const { attempts: limit, backoffMs } = this.config.dispatch;
      const retryAt = attempts >= limit ? null : new Date(now.getTime() + backoffMs * 2 ** (attempts - 1));
      this.logger.warn(`duty officer notice ${due.notice.id}: ${message}${retryAt ? '' : '; given up'}`);
      await this.requests.noticeFailed(due.notice.id, message, retryAt);
      return false;
    }
  }
}

/** Never the content: the reference to look it up by, its label and type, who, since when. */
export function dutyOfficerPayload(due: DutyOfficerNoticeToSend) {
  const base = { format: 'tlp-broker/duty-officer@1', noticeId: due.notice.id, kind: due.kind };
  if (due.kind === 'urgent-report')
    return {
      ...base,
      reference: due.reference,
      type: due.reportKind,
      urgency: due.urgency,
      organisation: due.organisation,
      receivedAt: due.receivedAt.toISOString(),
      text: `Urgent report ${due.reference} received outside the team's hours${due.organisation ? ` from ${due.organisation}` : ''}`,
    };
  const { request, organisation, itemKind, tlp, severity } = due;
  return {
    ...base,
    reference: request.itemId,
    tlp,
    type: itemKind,
    severity,
    organisationId: request.organisationId,
    organisation,
    requestedAt: request.requestedAt.toISOString(),
    text: `${tlp} ${itemKind} ${request.itemId}: ${organisation} has not acknowledged it since ${request.requestedAt.toISOString()}`,
  };
}
