/**
 * How far an item's deliveries have gone, as the item page sums them up ("12 of 14 delivered,
 * 2 queued"), and whether the page should keep watching them. Pure: no DOM.
 */

/** A delivery's states, in the order the summary names them. */
export const DELIVERY_STATE_ORDER = [
  'delivered',
  'sent',
  'sending',
  'queued',
  'failed',
  'dead',
  'cancelled',
  'recalled',
] as const;
export type DeliveryState = (typeof DELIVERY_STATE_ORDER)[number];

/** Not settled yet: the dispatcher may still (re)send it. */
export const OPEN_DELIVERY_STATES: readonly string[] = ['queued', 'sending', 'failed'];

export interface DeliveryProgress {
  /** Deliveries counted (one per allowed partner channel that has one). */
  total: number;
  delivered: number;
  /** The other states that occur, with their counts, in DELIVERY_STATE_ORDER. */
  others: { state: string; count: number }[];
  /** Some delivery may still change by itself. */
  open: boolean;
}

/** Counts deliveries by state; states the console does not know are listed after the known ones. */
export function deliveryProgress(states: readonly string[]): DeliveryProgress {
  const counts = new Map<string, number>();
  for (const state of states) counts.set(state, (counts.get(state) ?? 0) + 1);
  const known: readonly string[] = DELIVERY_STATE_ORDER;
  const order = [...known, ...[...counts.keys()].filter((state) => !known.includes(state)).sort()];
  return {
    total: states.length,
    delivered: counts.get('delivered') ?? 0,
    others: order
      .filter((state) => state !== 'delivered' && counts.has(state))
      .map((state) => ({ state, count: counts.get(state)! })),
    open: states.some((state) => OPEN_DELIVERY_STATES.includes(state)),
  };
}

/** "12 of 14 delivered, 2 queued", given the words for "{delivered} of {total} delivered" and for each state. */
export function progressSentence(
  progress: DeliveryProgress,
  words: { delivered: (delivered: number, total: number) => string; state: (state: string, count: number) => string },
): string {
  return [
    words.delivered(progress.delivered, progress.total),
    ...progress.others.map(({ state, count }) => words.state(state, count)),
  ].join(', ');
}

export interface WatchedItem {
  /** The item's state (draft, pending-approval, scheduled, published, retracted). */
  state: string;
  /** Whether its current version was routed (decisions stored, deliveries created). */
  routed: boolean;
  /** Its deliveries' states, items and recall notices alike. */
  deliveryStates: readonly string[];
}

/** Every second while something is on its way; every few seconds while the item waits for approval or its embargo. */
export const LIVE_INTERVAL_MS = 1_000;
export const WAITING_INTERVAL_MS = 5_000;

/**
 * How often the item page reads the item's deliveries again, or false once nothing can change by
 * itself: every delivery settled, and the item routed (or never to be, being a draft or retracted).
 */
export function refreshInterval(item: WatchedItem | undefined): number | false {
  if (!item) return false;
  if (item.deliveryStates.some((state) => OPEN_DELIVERY_STATES.includes(state))) return LIVE_INTERVAL_MS;
  if (item.routed) return false;
  switch (item.state) {
    case 'published':
      return LIVE_INTERVAL_MS;
    case 'pending-approval':
    case 'scheduled':
      return WAITING_INTERVAL_MS;
    default:
      return false;
  }
}
