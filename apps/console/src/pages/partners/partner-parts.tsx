import { useState } from 'react';
import { useDateTime } from '../../i18n/format';
import { Translate, useMessages } from '../../i18n/i18n';
import { groupFingerprint, KeyDates, keyHealth, KeyHealth, needsRenewal } from './key-health';
import { partnersMessages, PartnersKey } from './messages';

export type PartnersTranslate = Translate<PartnersKey>;

export function usePartnersMessages(): PartnersTranslate {
  return useMessages(partnersMessages);
}

/** The moment the screen was opened: days left are counted from it. */
export function useNow(): number {
  const [now] = useState(() => Date.now());
  return now;
}

/** A word from the API (kind, relation, channel kind, scope) in the user's language, or as is when unknown. */
export function word(t: PartnersTranslate, prefix: 'kind' | 'relation' | 'channel' | 'scope', value: string): string {
  const key = `${prefix}_${value}` as PartnersKey;
  const text = t(key);
  return text === undefined ? value : text;
}

/** A fingerprint in groups of four, monospace, as it is compared out of band. */
export function Fingerprint({ value }: { value: string | null | undefined }) {
  if (!value) return <>—</>;
  return <code className="mono partners-fingerprint">{groupFingerprint(value)}</code>;
}

/** Active or suspended, written out (the colour only repeats the word). */
export function PartnerStatus({ status }: { status: string }) {
  const t = usePartnersMessages();
  const text = status === 'suspended' ? t('statusSuspended') : status === 'active' ? t('statusActive') : status;
  return <span className={`state partners-status-${status}`}>{text}</span>;
}

/** The words for a key's health: "expires in 10 days", "Expired", "Revoked". */
export function healthText(t: PartnersTranslate, health: KeyHealth): string {
  switch (health.state) {
    case 'revoked':
      return t('revoked');
    case 'expired':
      return t('expired');
    case 'no-expiry':
      return t('noExpiry');
    case 'expiring':
      if (health.daysLeft === 0) return t('expiresToday');
      return health.daysLeft === 1 ? t('expiresInOneDay') : t('expiresInDays', { days: health.daysLeft });
    case 'valid':
      return t('daysLeft', { days: health.daysLeft });
  }
}

/** A key's expiry date and its state; flagged (class `warning`) when it needs renewal. */
export function KeyExpiry({ dates, now }: { dates: KeyDates | null; now: number }) {
  const t = usePartnersMessages();
  const date = useDateTime();
  if (!dates) return <>{t('noKey')}</>;
  const health = keyHealth(dates, now);
  return (
    <span className={needsRenewal(health) ? 'warning partners-key-flag' : undefined}>
      {dates.expiresAt !== null && health.state !== 'revoked' && <>{date(dates.expiresAt)} — </>}
      {healthText(t, health)}
    </span>
  );
}

/** A list of names (communities, accreditations), or a dash. */
export function Names({ values }: { values: readonly string[] }) {
  if (values.length === 0) return <>—</>;
  return <>{values.join(', ')}</>;
}
