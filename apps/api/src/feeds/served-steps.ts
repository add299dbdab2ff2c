import { FeedEntryHead, ServedDelivery } from '@tlp-broker/persistence';
import { servedHistory, StepView } from '@tlp-broker/stix';

/** A TLP:CLEAR item version served in the clear. */
export function inClear(head: FeedEntryHead): boolean {
  return head.entry === 'item' && head.tlp === 'TLP:CLEAR';
}

/** What an entry of the feed serves, as read from the entry itself. */
export function stepOfHead(head: FeedEntryHead): ServedDelivery {
  return {
    itemId: head.itemId,
    deliveryId: head.deliveryId,
    entry: head.entry,
    version: head.version,
    tlp: head.tlp,
    pap: head.entry === 'item' ? head.pap : null,
    severity: head.entry === 'item' ? head.severity : null,
    at: head.entry === 'recall' ? head.deliveredAt : head.versionCreatedAt,
    clearIndicators: inClear(head) ? head.indicators : [],
  };
}

/**
 * The steps served to the channel, by delivery: those its deliveries record, and every entry of
 * its feed, even one whose delivery reads otherwise (it was written when delivered).
 */
export function withEntries(
  delivered: readonly ServedDelivery[],
  heads: readonly FeedEntryHead[],
): Map<string, ServedDelivery> {
  const steps = new Map(delivered.map((step) => [step.deliveryId, step]));
  for (const head of heads) if (!steps.has(head.deliveryId)) steps.set(head.deliveryId, stepOfHead(head));
  return steps;
}

/**
 * How each step is served, by delivery: each item's history in order — a version, then the recall
 * that withdrew it (attached to the version that narrowed the audience, or to the latest on
 * retraction), then any later version.
 */
export function servedViews(steps: Iterable<ServedDelivery>): Map<string, StepView> {
  const byItem = new Map<string, ServedDelivery[]>();
  for (const step of steps) byItem.set(step.itemId, [...(byItem.get(step.itemId) ?? []), step]);
  const views = new Map<string, StepView>();
  for (const history of byItem.values()) {
    history.sort((a, b) => a.version - b.version || Number(a.entry === 'recall') - Number(b.entry === 'recall'));
    for (const view of servedHistory(history)) views.set(view.step.deliveryId, view);
  }
  return views;
}
