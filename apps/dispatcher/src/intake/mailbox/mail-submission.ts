import { createHash } from 'node:crypto';
import type { ReadMail } from '@tlp-broker/channels';
import { extractIndicators, SubmissionFlag } from '@tlp-broker/domain';
import type { NewAttachment, NewSubmission } from '@tlp-broker/persistence';
import { readMarkings } from '@tlp-broker/tlp';

/** What the submission of one e-mail stores. */
export interface MailSubmission {
  readonly submission: NewSubmission;
  readonly attachments: NewAttachment[];
}

/** Why a message is refused, as kept with its rejected submission and named on the quarantined message. */
export interface MailRefusalRecord {
  readonly reason: string;
  readonly detail: string;
  readonly fromAddress: string | null;
}

/** Longest Message-ID kept as it is: a longer one is kept as its digest (the unique index has a size limit). */
const MAX_MESSAGE_ID = 250;
const MAX_DETAIL = 1_000;
const MAX_ADDRESS = 320;

/**
 * What names a message once and for all, whichever dispatcher reads it and however often: its
 * Message-ID, or — when it has none — the digest of its bytes.
 */
export function mailIdentity(messageId: string | null, raw?: Buffer): string {
  if (messageId) {
    return messageId.length <= MAX_MESSAGE_ID ? messageId : `message-id-sha256:${sha256(Buffer.from(messageId))}`;
  }
  if (!raw) throw new Error('a message without Message-ID is named by its bytes');
  return `sha256:${sha256(raw)}`;
}

/**
 * The submission of a message that was read. The sender is the signing key's owner, never the
 * From: header; a message in the clear or signed by nobody known is accepted as non-sensitive
 * (unverified, never acknowledged); an unlabelled one is held as TLP:AMBER until an analyst
 * confirms its label with the source.
 */
export function acceptedMail(mail: ReadMail, identity: string, fromMismatch: boolean): MailSubmission {
  const markings = readMarkings(mail.subject, mail.text);
  const signature = mail.signature;
  const verified = signature.state === 'verified' ? signature : null;
  const flags = mailFlags(mail, fromMismatch, markings.tlp === null);
  const submission: NewSubmission = {
    source: 'email',
    status: verified ? 'verified' : 'unverified',
    senderProof: verified ? 'signature' : 'none',
    organisationId: verified?.signer.organisationId ?? null,
    senderContactId: verified?.signer.contactId ?? null,
    signerFingerprint: verified?.signer.fingerprint ?? null,
    digest: verified?.digest ?? null,
    messageId: identity,
    fromAddress: bounded(mail.from?.address ?? null),
    encrypted: mail.encrypted,
    title: mail.subject.trim() || null,
    tlp: markings.tlp ?? 'TLP:AMBER',
    pap: markings.pap,
    content: mail.text,
    indicators: extractIndicators(`${mail.subject}\n${mail.text}`).map(({ type, value }) => ({ type, value })),
    flags,
    sizeBytes: Buffer.byteLength(mail.text, 'utf8'),
    rawSizeBytes: mail.rawSizeBytes,
  };
  return { submission, attachments: mail.attachments.map(attachmentOf) };
}

/** A refused message's record: why, and who the From: header claims; nothing of what it carried. */
export function refusedMail(refusal: MailRefusalRecord, identity: string, rawSizeBytes: number): NewSubmission {
  return {
    source: 'email',
    status: 'rejected',
    senderProof: 'none',
    reason: refusal.reason,
    detail: refusal.detail.slice(0, MAX_DETAIL),
    messageId: identity,
    fromAddress: bounded(refusal.fromAddress),
    sizeBytes: 0,
    rawSizeBytes,
  };
}

function mailFlags(mail: ReadMail, fromMismatch: boolean, labelAssumed: boolean): SubmissionFlag[] {
  const flags: SubmissionFlag[] = [];
  if (!mail.encrypted) flags.push('unencrypted');
  if (mail.signature.state === 'unsigned') flags.push('unsigned');
  if (mail.signature.state === 'unknown-signer') flags.push('unknown-signer');
  if (fromMismatch) flags.push('from-mismatch');
  if (labelAssumed) flags.push('label-assumed');
  if (mail.htmlReduced) flags.push('html-reduced');
  if (mail.attachmentsDropped > 0) flags.push('attachments-dropped');
  return flags;
}

function attachmentOf(attachment: ReadMail['attachments'][number], position: number): NewAttachment {
  return {
    position,
    filename: attachment.filename,
    mediaType: attachment.mediaType,
    sizeBytes: attachment.content.length,
    sha256: sha256(attachment.content),
    content: attachment.content,
  };
}

/**
 * Whether the From: address belongs to the signing key's owner: the contact's e-mail, the e-mail
 * channels of the organisation (and of that contact), or an e-mail in the key's user ids.
 */
export function fromMatchesSigner(fromAddress: string | null, ownerAddresses: ReadonlySet<string>): boolean {
  return fromAddress !== null && ownerAddresses.has(fromAddress.trim().toLowerCase());
}

function bounded(address: string | null): string | null {
  return address === null ? null : address.slice(0, MAX_ADDRESS);
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
