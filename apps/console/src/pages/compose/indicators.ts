/**
 * Indicator lines pasted from a report: defanged forms written back (hxxp://, [.], [@]…), each line
 * classified by the shape of its value (the rules shared with the broker, in @tlp-broker/domain).
 * Pure: no DOM, so it is tested on its own.
 */

import { INDICATOR_TYPES, IndicatorType, canonicalIndicatorValue, classifyIndicator, refang } from '@tlp-broker/domain';

export { INDICATOR_TYPES, classifyIndicator, refang };
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

/** The indicator a line starts with (its first word, or what comes before a comma), and the rest as its description. */
function readLine(line: string): PastedIndicator | null {
  const [, first, rest = ''] = /^(\S+)\s*(.*)$/.exec(line)!;
  const candidates: [string, string][] = [[first.replace(/[,;]$/, ''), rest]];
  const separator = first.search(/[,;]/);
  if (separator > 0) candidates.push([first.slice(0, separator), `${first.slice(separator + 1)} ${rest}`]);
  for (const [word, description] of candidates) {
    const value = refang(word).replace(/^["'<(]+|["'>)]+$/g, '');
    const type = classifyIndicator(value);
    if (type) return { type, value: canonicalIndicatorValue(type, value), description: description.trim() };
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
