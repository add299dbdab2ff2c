/**
 * A delivery's life: `queued`, `sending` once handed to its channel, then `delivered` (feed,
 * webhook) or `sent` (accepted by the mail server); `failed` between retries, `dead` when no
 * attempt is left, `cancelled` when the rules, a retraction or a newer version stopped it before it
 * left, `recalled` once a recall notice for it was delivered.
 */
export const DELIVERY_STATES = [
  'queued',
  'sending',
  'sent',
  'delivered',
  'failed',
  'dead',
  'recalled',
  'cancelled',
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** Not yet final: may still be (re)sent. `sending` = handed to the channel, outcome not yet recorded. */
export const OPEN_DELIVERY_STATES = ['queued', 'failed', 'sending'] as const satisfies readonly DeliveryState[];
export function isOpenDeliveryState(state: DeliveryState): boolean {
  return (OPEN_DELIVERY_STATES as readonly DeliveryState[]).includes(state);
}

/** Open and not yet handed to a channel: what an update or a retraction may still cancel. */
export const CANCELLABLE_DELIVERY_STATES = ['queued', 'failed'] as const satisfies readonly DeliveryState[];
/** Reached the recipient (or its mail server): what a recall withdraws. */
export const HANDED_OVER_DELIVERY_STATES = ['sent', 'delivered'] as const satisfies readonly DeliveryState[];

/**
 * `item`: a version of the item itself; `recall`: a notice that earlier copies must be withdrawn;
 * `reminder`: an urgent item sent again to an on-call channel because no one acknowledged it in
 * time (pushed channels only: a feed is never sent a reminder). Feed entries use the first two words.
 */
export const DELIVERY_KINDS = ['item', 'recall', 'reminder'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

/** How a recipient acknowledged an urgent item: its feed API, the one-time link in the message, or a signed reply. */
export const ACKNOWLEDGEMENT_WAYS = ['feed', 'link', 'signed-reply'] as const;
export type AcknowledgementWay = (typeof ACKNOWLEDGEMENT_WAYS)[number];
