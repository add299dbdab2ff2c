import { StateBadge } from '../../components/common';
import { Translate, useMessages } from '../../i18n/i18n';
import { FieldWord, fieldMessages } from './messages';

type WordKind = 'type' | 'state' | 'delivery' | 'severity';

/** The user's word for an item type, item state, delivery state or severity; the API's word if there is none. */
export function wordFor(t: Translate<FieldWord>, kind: WordKind, value: string): string {
  const key = `${kind}.${value}`;
  return key in fieldMessages.en ? t(key as FieldWord) : value;
}

export function ItemStateBadge({ state }: { state: string }) {
  const t = useMessages(fieldMessages);
  return <StateBadge state={state} label={wordFor(t, 'state', state)} />;
}

export function DeliveryStateBadge({ state }: { state: string }) {
  const t = useMessages(fieldMessages);
  return <StateBadge state={state} label={wordFor(t, 'delivery', state)} />;
}
