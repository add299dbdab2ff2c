import { describe, expect, it } from 'vitest';
import { matchesSearch, parseList } from './organisation-filter';

const ec3 = {
  name: 'Europol EC3',
  kind: 'lea',
  relation: 'peer',
  country: 'NL',
  status: 'active',
  communities: ['eu-lea'],
  accreditations: ['judicial-secret'],
};
const gendarmerie = {
  name: 'Gendarmerie — Unité Cyber',
  kind: 'lea',
  relation: 'constituent',
  country: null,
  status: 'suspended',
  communities: [],
  accreditations: [],
};

describe('matchesSearch', () => {
  it('finds an organisation by any of its words, in any case and without accents', () => {
    expect(matchesSearch(ec3, 'europol')).toBe(true);
    expect(matchesSearch(ec3, 'EU-LEA')).toBe(true);
    expect(matchesSearch(ec3, 'judicial')).toBe(true);
    expect(matchesSearch(ec3, 'nl')).toBe(true);
    expect(matchesSearch(gendarmerie, 'unite cyber')).toBe(true);
    expect(matchesSearch(gendarmerie, 'suspended')).toBe(true);
  });

  it('needs every word typed, and shows everything for an empty search', () => {
    expect(matchesSearch(ec3, 'europol constituent')).toBe(false);
    expect(matchesSearch(gendarmerie, 'gendarmerie constituent')).toBe(true);
    expect(matchesSearch(ec3, '   ')).toBe(true);
    expect(matchesSearch(gendarmerie, 'interpol')).toBe(false);
  });
});

describe('parseList', () => {
  it('reads entries separated by commas, semicolons or lines, trimmed, once each', () => {
    expect(parseList(' eu-lea, fr-cert ;eu-lea\n\n judicial-secret ')).toEqual([
      'eu-lea',
      'fr-cert',
      'judicial-secret',
    ]);
    expect(parseList('')).toEqual([]);
    expect(parseList(' , ')).toEqual([]);
  });
});
