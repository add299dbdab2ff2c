import type { CloseReason, ReportKind, ReportStatus, SubmissionSource } from '@tlp-broker/domain';
import type { ListedSubmission } from '@tlp-broker/persistence';
import { reportStatus } from '@tlp-broker/domain';
import type { TlpLabel } from '@tlp-broker/tlp';

/**
 * What a sender gets back for a report (201): its reference, and whether an acknowledgement is
 * on its way to the sender's own e-mail address, signed by the team and encrypted to the sender's key.
 */
export interface ReportReceiptView {
  id: string;
  /** Quote it to follow the report (`PJ-2026-000123`): GET /reports/{reference}. */
  reference: string;
  kind: ReportKind;
  status: ReportStatus;
  receivedAt: Date;
  /** `queued`: an acknowledgement will be mailed; `none`: the sender has no e-mail route with a usable key. */
  acknowledgement: 'queued' | 'none';
  /**
   * The acknowledgement itself, whatever the e-mail route: an OpenPGP message signed by the team and
   * encrypted to the sender's own key (the credential's channel key, or the contact's key); null
   * when no usable key is registered for the sender.
   */
  signedAcknowledgement: string | null;
}

/** Where a report (or anything else the sender sent in) stands, as its sender sees it. */
export interface ReportStatusView {
  reference: string;
  /** The form's kind; null for what came in another way (e-mail, the TAXII inbox, the API). */
  kind: ReportKind | null;
  source: SubmissionSource;
  title: string | null;
  receivedAt: Date;
  /** received, in triage, item published (an item made from it went out), closed. */
  status: ReportStatus;
  /** Why it was closed: a duplicate, out of scope, spam, or resolved. */
  closedReason?: CloseReason;
  tlp: TlpLabel | null;
}

export function reportStatusView(listed: ListedSubmission): ReportStatusView {
  const row = listed.submission;
  return {
    reference: row.reference ?? '',
    kind: row.reportKind,
    source: row.source,
    title: row.title,
    receivedAt: row.receivedAt,
    status: reportStatus(row.triageState, listed.itemPublished),
    ...(row.closeReason ? { closedReason: row.closeReason } : {}),
    tlp: row.tlp,
  };
}
