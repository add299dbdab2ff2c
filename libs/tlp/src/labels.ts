/**
 * TLP 2.0 labels (FIRST, August 2022). Output always uses these spellings.
 * Ordered from least to most restrictive: a higher rank never reaches further.
 */
export const TLP_LABELS = ['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'] as const;
export type TlpLabel = (typeof TLP_LABELS)[number];

export const PAP_LABELS = ['PAP:CLEAR', 'PAP:GREEN', 'PAP:AMBER', 'PAP:RED'] as const;
export type PapLabel = (typeof PAP_LABELS)[number];

export type LabelParseResult<T> = { ok: true; label: T } | { ok: false; error: string };

/** Older spellings accepted on input and what they mean in TLP 2.0. */
const TLP_ALIASES: Readonly<Record<string, TlpLabel>> = {
  CLEAR: 'TLP:CLEAR',
  WHITE: 'TLP:CLEAR', // TLP 1.0 and ISTLP 1.1
  GREEN: 'TLP:GREEN',
  AMBER: 'TLP:AMBER',
  'AMBER+STRICT': 'TLP:AMBER+STRICT',
  RED: 'TLP:RED',
};

/**
 * ISTLP 1.1 (Trusted Introducer) writes the colour alone. Its AMBER (need to know within the
 * community) has no exact TLP 2.0 equal: it is read as TLP:AMBER, and the broker's rules then
 * follow TLP 2.0.
 */
const ISTLP_WORDS: Readonly<Record<string, TlpLabel>> = {
  WHITE: 'TLP:CLEAR',
  GREEN: 'TLP:GREEN',
  AMBER: 'TLP:AMBER',
  RED: 'TLP:RED',
};

/** Every spelling each parser accepts, for error messages that say what would have been accepted. */
const orList = (words: readonly string[]) => `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
const TLP_SPELLINGS = `${orList(TLP_LABELS)} (TLP 1.0 TLP:WHITE and the ISTLP words ${orList(Object.keys(ISTLP_WORDS))} are accepted too, in any case)`;
const PAP_SPELLINGS = `${orList(PAP_LABELS)} (PAP:WHITE is accepted too, in any case)`;

const PAP_ALIASES: Readonly<Record<string, PapLabel>> = {
  CLEAR: 'PAP:CLEAR',
  WHITE: 'PAP:CLEAR',
  GREEN: 'PAP:GREEN',
  AMBER: 'PAP:AMBER',
  RED: 'PAP:RED',
};

/** The input upper-cased, blanks around ':' and '+' removed ("tlp : amber + strict"), or undefined if it is not ASCII. */
function compact(input: string): string | undefined {
  const trimmed = input.trim();
  // ASCII only: toUpperCase() would turn look-alikes such as "ı" (U+0131) or "ſ" (U+017F) into I and S.
  if (!/^[\x20-\x7e]*$/.test(trimmed)) return undefined;
  return trimmed.toUpperCase().replace(/\s*([:+])\s*/g, '$1');
}

function canonicalWord(input: string, prefix: 'TLP' | 'PAP'): string | undefined {
  const match = new RegExp(`^${prefix}:([A-Z+]+)$`).exec(compact(input) ?? '');
  return match?.[1];
}

/** Parses a TLP label written in TLP 2.0, TLP 1.0 or ISTLP 1.1 spelling; anything else is refused. */
export function parseTlpLabel(input: unknown): LabelParseResult<TlpLabel> {
  if (typeof input !== 'string' || input.trim() === '') {
    return { ok: false, error: `a TLP label is required: ${TLP_SPELLINGS}` };
  }
  const word = canonicalWord(input, 'TLP');
  const label = word === undefined ? ISTLP_WORDS[compact(input) ?? ''] : TLP_ALIASES[word];
  if (label === undefined) {
    return { ok: false, error: `"${input}" is not a TLP label: expected ${TLP_SPELLINGS}` };
  }
  return { ok: true, label };
}

/**
 * Parses a PAP label (CLEAR, GREEN, AMBER, RED; WHITE read as CLEAR). Always with its "PAP:"
 * prefix: PAP has no bare-word spelling, and a bare colour is a TLP label (ISTLP) sent in the
 * wrong field more often than a PAP one.
 */
export function parsePapLabel(input: unknown): LabelParseResult<PapLabel> {
  if (typeof input !== 'string' || input.trim() === '') {
    return { ok: false, error: `a PAP label must be ${PAP_SPELLINGS}` };
  }
  const word = canonicalWord(input, 'PAP');
  const label = word === undefined ? undefined : PAP_ALIASES[word];
  if (label === undefined) {
    return { ok: false, error: `"${input}" is not a PAP label: expected ${PAP_SPELLINGS}` };
  }
  return { ok: true, label };
}

export function isTlpLabel(value: unknown): value is TlpLabel {
  return typeof value === 'string' && (TLP_LABELS as readonly string[]).includes(value);
}

/** 0 for TLP:CLEAR up to 4 for TLP:RED. */
export function tlpRank(label: TlpLabel): number {
  return TLP_LABELS.indexOf(label);
}

/** Labels whose audience must be named explicitly. */
export function requiresNamedAudience(label: TlpLabel): boolean {
  return tlpRank(label) >= tlpRank('TLP:AMBER');
}
