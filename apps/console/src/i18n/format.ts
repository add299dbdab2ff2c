import { useCallback } from 'react';
import { usePreferences } from './i18n';

const LOCALES = { en: 'en-GB', fr: 'fr-FR' } as const;

/** A date and time in the user's zone, with the zone written out: "30 Nov 2026, 08:55 CET". */
export function formatDateTime(value: string | Date, language: 'en' | 'fr', timeZone: string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return String(value);
  // The fields one by one: `dateStyle`/`timeStyle` cannot be combined with `timeZoneName` (a TypeError).
  return new Intl.DateTimeFormat(LOCALES[language], {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
    timeZoneName: 'short',
  }).format(date);
}

/** Formats dates as the user chose (language and time zone); null and undefined read as "—". */
export function useDateTime(): (value: string | Date | null | undefined) => string {
  const { language, timeZone } = usePreferences();
  return useCallback(
    (value) => (value === null || value === undefined ? '—' : formatDateTime(value, language, timeZone)),
    [language, timeZone],
  );
}

/**
 * The `datetime-local` value for an instant in the user's zone, and back: embargo times are typed in
 * the zone shown beside the field, not in the browser's.
 */
export function toLocalInput(value: string | Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(typeof value === 'string' ? new Date(value) : value);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}`;
}

export function fromLocalInput(local: string, timeZone: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number);
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  // The zone's offset at that moment, found by formatting the guess back in the zone.
  const shown = toLocalInput(new Date(guess), timeZone);
  const [, sy, smo, sd, sh, smi] = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(shown)!.map(Number);
  const offset = Date.UTC(sy, smo - 1, sd, sh, smi) - guess;
  return new Date(guess - offset);
}
