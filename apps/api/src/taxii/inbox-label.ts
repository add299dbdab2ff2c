import type { ExtractedIndicatorValue, SubmissionFlag } from '@tlp-broker/domain';
import { readStixObjects } from '@tlp-broker/stix';
import type { PapLabel, TlpLabel } from '@tlp-broker/tlp';

/** What one post to the inbox is held as: its label, PAP, flags, indicators and title. */
export interface InboxReading {
  readonly tlp: TlpLabel;
  readonly pap: PapLabel | null;
  readonly flags: SubmissionFlag[];
  readonly indicators: ExtractedIndicatorValue[];
  readonly title: string;
}

/** What a post with no TLP marking at all is held as, until an analyst confirms its label with the source. */
const ASSUMED_LABEL: TlpLabel = 'TLP:AMBER';

/**
 * The label of the objects taken from one post: the most restrictive TLP marking among them (TLP
 * 2.0 or 1.0 marking definitions, or ones the post defines itself); objects without a marking take
 * that label too, being part of the same submission. When none is marked, the post is held as
 * TLP:AMBER with the `label-assumed` flag. PAP likewise, with no default.
 */
export function readInboxObjects(objects: readonly Record<string, unknown>[]): InboxReading {
  const reading = readStixObjects([...objects]);
  return {
    tlp: reading.tlp ?? ASSUMED_LABEL,
    pap: reading.pap,
    flags: reading.tlp ? [] : ['label-assumed'],
    indicators: reading.indicators,
    title: reading.title ?? `${objects.length} STIX object${objects.length === 1 ? '' : 's'} posted to the TAXII inbox`,
  };
}
