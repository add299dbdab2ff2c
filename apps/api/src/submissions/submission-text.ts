import { extractIndicators, type SubmissionFlag } from '@tlp-broker/domain';
import type { ExtractedIndicator } from '@tlp-broker/persistence';
import { readMarkings, type PapLabel, type TlpLabel } from '@tlp-broker/tlp';

/** The longest title kept: an item's title is at most 300 characters, and a first line can be a whole paragraph. */
export const MAX_SUBMISSION_TITLE = 200;
/** Indicators kept from one submission's text. */
export const MAX_EXTRACTED_INDICATORS = 1000;

/** What is read from a submission's text: its label and PAP, a title, the indicators written in it. */
export interface TextReading {
  readonly title: string | null;
  readonly tlp: TlpLabel;
  readonly pap: PapLabel | null;
  /** `label-assumed` when the text carried no TLP label (held as TLP:AMBER until an analyst confirms it). */
  readonly flags: SubmissionFlag[];
  readonly indicators: ExtractedIndicator[];
}

/**
 * Reads a submission's label as its sender wrote it (TLP 2.0, TLP 1.0 or ISTLP, and PAP; the most
 * restrictive when several): none found, it is held as TLP:AMBER and flagged, since the sender's
 * marking cannot be guessed downwards.
 */
export function readSubmittedText(text: string): TextReading {
  const markings = readMarkings(text);
  return {
    title: titleOf(text),
    tlp: markings.tlp ?? 'TLP:AMBER',
    pap: markings.pap,
    flags: markings.tlp ? [] : ['label-assumed'],
    indicators: extractIndicators(text, MAX_EXTRACTED_INDICATORS).map(({ type, value }) => ({ type, value })),
  };
}

/** The first line that holds something, as a one-line title (control characters dropped, at most `max` characters). */
export function titleOf(text: string, max = MAX_SUBMISSION_TITLE): string | null {
  for (const line of text.split(/\r\n|[\n\r\u2028\u2029\u0085]/)) {
    const clean = line
      .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
      .trim()
      .replace(/\s+/g, ' ');
    if (clean !== '') return [...clean].slice(0, max).join('');
  }
  return null;
}
