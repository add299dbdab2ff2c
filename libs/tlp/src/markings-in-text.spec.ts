import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PAP_LABELS, PapLabel, TLP_LABELS, TlpLabel, tlpRank } from './labels';
import { readMarkings, strictestPap, strictestTlp } from './markings-in-text';

describe('readMarkings', () => {
  it.each<[string, TlpLabel]>([
    ['[TLP:AMBER+STRICT] Phishing campaign against the ministry', 'TLP:AMBER+STRICT'],
    ['TLP:CLEAR', 'TLP:CLEAR'],
    ['TLP:WHITE - public advisory', 'TLP:CLEAR'],
    ['Classification: TLP: AMBER', 'TLP:AMBER'],
    ['[TLP:RED] incident at a hospital', 'TLP:RED'],
    ['TLP-GREEN: scanner list', 'TLP:GREEN'],
    ['TLP_GREEN scanner list', 'TLP:GREEN'],
    ['TLP AMBER', 'TLP:AMBER'],
    ['sharing: tlp:amber', 'TLP:AMBER'],
    ['(TLP:AMBER + STRICT)', 'TLP:AMBER+STRICT'],
    ['TLP:AMBER+STRICT.', 'TLP:AMBER+STRICT'],
    ['Tlp : Red', 'TLP:RED'],
    ['TLP:\u00a0GREEN', 'TLP:GREEN'],
  ])('reads %j as %s', (text, label) => {
    expect(readMarkings(text).tlp).toBe(label);
  });

  it.each([
    'The amber alert was red-flagged by the green team',
    'TLPAMBER',
    'xTLP:RED',
    'TLP:REDACTED',
    'TLP:ORANGE',
    'TLP:\nRED',
    'TLP:AMBERSTRICT',
    'PAP:AMBER only',
    '',
  ])('finds no TLP label in %j', (text) => {
    expect(readMarkings(text).tlp).toBeNull();
  });

  it('takes the most restrictive label of all texts, and lists the spellings seen', () => {
    const result = readMarkings('Report [TLP:GREEN]', 'Details below are TLP:RED.\nThe rest is tlp:clear, PAP:AMBER');
    expect(result).toEqual({
      tlp: 'TLP:RED',
      pap: 'PAP:AMBER',
      found: ['TLP:GREEN', 'TLP:RED', 'tlp:clear', 'PAP:AMBER'],
    });
  });

  it('lists a spelling once however often it is written', () => {
    expect(readMarkings('TLP:AMBER TLP:AMBER', 'TLP:AMBER').found).toEqual(['TLP:AMBER']);
  });

  it.each<[string, PapLabel | null]>([
    ['PAP:AMBER', 'PAP:AMBER'],
    ['pap: white', 'PAP:CLEAR'],
    ['PAP:GREEN and PAP:RED', 'PAP:RED'],
    ['PAP-CLEAR', 'PAP:CLEAR'],
    ['PAP:AMBER+STRICT', null],
    ['TLP:AMBER', null],
  ])('reads PAP in %j as %s', (text, label) => {
    expect(readMarkings(text).pap).toBe(label);
  });

  it.each<[string, TlpLabel]>([
    ['TLP\uff1aAMBER', 'TLP:AMBER'], // fullwidth colon
    ['TLP\u2013RED', 'TLP:RED'], // en dash
    ['TLP:\u0410MBER', 'TLP:AMBER'], // Cyrillic А
    ['TLP:R\u200bED', 'TLP:RED'], // zero-width space
    ['Rapport d’incident — TLP:RED', 'TLP:RED'],
  ])('reads the look-alike spelling %j as %s', (text, label) => {
    expect(readMarkings(text).tlp).toBe(label);
  });

  it('lists each label of a text mixing plain and look-alike lines once', () => {
    expect(readMarkings('Résumé de l’incident\nTLP:AMBER\nTLP\uff1aRED — PAP:GREEN')).toEqual({
      tlp: 'TLP:RED',
      pap: 'PAP:GREEN',
      found: ['TLP:AMBER', 'TLP:RED', 'PAP:GREEN'],
    });
  });

  it('does not let a look-alike lower label hide a plain higher one on another line', () => {
    expect(readMarkings('Résumé TLP:CLEAR\nTLP:RED').tlp).toBe('TLP:RED');
  });

  it('reads a label at the end of a 10 MB text in bounded time', () => {
    const text = `${'amber, TLP; red tlp: a.b.c\n'.repeat(400_000)}TLP:RED`;
    const started = Date.now();
    expect(readMarkings(text)).toEqual({ tlp: 'TLP:RED', pap: null, found: ['TLP:RED'] });
    expect(readMarkings(`é${text.replaceAll('\n', 'é\n')}`).tlp).toBe('TLP:RED');
    // Generous under load: what this guards against is work growing faster than the text.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('ignores what is not text', () => {
    expect(readMarkings(undefined as unknown as string, 'TLP:GREEN').tlp).toBe('TLP:GREEN');
  });

  it('always answers with the most restrictive of the labels written, whatever surrounds them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...TLP_LABELS), { minLength: 1, maxLength: 5 }),
        fc.array(fc.constantFrom(' ', '\n', ' report ', ', ', '[', ']'), { minLength: 6, maxLength: 6 }),
        (labels, fillers) => {
          const text = labels.map((label, index) => `${fillers[index]}${label}`).join(fillers[5]);
          const strictest = [...labels].sort((a, b) => tlpRank(b) - tlpRank(a))[0];
          expect(readMarkings(text).tlp).toBe(strictest);
        },
      ),
    );
  });
});

describe('strictestTlp and strictestPap', () => {
  it('order labels from CLEAR to RED, null being no label', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TLP_LABELS, null), fc.constantFrom(...TLP_LABELS, null), (a, b) => {
        const result = strictestTlp(a, b);
        expect(result).toBe(strictestTlp(b, a));
        if (a !== null) expect(tlpRank(result!)).toBeGreaterThanOrEqual(tlpRank(a));
        if (a === null && b === null) expect(result).toBeNull();
      }),
    );
    expect(strictestPap('PAP:GREEN', 'PAP:AMBER')).toBe('PAP:AMBER');
    expect(strictestPap(null, 'PAP:CLEAR')).toBe('PAP:CLEAR');
    expect(PAP_LABELS.reduce<PapLabel | null>(strictestPap, null)).toBe('PAP:RED');
  });
});
