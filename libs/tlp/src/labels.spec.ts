import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PAP_LABELS,
  TLP_LABELS,
  TlpLabel,
  isTlpLabel,
  parsePapLabel,
  parseTlpLabel,
  requiresNamedAudience,
  tlpRank,
} from './labels';

describe('parseTlpLabel', () => {
  it.each<[string, TlpLabel]>([
    // TLP 2.0 spellings, as written
    ['TLP:CLEAR', 'TLP:CLEAR'],
    ['TLP:GREEN', 'TLP:GREEN'],
    ['TLP:AMBER', 'TLP:AMBER'],
    ['TLP:AMBER+STRICT', 'TLP:AMBER+STRICT'],
    ['TLP:RED', 'TLP:RED'],
    // TLP 1.0 / ISTLP 1.1 spelling, normalised
    ['TLP:WHITE', 'TLP:CLEAR'],
    ['tlp:white', 'TLP:CLEAR'],
    // case
    ['tlp:clear', 'TLP:CLEAR'],
    ['Tlp:Green', 'TLP:GREEN'],
    ['tlp:amber', 'TLP:AMBER'],
    ['tlp:amber+strict', 'TLP:AMBER+STRICT'],
    ['tlp:Red', 'TLP:RED'],
    // blanks around the whole label and around ':' and '+'
    ['  TLP:RED  ', 'TLP:RED'],
    ['\tTLP:GREEN\n', 'TLP:GREEN'],
    ['TLP : AMBER', 'TLP:AMBER'],
    ['TLP: CLEAR', 'TLP:CLEAR'],
    ['TLP :WHITE', 'TLP:CLEAR'],
    ['tlp : amber + strict', 'TLP:AMBER+STRICT'],
    ['TLP:AMBER +STRICT', 'TLP:AMBER+STRICT'],
    ['TLP:AMBER+ STRICT', 'TLP:AMBER+STRICT'],
    // ISTLP 1.1 bare colour words, in any case, with blanks around them
    ['WHITE', 'TLP:CLEAR'],
    ['GREEN', 'TLP:GREEN'],
    ['AMBER', 'TLP:AMBER'],
    ['RED', 'TLP:RED'],
    ['white', 'TLP:CLEAR'],
    ['green', 'TLP:GREEN'],
    ['amber', 'TLP:AMBER'],
    ['red', 'TLP:RED'],
    ['Amber', 'TLP:AMBER'],
    ['rEd', 'TLP:RED'],
    ['  White\t', 'TLP:CLEAR'],
    ['\nGREEN ', 'TLP:GREEN'],
  ])('accepts %j as %s', (input, expected) => {
    expect(parseTlpLabel(input)).toEqual({ ok: true, label: expected });
  });

  it('always answers in TLP 2.0 spelling', () => {
    for (const input of ['TLP:WHITE', 'tlp:white', 'tlp : amber + strict', 'tlp:red']) {
      const result = parseTlpLabel(input);
      expect(result.ok).toBe(true);
      if (result.ok) expect(TLP_LABELS).toContain(result.label);
    }
  });

  it.each<[string, unknown]>([
    ['the empty string', ''],
    ['blanks only', '   \t '],
    ['undefined (missing)', undefined],
    ['null', null],
    ['a number', 3],
    ['a boolean', true],
    ['an object', { label: 'TLP:RED' }],
    ['an array', ['TLP:RED']],
  ])('refuses %s as missing, listing the valid labels', (_what, input) => {
    const result = parseTlpLabel(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toMatch(/required/);
      for (const label of TLP_LABELS) expect(result.error).toContain(label);
    }
  });

  it.each([
    'TLP:PURPLE',
    // bare words other than ISTLP's four colours: ISTLP has no CLEAR and no AMBER+STRICT
    'CLEAR',
    'clear',
    'AMBER+STRICT',
    'amber + strict',
    'STRICT',
    'PURPLE',
    'AMBER RED',
    'A MBER',
    'AMBER:',
    ':AMBER',
    'WHITE+STRICT',
    'ISTLP:AMBER',
    'TLP:AMBER STRICT',
    'TLP:AMBERSTRICT',
    'TLP:AMBER+',
    'TLP:+AMBER',
    'TLP:AMBER++STRICT',
    'TLP:STRICT+AMBER',
    'TLP:RED+STRICT',
    'TLP:GREEN+STRICT',
    'TLP:CLEAR+STRICT',
    'TLP:',
    'TLP',
    'TLP:AM BER',
    'TLP::RED',
    'TLP;RED',
    'TLP-RED',
    'TLP RED',
    'TLP:RED:RED',
    'TLP:RED TLP:AMBER',
    'PAP:RED',
    'PAP:AMBER',
    'xTLP:RED',
    'TLP:REDx',
    'TLP:AMBER+STRICT!',
    'TLP:1',
  ])('refuses %j and names it in the error', (input) => {
    const result = parseTlpLabel(input);
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) {
      expect(result.error).toContain(`"${input}"`);
      expect(result.error).toContain('not a TLP label');
      // tells the user what would have been accepted
      for (const label of TLP_LABELS) expect(result.error).toContain(label);
      expect(result.error).toContain('TLP:WHITE');
      expect(result.error).toContain('ISTLP words WHITE, GREEN, AMBER or RED');
    }
  });

  it('lists every accepted spelling when the label is missing', () => {
    const result = parseTlpLabel('');
    expect(result).toEqual({
      ok: false,
      error:
        'a TLP label is required: TLP:CLEAR, TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT or TLP:RED (TLP 1.0 TLP:WHITE and the ISTLP words WHITE, GREEN, AMBER or RED are accepted too, in any case)',
    });
  });

  it('reads the ISTLP words as their TLP 2.0 labels, and nothing else as an ISTLP word', () => {
    const words = fc.stringMatching(/^[ \t]{0,2}[A-Za-z+:]{1,7}[ \t]{0,2}$/);
    fc.assert(
      fc.property(words, (input) => {
        const word = input.trim().toUpperCase();
        const result = parseTlpLabel(input);
        const expected: Record<string, TlpLabel> = {
          WHITE: 'TLP:CLEAR',
          GREEN: 'TLP:GREEN',
          AMBER: 'TLP:AMBER',
          RED: 'TLP:RED',
        };
        if (word in expected) expect(result).toEqual({ ok: true, label: expected[word] });
        else if (!word.startsWith('TLP')) expect(result.ok).toBe(false);
      }),
      { numRuns: 2_000 },
    );
    for (const word of ['WHITE', 'GREEN', 'AMBER', 'RED']) {
      const cased = fc
        .sample(fc.tuple(...[...word].map((letter) => fc.constantFrom(letter, letter.toLowerCase()))), 20)
        .map((letters) => letters.join(''));
      for (const input of cased) expect(parseTlpLabel(` ${input} `).ok, input).toBe(true);
    }
  });
});

