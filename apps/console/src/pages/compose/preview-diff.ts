/**
 * What the recipient preview shows beside the form: the engine's decisions grouped (who receives the
 * item, who does not), and who was added or dropped since the previous preview. Pure: no DOM.
 */
import type { Schemas } from '../../api/client';

/** One partner × channel as the preview (POST /items/preview) decides it. */
export type PreviewDecision = Schemas['PreviewView']['decisions'][number];

export interface PreviewChanges {
  /** Allowed now, and not allowed (or not there) in the previous preview. */
  added: PreviewDecision[];
  /** Allowed in the previous preview, and not allowed (or not there) now. */
  dropped: PreviewDecision[];
}

export interface GroupedDecisions {
  allowed: PreviewDecision[];
  withheld: PreviewDecision[];
  /** How many different organisations receive the item on at least one channel. */
  organisations: number;
}

/** A recipient is an organisation's channel (a contact's personal channel is a channel of its organisation). */
export function recipientKey(decision: Pick<PreviewDecision, 'organisationId' | 'channelId'>): string {
  return `${decision.organisationId}/${decision.channelId}`;
}

/** "Europol EC3 — Anna Keller (personal feed)": the organisation, the person when there is one, the channel. */
export function recipientName(decision: Pick<PreviewDecision, 'organisation' | 'contact' | 'channel'>): string {
  return `${decision.organisation}${decision.contact ? ` — ${decision.contact}` : ''} (${decision.channel})`;
}

function byRecipient(a: PreviewDecision, b: PreviewDecision): number {
  return (
    a.organisation.localeCompare(b.organisation) ||
    (a.contact ?? '').localeCompare(b.contact ?? '') ||
    a.channel.localeCompare(b.channel) ||
    a.channelId.localeCompare(b.channelId)
  );
}

/** The decisions split into those allowed and those withheld, each by organisation, person and channel. */
export function groupDecisions(decisions: readonly PreviewDecision[]): GroupedDecisions {
  const allowed = decisions.filter((decision) => decision.allow).sort(byRecipient);
  const withheld = decisions.filter((decision) => !decision.allow).sort(byRecipient);
  return { allowed, withheld, organisations: new Set(allowed.map((decision) => decision.organisationId)).size };
}

/** Who receives the item now and did not in `previous`, and who did and no longer does; nothing before a first preview. */
export function diffPreviews(
  previous: readonly PreviewDecision[] | null,
  next: readonly PreviewDecision[],
): PreviewChanges {
  if (previous === null) return { added: [], dropped: [] };
  const allowedBefore = new Set(previous.filter((d) => d.allow).map(recipientKey));
  const allowedNow = new Set(next.filter((d) => d.allow).map(recipientKey));
  const nextByKey = new Map(next.map((decision) => [recipientKey(decision), decision]));
  return {
    added: next.filter((d) => d.allow && !allowedBefore.has(recipientKey(d))).sort(byRecipient),
    // A dropped recipient is shown as decided now (with the reason it is withheld), or as it was when it is gone.
    dropped: previous
      .filter((d) => d.allow && !allowedNow.has(recipientKey(d)))
      .map((d) => nextByKey.get(recipientKey(d)) ?? d)
      .sort(byRecipient),
  };
}

/** Whether a preview changed anything for anyone. */
export function hasChanges(changes: PreviewChanges): boolean {
  return changes.added.length + changes.dropped.length > 0;
}
