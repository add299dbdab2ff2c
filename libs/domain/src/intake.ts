/**
 * The inbound vocabulary: how material comes in, how its sender is known, and where it stands in
 * triage. Each word is defined once here and typed through entities, DTOs, views and SQL checks.
 */

/** Where a submission came from. `form`: a reporting form (partner tool, portal, or a report taken by phone). */
export const SUBMISSION_SOURCES = ['api', 'email', 'form', 'taxii', 'feed'] as const;
export type SubmissionSource = (typeof SUBMISSION_SOURCES)[number];

/**
 * `verified`: accepted, its sender proven (signature by a registered key, a partner's credential,
 * a portal account, a team member who took it); `unverified`: accepted as non-sensitive, its sender
 * not proven (e-mail in the clear, or signed by a key nobody registered); `rejected`: refused, kept
 * only as a record (nothing of its content).
 */
export const SUBMISSION_STATUSES = ['verified', 'unverified', 'rejected'] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

/**
 * How the sender is known: `signature` (an OpenPGP signature by a key registered for an
 * organisation or contact), `credential` (a partner channel's API key), `portal` (a contact's
 * portal account), `staff` (a team member entered it, e.g. taken by phone), `feed` (polled from the
 * partner's own feed), `none`.
 */
export const SENDER_PROOFS = ['signature', 'credential', 'portal', 'staff', 'feed', 'none'] as const;
export type SenderProof = (typeof SENDER_PROOFS)[number];

/** What an analyst does with a submission: received, being looked at (or turned into an item), closed. */
export const TRIAGE_STATES = ['received', 'in-triage', 'closed'] as const;
export type TriageState = (typeof TRIAGE_STATES)[number];

export const CLOSE_REASONS = ['duplicate', 'out-of-scope', 'spam', 'resolved'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** What the reporter sees of its report: received, in triage, an item was published from it, closed. */
export const REPORT_STATUSES = ['received', 'in-triage', 'item-published', 'closed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** The two reporting forms of the team's profile (RFC 2350 "incident reporting forms"). */
export const REPORT_KINDS = ['investigation-incident', 'support-request'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export const REPORT_URGENCIES = ['low', 'normal', 'high', 'critical'] as const;
export type ReportUrgency = (typeof REPORT_URGENCIES)[number];

/** An investigation incident reported as of high or critical urgency: outside the team's hours, its duty officer is told. */
export function isUrgentReport(kind: ReportKind | null, urgency: unknown): boolean {
  return kind === 'investigation-incident' && (urgency === 'high' || urgency === 'critical');
}

/**
 * What an analyst should know before trusting a submission:
 * `unencrypted` (arrived in the clear: non-sensitive only), `unsigned`, `unknown-signer` (signed by
 * a key no organisation or contact registered), `from-mismatch` (the `From:` header names someone
 * other than the signing key's owner), `label-assumed` (no label found: held as TLP:AMBER until an
 * analyst confirms it with the source), `html-reduced` (an HTML body reduced to text),
 * `attachments-dropped` (attachments over the size limits left out).
 */
export const SUBMISSION_FLAGS = [
  'unencrypted',
  'unsigned',
  'unknown-signer',
  'from-mismatch',
  'label-assumed',
  'html-reduced',
  'attachments-dropped',
] as const;
export type SubmissionFlag = (typeof SUBMISSION_FLAGS)[number];

/** Messages the team sends back about a submission: the acknowledgement with its reference, or an analyst's reply. */
export const SUBMISSION_MESSAGE_KINDS = ['acknowledgement', 'reply'] as const;
export type SubmissionMessageKind = (typeof SUBMISSION_MESSAGE_KINDS)[number];

export const SUBMISSION_MESSAGE_STATES = ['queued', 'sent', 'failed', 'dead'] as const;
export type SubmissionMessageState = (typeof SUBMISSION_MESSAGE_STATES)[number];

/** A partner's own feed the broker polls: a TAXII 2.1 collection or a MISP feed. */
export const PARTNER_FEED_KINDS = ['taxii', 'misp'] as const;
export type PartnerFeedKind = (typeof PARTNER_FEED_KINDS)[number];

/** The reporter-visible status of a submission, from its triage state and the item made from it. */
export function reportStatus(triage: TriageState, itemPublished: boolean): ReportStatus {
  if (triage === 'closed') return 'closed';
  if (itemPublished) return 'item-published';
  return triage;
}
