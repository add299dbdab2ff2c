/**
 * Partners' own feeds as the console shows and edits them: the add form and the request it
 * becomes, the polling interval read and written in words, and where each feed's polling stands.
 * Pure: no DOM, no React.
 */
import { PARTNER_FEED_KINDS } from '@tlp-broker/domain';
import type { FieldProblem, Schemas } from '../../api/client';

export { PARTNER_FEED_KINDS };

type PartnerFeedView = Schemas['PartnerFeedView'];
type CreatePartnerFeedDto = Schemas['CreatePartnerFeedDto'];

/** The API's bounds on the interval (partner-feeds.dto.ts). */
export const MIN_INTERVAL_SECONDS = 10;
export const MAX_INTERVAL_SECONDS = 86_400;
export const DEFAULT_INTERVAL_SECONDS = 300;

export interface FeedForm {
  organisationId: string;
  /** '' until chosen. */
  kind: string;
  name: string;
  url: string;
  /** The Authorization header's value; '' for none. Never read back from the API. */
  authorization: string;
  /** Seconds, as typed. */
  interval: string;
}

export const FEED_FIELDS = ['organisationId', 'kind', 'name', 'url', 'authorization', 'intervalSeconds'] as const;
export type FeedField = (typeof FEED_FIELDS)[number];

export function emptyFeedForm(): FeedForm {
  return {
    organisationId: '',
    kind: '',
    name: '',
    url: '',
    authorization: '',
    interval: String(DEFAULT_INTERVAL_SECONDS),
  };
}

/** A whole number of seconds as typed ("300", " 60 "), or null; the API checks the bounds and says them. */
export function readInterval(text: string): number | null {
  const trimmed = text.trim();
  return /^\d{1,9}$/.test(trimmed) ? Number(trimmed) : null;
}

/** The body of POST /partner-feeds, as typed (the API names what it refuses); null when the interval is not a number. */
export function feedRequest(form: FeedForm): CreatePartnerFeedDto | null {
  const intervalSeconds = readInterval(form.interval);
  if (intervalSeconds === null) return null;
  const authorization = form.authorization.trim();
  return {
    organisationId: form.organisationId,
    kind: form.kind as CreatePartnerFeedDto['kind'],
    name: form.name.trim(),
    url: form.url.trim(),
    intervalSeconds,
    ...(authorization ? { authorization } : {}),
  };
}

/** The API's problems per control (its paths are the request's fields), and those about none. */
export function placeFeedProblems(details: readonly FieldProblem[]): {
  fields: Partial<Record<FeedField, string>>;
  other: FieldProblem[];
} {
  const fields: Partial<Record<FeedField, string>> = {};
  const other: FieldProblem[] = [];
  for (const problem of details) {
    const field = FEED_FIELDS.find((candidate) => candidate === problem.field.split(/[.[]/)[0]);
    if (field) fields[field] = fields[field] ? `${fields[field]}; ${problem.message}` : problem.message;
    else other.push(problem);
  }
  return { fields, other };
}

export type IntervalUnit = 'seconds' | 'minutes' | 'hours' | 'days';

/** An interval in the largest unit that writes it exactly: 300 → 5 minutes, 90 → 90 seconds, 86400 → 1 day. */
export function intervalParts(seconds: number): { amount: number; unit: IntervalUnit } {
  if (seconds > 0 && seconds % 86_400 === 0) return { amount: seconds / 86_400, unit: 'days' };
  if (seconds > 0 && seconds % 3_600 === 0) return { amount: seconds / 3_600, unit: 'hours' };
  if (seconds > 0 && seconds % 60 === 0) return { amount: seconds / 60, unit: 'minutes' };
  return { amount: seconds, unit: 'seconds' };
}

/**
 * When the feed is polled next: not while it is suspended (or its partner is: the API keeps the
 * time it was due), now while a dispatcher polls it, as soon as a dispatcher looks once it is due.
 */
export type NextPoll = { state: 'suspended' } | { state: 'polling' } | { state: 'due' } | { state: 'at'; at: string };

export function nextPoll(feed: Pick<PartnerFeedView, 'status' | 'polling' | 'nextPollAt'>, now: number): NextPoll {
  if (feed.status === 'suspended') return { state: 'suspended' };
  if (feed.polling) return { state: 'polling' };
  if (new Date(feed.nextPollAt).getTime() <= now) return { state: 'due' };
  return { state: 'at', at: feed.nextPollAt };
}

/** How the last poll went: never polled yet, went through, or failed (with the API's words). */
export type LastOutcome = { state: 'never' } | { state: 'ok' } | { state: 'error'; error: string };

export function lastOutcome(feed: Pick<PartnerFeedView, 'lastPolledAt' | 'lastError'>): LastOutcome {
  if (feed.lastError) return { state: 'error', error: feed.lastError };
  return feed.lastPolledAt ? { state: 'ok' } : { state: 'never' };
}
