import { describe, expect, it } from 'vitest';
import { summariseDetails } from './audit-summary';

describe('summariseDetails', () => {
  it('keeps what a person reads and leaves out references and digests', () => {
    const parts = summariseDetails({
      itemVersionId: '0b5c7e0e-2c36-4d8e-9b1f-1e0e7f6d7a10',
      version: 2,
      tlp: 'TLP:AMBER',
      allowed: 12,
      denied: 3,
      decisionsDigest: 'ab12…',
    });
    expect(parts).toEqual([
      { key: 'version', value: '2' },
      { key: 'tlp', value: 'TLP:AMBER' },
      { key: 'allowed', value: '12' },
      { key: 'denied', value: '3' },
    ]);
  });

  it('skips empty values, counts lists of ids, lists short lists and nests objects', () => {
    const parts = summariseDetails({
      pap: null,
      caveats: [],
      notice: '',
      audience: {
        communities: ['eu-lea', 'fr-csirt'],
        organisations: ['0b5c7e0e-2c36-4d8e-9b1f-1e0e7f6d7a10', '1b5c7e0e-2c36-4d8e-9b1f-1e0e7f6d7a10'],
        contacts: [],
      },
      author: '0b5c7e0e-2c36-4d8e-9b1f-1e0e7f6d7a10',
    });
    expect(parts).toEqual([
      { key: 'audience', value: 'communities: eu-lea, fr-csirt; organisations: 2' },
      { key: 'author', value: '0b5c7e0e…' },
    ]);
  });

  it('writes times with the formatter given, and cuts long texts and lists', () => {
    const parts = summariseDetails(
      {
        releaseAt: '2026-12-01T08:00:00.000Z',
        reason: 'x'.repeat(300),
        communities: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
      },
      (iso) => `at ${iso.slice(0, 10)}`,
    );
    expect(parts[0]).toEqual({ key: 'releaseAt', value: 'at 2026-12-01' });
    expect(parts[1].value).toHaveLength(120);
    expect(parts[1].value.endsWith('…')).toBe(true);
    expect(parts[2]).toEqual({ key: 'communities', value: 'a, b, c, d, e (+2)' });
  });
});
