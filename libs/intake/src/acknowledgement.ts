import type { SubmissionEntity } from '@tlp-broker/persistence';

/** The subject and plain text of a message the team sends back about a submission, before it is signed and encrypted. */
export interface SubmissionMessageText {
  /** Carries the reference only: a subject travels in the clear, so it never says what the report is about. */
  readonly subject: string;
  readonly text: string;
}

/** Who signs what goes back: the team's name and its key's fingerprint, as the sender can check them. */
export interface TeamSignature {
  readonly name: string;
  readonly fingerprint: string;
}

/** What an acknowledgement says about the submission; never more of its content than the title. */
export type AcknowledgedSubmission = Pick<
  SubmissionEntity,
  | 'reference'
  | 'receivedAt'
  | 'source'
  | 'encrypted'
  | 'senderProof'
  | 'signerFingerprint'
  | 'title'
  | 'tlp'
  | 'pap'
  | 'flags'
>;

const MAX_TITLE = 200;
const MAX_TEAM_NAME = 120;

/** `[PJ-2026-000123] Received: your report`. */
export function acknowledgementSubject(reference: string): string {
  return `[${oneLine(reference, 64)}] Received: your report`;
}

/** `[PJ-2026-000123] Reply from Police CSIRT`. */
export function replySubject(reference: string, teamName: string): string {
  return `[${oneLine(reference, 64)}] Reply from ${oneLine(teamName, MAX_TEAM_NAME)}`;
}

/**
 * The acknowledgement a verified sender receives: its reference, when and how the report came in,
 * the label it is held under (and whether that label was assumed), what happens next and how to
 * quote the reference.
 */
export function acknowledgementMessage(submission: AcknowledgedSubmission, team: TeamSignature): SubmissionMessageText {
  const reference = referenceOf(submission);
  const teamName = oneLine(team.name, MAX_TEAM_NAME);
  const title = submission.title === null ? '' : oneLine(submission.title, MAX_TITLE);
  const lines = [
    `${teamName} has received your report.`,
    '',
    `Reference: ${reference}`,
    `Received:  ${timeOf(submission.receivedAt)}`,
    `How:       ${howItCameIn(submission)}`,
    ...senderLine(submission),
    ...(title === '' ? [] : [`Title:     ${title}`]),
    `Label:     ${labelLine(submission)}`,
    ...(submission.pap ? [`PAP:       ${submission.pap}`] : []),
    '',
    ...labelNote(submission),
    'What happens next: an analyst of the team looks at your report and may ask you for more. Every',
    'message the team sends you about it is signed with the team key and encrypted to your key, and',
    'quotes its reference. You can follow its status (received, in triage, item published, closed)',
    "through the broker's API or the reporters' portal.",
    '',
    ...quoting(reference),
    '',
    ...signature(teamName, team.fingerprint),
  ];
  return { subject: acknowledgementSubject(reference), text: lines.join('\n') };
}

/** An analyst's reply to the sender: its text as written, about the submission named by its reference. */
export function replyMessage(
  submission: Pick<SubmissionEntity, 'reference' | 'receivedAt'>,
  body: string,
  team: TeamSignature,
): SubmissionMessageText {
  const reference = referenceOf(submission);
  const teamName = oneLine(team.name, MAX_TEAM_NAME);
  const lines = [
    `About your report ${reference} (received ${timeOf(submission.receivedAt)}):`,
    '',
    body.replace(/\r\n?/g, '\n').trimEnd(),
    '',
    ...quoting(reference),
    '',
    ...signature(teamName, team.fingerprint),
  ];
  return { subject: replySubject(reference, teamName), text: lines.join('\n') };
}

function referenceOf(submission: Pick<SubmissionEntity, 'reference'>): string {
  if (!submission.reference) throw new Error('a submission without a reference (rejected) is never answered');
  return oneLine(submission.reference, 64);
}

function quoting(reference: string): string[] {
  return [
    `Quote ${reference} in the subject of every message about this report, for example`,
    `"[${reference}] further logs". Send anything sensitive encrypted to the team key.`,
  ];
}

function signature(teamName: string, fingerprint: string): string[] {
  return ['-- ', teamName, `Signed with the team key ${groupedFingerprint(fingerprint)}`];
}

/** How it reached the team. */
function howItCameIn(submission: AcknowledgedSubmission): string {
  switch (submission.source) {
    case 'email':
      return submission.encrypted ? 'by e-mail, encrypted to the team key' : 'by e-mail, not encrypted';
    case 'api':
      return "through the broker's API";
    case 'form':
      if (submission.senderProof === 'staff') return 'entered for you by a member of the team';
      return submission.senderProof === 'portal'
        ? "through the reporters' portal (reporting form)"
        : 'through the reporting form';
    case 'taxii':
      return 'to your TAXII inbox collection';
    case 'feed':
      return 'from your feed';
  }
}

/** How the team knows it came from the sender. */
function senderLine(submission: AcknowledgedSubmission): string[] {
  if (submission.senderProof === 'signature' && submission.signerFingerprint)
    return [`Signed by: your key ${groupedFingerprint(submission.signerFingerprint)}`];
  if (submission.senderProof === 'credential') return ["Sent with: your organisation's credential"];
  if (submission.senderProof === 'portal') return ['Sent with: your portal account'];
  return [];
}

function labelLine(submission: AcknowledgedSubmission): string {
  if (submission.tlp === null) return 'none recorded (handled as TLP:AMBER, see below)';
  return submission.flags.includes('label-assumed') ? `${submission.tlp} (assumed, see below)` : submission.tlp;
}

/** Says why a label was assumed, and what the sender can do about it; nothing when the sender gave one. */
function labelNote(submission: AcknowledgedSubmission): string[] {
  if (submission.tlp !== null && !submission.flags.includes('label-assumed')) return [];
  return [
    'No TLP label was found in your report: the team holds it as TLP:AMBER until an analyst has',
    'confirmed its label with you. If it may be shared more widely, or must be held more tightly,',
    'reply quoting the reference.',
    '',
  ];
}

/** `2026-01-05 14:03 UTC`. */
function timeOf(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `ABCD 1234 …`: how people read a fingerprint aloud to compare it. */
function groupedFingerprint(fingerprint: string): string {
  return (
    fingerprint
      .toUpperCase()
      .replace(/[^0-9A-F]/g, '')
      .match(/.{1,4}/g)
      ?.join(' ') ?? ''
  );
}

/** One line of at most `max` characters, without control characters, whatever a sender wrote. */
function oneLine(text: string, max: number): string {
  const flat = text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const characters = Array.from(flat);
  return characters.length > max ? `${characters.slice(0, max - 1).join('')}…` : flat;
}
