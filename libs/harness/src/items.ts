import { HANDED_OVER_DELIVERY_STATES, type DeliveryKind, type ItemKind } from '@tlp-broker/domain';

/** Delivered to a feed or webhook, or accepted by the mail server. */
const handedOver = (state: string | undefined): boolean =>
  (HANDED_OVER_DELIVERY_STATES as readonly (string | undefined)[]).includes(state);
import { call, eventually } from './http';

/** What POST /items takes besides the title and label (the body defaults to a short text). */
export interface ItemSpec {
  readonly title: string;
  readonly tlp: string;
  readonly type?: ItemKind;
  readonly audience?: {
    communities?: readonly string[];
    organisations?: readonly string[];
    contacts?: readonly string[];
  };
  readonly [field: string]: unknown;
}

export interface PublishedItem {
  readonly id: string;
  readonly version: number;
  readonly tlp: string;
  readonly title: string;
  readonly state: string;
}

export function itemBody(spec: ItemSpec): Record<string, unknown> {
  const { title, tlp, audience = {}, type = 'advisory', ...rest } = spec;
  return { type, title, body: `Body of ${title}`, tlp, audience, ...rest };
}

/** Publishes as the analyst whose key is given; throws unless the broker answers 201. */
export function publishItem(base: string, analystKey: string, spec: ItemSpec): Promise<PublishedItem> {
  return call<PublishedItem>(base, 'POST', '/items', { key: analystKey, json: itemBody(spec) });
}

/** A decision as GET /items/:id/decisions shows it. */
export interface DecisionView {
  readonly organisationId: string;
  readonly organisation: string;
  readonly contactId: string | null;
  readonly contact: string | null;
  readonly channelId: string;
  readonly allow: boolean;
  readonly code: string;
  readonly reason: string;
  readonly handling: string | null;
  readonly keyFingerprint: string | null;
  readonly delivery: { readonly id: string; readonly state: string; readonly attempts: number } | null;
}

/** Waits until the item's current version is routed and every allowed delivery has left; returns the decisions. */
export async function waitForRouting(
  base: string,
  key: string,
  itemId: string,
  timeoutMs = 30_000,
): Promise<DecisionView[]> {
  return eventually(
    async () => {
      const result = await call<{ routed: boolean; decisions: DecisionView[] }>(
        base,
        'GET',
        `/items/${itemId}/decisions`,
        { key },
      );
      const settled =
        result.routed && result.decisions.filter((d) => d.allow).every((d) => handedOver(d.delivery?.state));
      return settled ? result.decisions : undefined;
    },
    timeoutMs,
    100,
    `item ${itemId} routed and delivered`,
  );
}

/** Waits until the item has exactly `count` deliveries (of `kind`, default every kind), all delivered; returns them. */
export async function waitForDeliveries<
  T extends { state: string } = { state: string; kind: string; channelId: string },
>(
  base: string,
  key: string,
  itemId: string,
  count: number,
  options: { kind?: DeliveryKind; timeoutMs?: number } = {},
): Promise<T[]> {
  const query = options.kind ? `&kind=${options.kind}` : '';
  return eventually(
    async () => {
      const rows = await call<T[]>(base, 'GET', `/deliveries?item=${itemId}${query}`, { key });
      return rows.length === count && rows.every((row) => row.state === 'delivered') ? rows : undefined;
    },
    options.timeoutMs ?? 30_000,
    50,
    `${count} deliveries of item ${itemId} delivered`,
  );
}

/** Waits until `count` recall notices of the item have been delivered. */
export async function waitForRecalls(
  base: string,
  key: string,
  itemId: string,
  count: number,
  timeoutMs = 30_000,
): Promise<void> {
  await eventually(
    async () => {
      const rows = await call<{ state: string }[]>(base, 'GET', `/deliveries?item=${itemId}&kind=recall`, { key });
      return rows.filter((row) => handedOver(row.state)).length >= count;
    },
    timeoutMs,
    100,
    `${count} recall notice(s) of item ${itemId} delivered`,
  );
}

/** The item ids in a partner's JSON feed (entries of kind `item`), newest first. */
export async function feedItemIds(base: string, feedKey: string): Promise<string[]> {
  const feed = await call<{ entries: { itemId: string; entry: string }[] }>(base, 'GET', '/feed', { key: feedKey });
  return feed.entries.filter((entry) => entry.entry === 'item').map((entry) => entry.itemId);
}
