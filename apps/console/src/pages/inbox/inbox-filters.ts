/**
 * The inbox's filters as the address keeps them (`?state=closed&source=email`), the query they make
 * for GET /submissions, and which entries of a fresh read arrived since the last one. Pure: no DOM.
 */
import { SUBMISSION_SOURCES, type SubmissionSource, type TriageState } from '@tlp-broker/domain';

/** `open`: received or in triage, what is still to be dealt with (the default). */
export const STATE_FILTERS = ['open', 'received', 'in-triage', 'closed', 'all'] as const;
export type StateFilter = (typeof STATE_FILTERS)[number];

export const SOURCE_FILTERS = ['all', ...SUBMISSION_SOURCES] as const;
export type SourceFilter = (typeof SOURCE_FILTERS)[number];

export interface InboxFilters {
  readonly state: StateFilter;
  readonly source: SourceFilter;
}

export const DEFAULT_FILTERS: InboxFilters = { state: 'open', source: 'all' };

/** The most entries the inbox asks for (the API's largest page). */
export const INBOX_LIMIT = 200;

const TRIAGE_STATES_OF: Readonly<Record<StateFilter, readonly TriageState[]>> = {
  open: ['received', 'in-triage'],
  received: ['received'],
  'in-triage': ['in-triage'],
  closed: ['closed'],
  all: [],
};

function oneOf<T extends string>(values: readonly T[], value: string | null, fallback: T): T {
  return (values as readonly (string | null)[]).includes(value) ? (value as T) : fallback;
}

/** The filters written in the address; anything unknown reads as the default. */
export function readFilters(params: URLSearchParams): InboxFilters {
  return {
    state: oneOf(STATE_FILTERS, params.get('state'), DEFAULT_FILTERS.state),
    source: oneOf(SOURCE_FILTERS, params.get('source'), DEFAULT_FILTERS.source),
  };
}

/** The address's parameters with the filters written in (defaults left out), others kept. */
export function writeFilters(params: URLSearchParams, filters: InboxFilters): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const name of ['state', 'source'] as const) {
    if (filters[name] === DEFAULT_FILTERS[name]) next.delete(name);
    else next.set(name, filters[name]);
  }
  return next;
}

export interface InboxQuery {
  state?: TriageState[];
  source?: SubmissionSource[];
  limit: number;
}

/** GET /submissions's query for the filters: no state or source at all means every one. */
export function inboxQuery(filters: InboxFilters, limit = INBOX_LIMIT): InboxQuery {
  const states = TRIAGE_STATES_OF[filters.state];
  return {
    ...(states.length ? { state: [...states] } : {}),
    ...(filters.source === 'all' ? {} : { source: [filters.source] }),
    limit,
  };
}

/** What one read of the inbox showed: its entries' ids and when the newest of them came in. */
export interface InboxSnapshot {
  readonly ids: ReadonlySet<string>;
  readonly newest: number | null;
}

interface Listed {
  readonly id: string;
  readonly receivedAt: string;
}

export function snapshotOf(entries: readonly Listed[]): InboxSnapshot {
  const times = entries.map((entry) => Date.parse(entry.receivedAt)).filter((time) => !Number.isNaN(time));
  return { ids: new Set(entries.map((entry) => entry.id)), newest: times.length ? Math.max(...times) : null };
}

/**
 * The entries that arrived since `before` was read: not listed then, and received after its newest.
 * An entry that only moved into the filter (closed since, when closed ones are shown) did not arrive.
 * Nothing arrived on the first read (`before` null).
 */
export function newArrivals<T extends Listed>(before: InboxSnapshot | null, entries: readonly T[]): T[] {
  if (!before) return [];
  return entries.filter(
    (entry) => !before.ids.has(entry.id) && (before.newest === null || Date.parse(entry.receivedAt) > before.newest),
  );
}
