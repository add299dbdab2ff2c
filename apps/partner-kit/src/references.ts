import type { KitState } from './local-store';
import { KitError } from './settings';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The delivery an acknowledgement names. A person types what they read: the delivery id, the item
 * id, or the reference in the subject or STIX report (`[TLP:AMBER] alert 1a2b3c4d v2`, `1a2b3c4d`).
 * An item is acknowledged through its latest version the kit opened (or the version named).
 */
export function deliveryOf(state: KitState, reference: string): string {
  const text = reference.trim();
  if (UUID.test(text)) {
    const id = text.toLowerCase();
    if (state.deliveries[id] || !state.items[id]) return id;
    return latestDelivery(state, id, null);
  }
  const named = /(?:^|\s)([0-9a-f]{8,32})(?:\s+v(\d+))?\s*$/i.exec(text);
  if (!named)
    throw new KitError(`"${text}" names no item: give a reference such as 1a2b3c4d, an item id or a delivery id`);
  const prefix = named[1].toLowerCase();
  const matches = Object.keys(state.items).filter((itemId) => itemId.replace(/-/g, '').startsWith(prefix));
  if (matches.length === 0) throw new KitError(`no item pulled so far has the reference ${prefix}: run pull first`);
  if (matches.length > 1)
    throw new KitError(`${prefix} names ${matches.length} items (${matches.join(', ')}): give more digits`);
  return latestDelivery(state, matches[0], named[2] ? Number(named[2]) : null);
}

function latestDelivery(state: KitState, itemId: string, version: number | null): string {
  const steps = state.items[itemId].steps.filter(
    (step) => step.entry === 'item' && (version === null || step.version === version),
  );
  if (steps.length === 0) throw new KitError(`no version ${version ?? ''} of item ${itemId} was pulled`);
  return steps.reduce((latest, step) => (step.version > latest.version ? step : latest)).deliveryId;
}