describe('parsePapLabel', () => {
  it.each([
    ['PAP:CLEAR', 'PAP:CLEAR'],
    ['PAP:GREEN', 'PAP:GREEN'],
    ['PAP:AMBER', 'PAP:AMBER'],
    ['PAP:RED', 'PAP:RED'],
    ['PAP:WHITE', 'PAP:CLEAR'],
    ['pap:white', 'PAP:CLEAR'],
    ['pap:green', 'PAP:GREEN'],
    ['  Pap : Amber ', 'PAP:AMBER'],
    ['pap :red', 'PAP:RED'],
  ])('accepts %j as %s', (input, expected) => {
    expect(parsePapLabel(input)).toEqual({ ok: true, label: expected });
  });

  it.each<[string, unknown]>([
    ['the empty string', ''],
    ['blanks only', '  '],
    ['undefined (missing)', undefined],
    ['null', null],
    ['a number', 2],
  ])('refuses %s, listing the valid labels', (_what, input) => {
    const result = parsePapLabel(input);
    expect(result.ok).toBe(false);
    if (!result.ok) for (const label of PAP_LABELS) expect(result.error).toContain(label);
  });

  // A bare colour is an ISTLP TLP label, not a PAP one: PAP is always written with its prefix.
  it.each([
    'PAP:PURPLE',
    'PAP:AMBER+STRICT',
    'AMBER',
    'amber',
    'WHITE',
    'GREEN',
    'red',
    'TLP:AMBER',
    'PAP:AMBER STRICT',
    'PAP:',
    'PAP RED',
    'PAP:RED+',
  ])('refuses %j and names it in the error', (input) => {
    const result = parsePapLabel(input);
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) {
      expect(result.error).toContain(`"${input}"`);
      expect(result.error).toContain('not a PAP label');
      for (const label of PAP_LABELS) expect(result.error).toContain(label);
      expect(result.error).toContain('PAP:WHITE');
    }
  });
});

