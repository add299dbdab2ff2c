import {
  reportStatus,
  type CloseReason,
  type ItemState,
  type ReportKind,
  type ReportStatus,
  type SenderProof,
  type SubmissionFlag,
  type SubmissionSource,
  type SubmissionStatus,
  type TriageState,
} from '@tlp-broker/domain';
import type {
  AttachmentSummary,
  ExtractedIndicator,
  ListedSubmission,
  SubmissionConsent,
} from '@tlp-broker/persistence';
import type { PapLabel, TlpLabel } from '@tlp-broker/tlp';

/** Who sent a submission, as far as it is known: proven for a verified one, otherwise as it claimed. */
export interface SubmissionSenderView {
  organisationId: string | null;
  organisation: string | null;
  /** The contact whose key signed it, whose portal account or personal credential sent it. */
  contactId: string | null;
  contact: string | null;
}

/** A submission as the triage inbox lists it (and as POST /submissions answers). */
export interface SubmissionView {
  id: string;
  /** Given back to the sender (`PJ-2026-000123`); null for a rejected submission. */
  reference: string | null;
  source: SubmissionSource;
  /** How the sender is known: a signature, a partner credential, a portal account, a team member who took it… */
  senderProof: SenderProof;
  organisationId: string | null;
  /** The sending organisation's name. */
  organisation: string | null;
  sender: SubmissionSenderView;
  status: SubmissionStatus;
  /** The sender is proven (status `verified`). */
  verified: boolean;
  /** Why it was refused (`unknown-signer`, `too-large`…). */
  reason: string | null;
  detail: string | null;
  signerFingerprint: string | null;
  /** E-mail: the `From:` address as written, never taken as the sender. */
  fromAddress: string | null;
  /** Arrived encrypted to the team's key. */
  encrypted: boolean;
  flags: SubmissionFlag[];
  title: string | null;
  /** The label it came with; TLP:AMBER with the flag `label-assumed` when it carried none. */
  tlp: TlpLabel | null;
  pap: PapLabel | null;
  /** A reporting form's kind; null for what came in any other way. */
  reportKind: ReportKind | null;
  triageState: TriageState;
  closeReason: CloseReason | null;
  closedAt: Date | null;
  /** What the sender sees: received, in triage, item published, closed. */
  reportStatus: ReportStatus;
  /** The item drafted from it, or the existing item it was attached to. */
  itemId: string | null;
  itemState: ItemState | null;
  indicatorCount: number;
  attachmentCount: number;
  /** The team member who entered it (a report taken by phone). */
  enteredBy: string | null;
  /** Bytes of content kept (0 for a rejected submission). */
  sizeBytes: number;
  /** Bytes received, before any decryption or decompression. */
  rawSizeBytes: number;
  receivedAt: Date;
}

/** A file that came with a submission: downloaded only (GET /submissions/:id/attachments/:attachmentId), never shown. */
export interface SubmissionAttachmentView {
  id: string;
  filename: string;
  /** As the sender declared it: the download is application/octet-stream whatever it says. */
  mediaType: string;
  sizeBytes: number;
  sha256: string;
}

/** What POST /submissions answers a sender whose message was taken. */
export interface SubmissionReceiptView extends SubmissionView {
  /**
   * The acknowledgement with its reference: an OpenPGP message signed by the team and encrypted to
   * the sender's own key (the key that signed what it sent); null when that key is no longer usable.
   */
  signedAcknowledgement: string | null;
}

/** Where a reply to the sender would go: its own e-mail address and the key it is encrypted to. */
export interface ReplyRouteView {
  toName: string;
  toAddress: string;
  recipientFingerprint: string;
}

/** One submission in full, for triage. */
export interface SubmissionDetailView extends SubmissionView {
  /**
   * Where a reply would go now; null when none can be sent: the sender is not verified, or has no
   * active e-mail route with a key neither revoked nor expired.
   */
  replyTo: ReplyRouteView | null;
  /** The text received (decrypted, HTML reduced to text, a form rendered as text); null for a rejected submission. */
  content: string | null;
  /** A reporting form's fields as validated. */
  report: Record<string, unknown> | null;
  /** Observables found in it (refanged): from STIX objects, MISP attributes, a form's observables, or its text. */
  indicators: ExtractedIndicator[];
  attachments: SubmissionAttachmentView[];
  /** The sender's written consent to a wider audience than its label allows, if it granted one. */
  consent: SubmissionConsent | null;
  messageId: string | null;
  externalId: string | null;
}

export function submissionView(listed: ListedSubmission): SubmissionView {
  const row = listed.submission;
  return {
    id: row.id,
    reference: row.reference,
    source: row.source,
    senderProof: row.senderProof,
    organisationId: row.organisationId,
    organisation: listed.organisation,
    sender: {
      organisationId: row.organisationId,
      organisation: listed.organisation,
      contactId: row.senderContactId,
      contact: listed.contact,
    },
    status: row.status,
    verified: row.status === 'verified',
    reason: row.reason,
    detail: row.detail,
    signerFingerprint: row.signerFingerprint,
    fromAddress: row.fromAddress,
    encrypted: row.encrypted,
    flags: row.flags,
    title: row.title,
    tlp: row.tlp,
    pap: row.pap,
    reportKind: row.reportKind,
    triageState: row.triageState,
    closeReason: row.closeReason,
    closedAt: row.closedAt,
    reportStatus: reportStatus(row.triageState, listed.itemPublished),
    itemId: row.itemId,
    itemState: listed.itemState,
    indicatorCount: row.indicators.length,
    attachmentCount: listed.attachmentCount,
    enteredBy: row.enteredBy,
    sizeBytes: row.sizeBytes,
    rawSizeBytes: row.rawSizeBytes,
    receivedAt: row.receivedAt,
  };
}

export function submissionDetailView(
  listed: ListedSubmission,
  attachments: readonly AttachmentSummary[],
  replyTo: ReplyRouteView | null,
): SubmissionDetailView {
  const row = listed.submission;
  return {
    ...submissionView(listed),
    replyTo,
    content: row.content,
    report: row.report,
    indicators: row.indicators,
    attachments: attachments.map(({ id, filename, mediaType, sizeBytes, sha256 }) => ({
      id,
      filename,
      mediaType,
      sizeBytes,
      sha256,
    })),
    consent: row.consent,
    messageId: row.messageId,
    externalId: row.externalId,
  };
}
