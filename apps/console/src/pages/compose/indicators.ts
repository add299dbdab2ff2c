/**
 * Indicator lines pasted from a report: defanged forms written back (hxxp://, [.], [@]…), each line
 * classified by the shape of its value. Pure: no DOM, so it is tested on its own.
 */

import { INDICATOR_TYPES, IndicatorType } from '@tlp-broker/domain';

export { INDICATOR_TYPES };
export type { IndicatorType };

export interface PastedIndicator {
  type: IndicatorType;
  value: string;
  description: string;
}

/** A line that could not be read as an indicator, with its number (from 1) in the pasted text. */
export interface FlaggedLine {
  line: number;
  text: string;
}

export interface PastedLines {
  indicators: PastedIndicator[];
  flagged: FlaggedLine[];
  /** Lines that repeat an indicator seen earlier (in the text or already in the table). */
  duplicates: number;
}

const DEFANGED: [RegExp, string][] = [
  [/^hxxp(s?)(?=[:[])/i, 'http$1'],
  [/^fxp(?=[:[])/i, 'ftp'],
  [/\[:\/\/\]/g, '://'],
  [/\[:\]/g, ':'],
  [/\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}/gi, '.'],
  [/\[@\]|\(@\)|\{@\}|\[at\]|\(at\)|\{at\}/gi, '@'],
];

/** Writes a defanged indicator back in its usable form: hxxps[:]//evil[.]example → https://evil.example. */
export function refang(text: string): string {
  return DEFANGED.reduce((value, [pattern, replacement]) => value.replace(pattern, replacement), text.trim());
}

const HASHES: [IndicatorType, RegExp][] = [
  ['md5', /^[0-9a-f]{32}$/i],
  ['sha1', /^[0-9a-f]{40}$/i],
  ['sha256', /^[0-9a-f]{64}$/i],
];
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
// A DNS name of at least two labels, the last one starting with a letter (as the API checks it).
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const EMAIL = /^[^\s@"<>()[\],;:\\]{1,64}@([^\s@]+)$/;

function isIPv6(value: string): boolean {
  if (!value.includes(':') || !/^[0-9a-f:.]+$/i.test(value)) return false;
  try {
    // The URL parser checks the address (groups, "::" once, a trailing IPv4 part).
    new URL(`http://[${value}]/`);
    return true;
  } catch {
    return false;
  }
}

function isUrl(value: string): boolean {
  if (!/^(?:https?|ftp):\/\/[^\s/?#]+/i.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

function isDomain(value: string): boolean {
  return DOMAIN.test(value.toLowerCase().replace(/\.$/, ''));
}

/** The type of an indicator value (already refanged), or null when it has none of the known shapes. */
export function classifyIndicator(value: string): IndicatorType | null {
  const hash = HASHES.find(([, pattern]) => pattern.test(value));
  if (hash) return hash[0];
  if (IPV4.test(value)) return 'ipv4';
  if (isIPv6(value)) return 'ipv6';
  if (isUrl(value)) return 'url';
  const email = EMAIL.exec(value);
  if (email) return isDomain(email[1]) ? 'email' : null;
  return isDomain(value) ? 'domain' : null;
}

/** The value as the table keeps it: hashes and domains in lower case. */
function written(type: IndicatorType, value: string): string {
  return type === 'url' || type === 'email' ? value : value.toLowerCase().replace(/\.$/, '');
}

/** The indicator a line starts with (its first word, or what comes before a comma), and the rest as its description. */
function readLine(line: string): PastedIndicator | null {
  const [, first, rest = ''] = /^(\S+)\s*(.*)$/.exec(line)!;
  const candidates: [string, string][] = [[first.replace(/[,;]$/, ''), rest]];
  const separator = first.search(/[,;]/);
  if (separator > 0) candidates.push([first.slice(0, separator), `${first.slice(separator + 1)} ${rest}`]);
  for (const [word, description] of candidates) {
    const value = refang(word).replace(/^["'<(]+|["'>)]+$/g, '');
    const type = classifyIndicator(value);
    if (type) return { type, value: written(type, value), description: description.trim() };
  }
  return null;
}

/**
 * Reads pasted text line by line: the first word of a line is the indicator (refanged), the rest of
 * the line its description. Blank lines and lines starting with "#" are skipped; every other line
 * that is not an indicator is flagged, never dropped.
 */
export function classifyLines(text: string, existing: readonly { type: string; value: string }[] = []): PastedLines {
  const seen = new Set(existing.map((indicator) => `${indicator.type}:${indicator.value.trim()}`));
  const result: PastedLines = { indicators: [], flagged: [], duplicates: 0 };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const indicator = readLine(line);
    if (!indicator) {
      result.flagged.push({ line: index + 1, text: line });
      return;
    }
    const key = `${indicator.type}:${indicator.value}`;
    if (seen.has(key)) {
      result.duplicates += 1;
      return;
    }
    seen.add(key);
    result.indicators.push(indicator);
  });
  return result;
}