describe('tlpRank', () => {
  it('orders the labels from least to most restrictive', () => {
    expect(TLP_LABELS.map(tlpRank)).toEqual([0, 1, 2, 3, 4]);
    expect(tlpRank('TLP:CLEAR')).toBe(0);
    expect(tlpRank('TLP:RED')).toBe(4);
  });

  it.each<[TlpLabel, TlpLabel]>([
    ['TLP:CLEAR', 'TLP:GREEN'],
    ['TLP:GREEN', 'TLP:AMBER'],
    ['TLP:AMBER', 'TLP:AMBER+STRICT'],
    ['TLP:AMBER+STRICT', 'TLP:RED'],
    ['TLP:CLEAR', 'TLP:RED'],
  ])('%s ranks below %s', (lower, higher) => {
    expect(tlpRank(lower)).toBeLessThan(tlpRank(higher));
  });

  it('ranks TLP:WHITE (once parsed) with TLP:CLEAR', () => {
    const white = parseTlpLabel('TLP:WHITE');
    expect(white.ok && tlpRank(white.label)).toBe(tlpRank('TLP:CLEAR'));
  });
});

describe('requiresNamedAudience', () => {
  it.each<[TlpLabel, boolean]>([
    ['TLP:CLEAR', false],
    ['TLP:GREEN', false],
    ['TLP:AMBER', true],
    ['TLP:AMBER+STRICT', true],
    ['TLP:RED', true],
  ])('%s → %s', (label, expected) => {
    expect(requiresNamedAudience(label)).toBe(expected);
  });
});

describe('isTlpLabel', () => {
  it('accepts only the exact TLP 2.0 spellings', () => {
    for (const label of TLP_LABELS) expect(isTlpLabel(label)).toBe(true);
    for (const value of ['TLP:WHITE', 'tlp:red', ' TLP:RED', 'TLP:AMBER STRICT', '', undefined, null, 4]) {
      expect(isTlpLabel(value)).toBe(false);
    }
  });
});

describe('look-alike characters', () => {
  // toUpperCase() maps "ı" (U+0131) to "I" and "ſ" (U+017F) to "S": such input must not pass as a label.
  it.each(['tlp:whıte', 'tlp:amber+ſtrict', 'TLP:ＲＥＤ', 'TLP:GREEN\u200b'])('refuses %j', (value) => {
    expect(parseTlpLabel(value).ok).toBe(false);
  });

  // Bare ISTLP words too: Greek Α, Cyrillic Е, fullwidth forms, a zero-width space, dotless ı.
  it.each(['\u0391MBER', 'GR\u0415\u0415N', 'ＲＥＤ', 'red\u200b', '\u200bAMBER', 'whıte', 'AM\u00adBER'])(
    'refuses the ISTLP word written %j',
    (value) => {
      const result = parseTlpLabel(value);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toContain('not a TLP label');
    },
  );

  it('refuses a PAP label written with look-alikes', () => {
    expect(parsePapLabel('pap:whıte').ok).toBe(false);
  });
});
