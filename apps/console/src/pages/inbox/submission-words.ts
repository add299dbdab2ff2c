/**
 * What the inbox says about a submission, decided apart from how it is written: who sent it and how
 * that is known, its label (assumed or not), its flags, a form's fields, its attachments' links.
 * Each answer names a message and its values; the screens put it in the user's language. Pure: no DOM.
 */
import { SUBMISSION_FLAGS, type SubmissionFlag } from '@tlp-broker/domain';
import type { Schemas } from '../../api/client';

export type Submission = Schemas['SubmissionView'];
export type SubmissionDetail = Schemas['SubmissionDetailView'];
export type AuditEvent = Schemas['AuditEventView'];

/** Who sent it, as far as the broker knows. */
export type SenderLine =
  | { readonly kind: 'proven'; readonly organisation: string; readonly contact: string | null }
  /** What a header or a credential claimed: shown, marked not verified. */
  | { readonly kind: 'claimed'; readonly claimed: string }
  | { readonly kind: 'unknown' };

export function senderLine(submission: Submission): SenderLine {
  const { organisation, contact } = submission.sender;
  if (submission.verified && organisation) return { kind: 'proven', organisation, contact };
  const claimed = submission.fromAddress ?? organisation;
  return claimed ? { kind: 'claimed', claimed } : { kind: 'unknown' };
}

/** How the sender is known, as one sentence: which message and its values. */
export type ProofSentence =
  | { readonly key: 'proof.signature'; readonly values: { fingerprint: string; owner: string } }
  | { readonly key: 'proof.credential' | 'proof.portal' | 'proof.feed'; readonly values: { owner: string } }
  | { readonly key: 'proof.staff'; readonly values: { name: string } }
  | { readonly key: 'proof.staffUnknown'; readonly values: Record<string, never> }
  | { readonly key: 'proof.unknownSigner'; readonly values: { fingerprint: string } }
  | { readonly key: 'proof.unsigned' | 'proof.none'; readonly values: Record<string, never> }
  | { readonly key: 'proof.rejected'; readonly values: { reason: string } };

/** The organisation, or the contact and its organisation. */
function ownerOf(submission: Submission): string {
  const { organisation, contact } = submission.sender;
  if (contact && organisation) return `${contact} (${organisation})`;
  return contact ?? organisation ?? '—';
}

/** `enteredBy`: the name of the team member who entered a report taken by phone, when known. */
export function proofSentence(submission: Submission, enteredBy: string | null): ProofSentence {
  if (submission.status === 'rejected') {
    const reason = [submission.reason, submission.detail].filter(Boolean).join(': ');
    return { key: 'proof.rejected', values: { reason: reason || '—' } };
  }
  const owner = ownerOf(submission);
  switch (submission.senderProof) {
    case 'signature':
      return { key: 'proof.signature', values: { fingerprint: submission.signerFingerprint ?? '—', owner } };
    case 'credential':
      return { key: 'proof.credential', values: { owner } };
    case 'portal':
      return { key: 'proof.portal', values: { owner } };
    case 'feed':
      return { key: 'proof.feed', values: { owner } };
    case 'staff':
      return enteredBy
        ? { key: 'proof.staff', values: { name: enteredBy } }
        : { key: 'proof.staffUnknown', values: {} };
    default:
      if (submission.flags.includes('unknown-signer') && submission.signerFingerprint)
        return { key: 'proof.unknownSigner', values: { fingerprint: submission.signerFingerprint } };
      return submission.flags.includes('unsigned')
        ? { key: 'proof.unsigned', values: {} }
        : { key: 'proof.none', values: {} };
  }
}

/** Who entered a report taken by phone: the actor the trail names for its arrival (a team member's name). */
export function enteredByName(events: readonly AuditEvent[]): string | null {
  return events.find((event) => event.action === 'submission.received')?.actor ?? null;
}

/** The label as received; `assumed` when none was found and TLP:AMBER holds until the source confirms one. */
export function labelOf(submission: Submission): { tlp: string | null; pap: string | null; assumed: boolean } {
  return { tlp: submission.tlp, pap: submission.pap, assumed: submission.flags.includes('label-assumed') };
}

/**
 * The flags to write out beside an entry, in a fixed order: `label-assumed` is left out, the label
 * itself says so.
 */
export function flagsInWords(flags: readonly SubmissionFlag[]): SubmissionFlag[] {
  return SUBMISSION_FLAGS.filter((flag) => flag !== 'label-assumed' && flags.includes(flag));
}

/** Verified, not verified or rejected: always written, never a colour alone. */
export type Verification = 'verified' | 'unverified' | 'rejected';

export function verificationOf(submission: Submission): Verification {
  return submission.status;
}

/** The download route of an attachment: a link to bytes served as a download, never shown in the page. */
export function attachmentHref(submissionId: string, attachmentId: string): string {
  return `/submissions/${encodeURIComponent(submissionId)}/attachments/${encodeURIComponent(attachmentId)}`;
}

const LOCALES = { en: 'en-GB', fr: 'fr-FR' } as const;

/** A size as a person reads it: bytes below a kilobyte, then kB / MB (ko / Mo in French). */
export function formatBytes(bytes: number, language: 'en' | 'fr'): string {
  const [unit, value, display] =
    bytes < 1024
      ? (['byte', bytes, 'long'] as const)
      : bytes < 1024 * 1024
        ? (['kilobyte', bytes / 1024, 'short'] as const)
        : (['megabyte', bytes / (1024 * 1024), 'short'] as const);
  return new Intl.NumberFormat(LOCALES[language], {
    style: 'unit',
    unit,
    unitDisplay: display,
    maximumFractionDigits: 1,
  }).format(value);
}
