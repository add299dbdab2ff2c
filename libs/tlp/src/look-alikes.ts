import unhomoglyph from 'unhomoglyph';

/**
 * Text compared against a fixed vocabulary (classification banners, caveat names) is compared as a
 * reader sees it, not as it is encoded: otherwise "SЕCRET" with a Cyrillic Е, "ＳＥＣＲＥＴ" in
 * fullwidth forms, "secret" in lower case or "SE\u200BCRET" with a zero-width space would each get
 * past a check that "SECRET" does not.
 */

/**
 * Characters that draw nothing (general category Cf: zero-width spaces and joiners, word joiner,
 * byte order mark, soft hyphen, bidirectional controls, tags…; and the other default-ignorable code
 * points: variation selectors, combining grapheme joiner, Hangul fillers…). They are read as a
 * word break: inside a word the vocabulary patterns skip them (see `lookAlikePattern`).
 */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
const MARKS = /\p{M}/gu;
const DASHES = /\p{Pd}/gu;
/** Every line break (CR LF counted once); confusables.txt would map U+2028 and U+2029 to a space. */
export const LINE_BREAK = /\r\n|[\n\v\f\r\u0085\u2028\u2029]/;
const LINE_BREAKS = new RegExp(LINE_BREAK.source, 'g');
const SPACES = /[^\S\n]/gu;

/**
 * `text` with every spelling of the same letters made equal: every line break read as "\n",
 * invisible characters and every other kind of space as " ", every kind of dash as "-", look-alike
 * letters replaced by their prototype from Unicode's confusables.txt (UTS #39, through
 * `unhomoglyph`), compatibility forms (fullwidth letters, ligatures…) decomposed as NFKC does,
 * accents dropped (also when stored decomposed), and case folded. Repeated until nothing changes,
 * since one step can reveal work for another (a capital that has a look-alike only in lower case, a
 * prototype that has a compatibility decomposition).
 *
 * Not meant to be shown: confusables.txt maps "I" to "l" and "m" to "rn"; patterns built by
 * `lookAlikePattern` account for that.
 */
export function foldLookAlikes(text: string): string {
  // Dashes and spaces first: confusables.txt maps some of them to letters (U+2014 to U+30FC). Marks
  // are dropped only after the look-alikes are mapped: some marks look like letters (U+0D02 like "o").
  let folded = text
    .replace(LINE_BREAKS, '\n')
    .replace(INVISIBLE, ' ')
    .replace(DASHES, '-')
    .replace(SPACES, ' ')
    .normalize('NFD');
  for (let round = 0; round < 4; round++) {
    const next = unhomoglyph(folded)
      .normalize('NFKD')
      .replace(MARKS, '')
      .replace(INVISIBLE, ' ')
      .replace(DASHES, '-')
      .replace(SPACES, ' ')
      .toLowerCase();
    if (next === folded) break;
    folded = next;
  }
  return folded;
}

/** What separates words once folded: spaces (and invisible characters), dashes, underscores. */
export const WORD_SEPARATOR = '[\\s\\p{Pd}\\p{Pc}]';
/** The end of a word in folded text. */
export const WORD_END = '(?![\\p{L}\\p{N}])';

/** Escapes the characters that have a meaning in a pattern (the only ones flag `u` lets one escape). */
const escape = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

/** Every folded form of one letter of the vocabulary, in either case ("i" gives "i" and "l"). */
function letterPattern(letter: string): string {
  const forms = [...new Set([letter.toLowerCase(), letter.toUpperCase()].map(foldLookAlikes))];
  // A multi-letter prototype ("rn" for "m") may have a separator inside it too.
  const alternatives = forms.map((form) => [...form].map(escape).join(`${WORD_SEPARATOR}*`));
  return alternatives.length === 1 ? alternatives[0] : `(?:${alternatives.join('|')})`;
}

/**
 * A regular expression source (flag `u`), to run on `foldLookAlikes` output, that matches `phrase`
 * however it was typed. Words of `phrase` are separated by spaces or hyphens; in the text they may
 * be separated by any run of spaces, dashes, underscores or invisible characters, and such
 * characters inside a word are skipped. Words must not be glued together ("TOPSECRET" is not
 * "TOP SECRET"). The caller adds anchors and word ends.
 */
export function lookAlikePattern(phrase: string): string {
  return phrase
    .split(/[\s-]+/)
    .filter((word) => word !== '')
    .map((word) => [...word].map(letterPattern).join(`${WORD_SEPARATOR}*`))
    .join(`${WORD_SEPARATOR}+`);
}
