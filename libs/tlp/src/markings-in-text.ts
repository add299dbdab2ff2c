import { PAP_LABELS, parsePapLabel, parseTlpLabel, tlpRank } from './labels';
import type { PapLabel, TlpLabel } from './labels';
import { foldLookAlikes, LINE_BREAK, lookAlikePattern, WORD_END } from './look-alikes';

/** Labels written in free text (an e-mail subject or body, a report). */
export interface MarkingsInText {
  /** The most restrictive TLP label found, in TLP 2.0 spelling, or null. */
  readonly tlp: TlpLabel | null;
  /** The most restrictive PAP label found, or null. */
  readonly pap: PapLabel | null;
  /** The spellings seen, in order of appearance, each once (look-alike spellings as they read). */
  readonly found: string[];
}

const MAX_FOUND = 20;
/**
 * Folding look-alikes costs about half a microsecond a character: only this much of the lines that
 * hold characters other than printable ASCII is folded, the rest is read as plain ASCII.
 */
const FOLD_BUDGET = 64 * 1024;
const MAX_FOLDED_LINE = 4 * 1024;

const COLOURS = ['amber+strict', 'clear', 'white', 'green', 'amber', 'red'] as const;

/**
 * "TLP:AMBER", "tlp: amber", "[TLP:RED]", "TLP-GREEN", "TLP_GREEN", "TLP AMBER", "TLP:AMBER + STRICT".
 * The prefix is required: "amber" alone is an ordinary word. Bounded quantifiers only, so a scan
 * stays linear however long the text.
 */
const GAP = '[^\\S\\r\\n]';
const SEPARATOR = `(?:${GAP}{0,3}[:\\-_]${GAP}{0,3}|${GAP}{1,3})`;
const PLAIN = new RegExp(
  `(?<![A-Za-z0-9])(TLP|PAP)${SEPARATOR}(AMBER${GAP}{0,3}\\+${GAP}{0,3}STRICT|CLEAR|WHITE|GREEN|AMBER|RED)(?![A-Za-z0-9])`,
  'gi',
);

/** The same on `foldLookAlikes` text: "TLP：AMBER" (fullwidth colon), "TLP–RED", a Cyrillic "А"… */
const colourPattern = (colour: string) =>
  colour
    .split('+')
    .map((word) => lookAlikePattern(word))
    .join('[ _]{0,3}\\+[ _]{0,3}');
const FOLDED = new RegExp(
  `(?<![\\p{L}\\p{N}])(${lookAlikePattern('tlp')}|${lookAlikePattern('pap')})(?:[ _]{0,3}[:\\-][ _]{0,3}|[ _]{1,3})` +
    `(?:${COLOURS.map((colour) => `(${colourPattern(colour)})`).join('|')})${WORD_END}`,
  'gu',
);
const TLP_PREFIX = new RegExp(`^${lookAlikePattern('tlp')}$`, 'u');
const NOT_PRINTABLE_ASCII = /[^\t\n\r\x20-\x7e]/;

type Seen = { tlp: TlpLabel | null; pap: PapLabel | null; found: Set<string> };

/** The more restrictive of two TLP labels (null when neither is set). */
export function strictestTlp(a: TlpLabel | null, b: TlpLabel | null): TlpLabel | null {
  if (a === null || b === null) return a ?? b;
  return tlpRank(b) > tlpRank(a) ? b : a;
}

/** The more restrictive of two PAP labels (null when neither is set). */
export function strictestPap(a: PapLabel | null, b: PapLabel | null): PapLabel | null {
  if (a === null || b === null) return a ?? b;
  return PAP_LABELS.indexOf(b) > PAP_LABELS.indexOf(a) ? b : a;
}

function note(seen: Seen, prefix: 'TLP' | 'PAP', colour: string, spelling: string): void {
  if (prefix === 'TLP') {
    const parsed = parseTlpLabel(`TLP:${colour}`);
    if (parsed.ok) seen.tlp = strictestTlp(seen.tlp, parsed.label);
  } else {
    const parsed = parsePapLabel(`PAP:${colour}`);
    if (!parsed.ok) return; // "PAP:AMBER+STRICT" is no PAP label
    seen.pap = strictestPap(seen.pap, parsed.label);
  }
  if (seen.found.size < MAX_FOUND) seen.found.add(spelling);
}

function readPlain(text: string, seen: Seen): void {
  for (const match of text.matchAll(PLAIN)) {
    note(seen, match[1].toUpperCase() === 'TLP' ? 'TLP' : 'PAP', match[2], match[0]);
  }
}

function readFolded(line: string, seen: Seen): void {
  for (const match of foldLookAlikes(line).matchAll(FOLDED)) {
    const colour = COLOURS[match.slice(2).findIndex((group) => group !== undefined)];
    note(seen, TLP_PREFIX.test(match[1]) ? 'TLP' : 'PAP', colour, match[0].toUpperCase());
  }
}

/**
 * Reads `text` plainly, except its lines holding other characters than printable ASCII, which are
 * folded first while the budget lasts. The plain parts are read in as few calls as possible.
 */
function readText(text: string, seen: Seen, budget: { left: number }): void {
  const breaks = new RegExp(LINE_BREAK.source, 'g');
  let plainFrom = 0;
  let lineStart = 0;
  while (budget.left > 0) {
    const next = breaks.exec(text);
    const lineEnd = next ? next.index : text.length;
    const line = text.slice(lineStart, lineEnd);
    if (line.length <= Math.min(MAX_FOLDED_LINE, budget.left) && NOT_PRINTABLE_ASCII.test(line)) {
      budget.left -= line.length;
      readPlain(text.slice(plainFrom, lineStart), seen);
      readFolded(line, seen);
      plainFrom = lineEnd;
    }
    if (!next) break;
    lineStart = next.index + next[0].length;
  }
  readPlain(text.slice(plainFrom), seen);
}

/**
 * The TLP and PAP labels written in `texts`, in TLP 2.0 spelling (TLP:WHITE read as TLP:CLEAR,
 * PAP:WHITE as PAP:CLEAR). Several labels: the most restrictive of each wins, since a sender who
 * wrote TLP:RED anywhere meant at least that.
 */
export function readMarkings(...texts: string[]): MarkingsInText {
  const seen: Seen = { tlp: null, pap: null, found: new Set() };
  const budget = { left: FOLD_BUDGET };
  for (const text of texts) {
    if (typeof text !== 'string') continue;
    if (NOT_PRINTABLE_ASCII.test(text)) readText(text, seen, budget);
    else readPlain(text, seen);
  }
  return { tlp: seen.tlp, pap: seen.pap, found: [...seen.found] };
}
