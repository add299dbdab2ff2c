import { describe, expect, it } from 'vitest';
import { baseVersion, diffLines, diffVersions, DiffVersion, foldUnchanged, LineChange } from './version-diff';

const released: DiffVersion = {
  version: 1,
  title: 'Phishing campaign impersonating the police',
  summary: 'Mails ask for a fine to be paid.',
  body: 'First line\nSecond line\nThird line',
  tlp: 'TLP:GREEN',
  pap: null,
  severity: 'medium',
  audience: { communities: ['eu-lea'], organisations: [], contacts: [] },
  caveats: [],
  indicators: [
    { type: 'domain', value: 'police-fines.example' },
    { type: 'ipv4', value: '203.0.113.7', description: 'Landing page' },
  ],
  provenance: null,
  releaseAt: null,
};

describe('diffVersions', () => {
  it('finds nothing changed between a version and itself', () => {
    const diff = diffVersions(released, { ...released, version: 2 });
    expect(diff.changes).toEqual([]);
    expect(diff.unchanged).toHaveLength(11);
  });

  it('lists each changed field once, in reading order, and names the unchanged ones', () => {
    const pending: DiffVersion = {
      ...released,
      version: 2,
      tlp: 'TLP:AMBER',
      title: 'Phishing campaign impersonating the gendarmerie',
      audience: { communities: [], organisations: ['org-1'], contacts: [] },
    };
    const diff = diffVersions(released, pending);
    expect(diff.changes.map((change) => change.field)).toEqual(['title', 'tlp', 'audience']);
    expect(diff.changes[0]).toEqual({
      field: 'title',
      kind: 'value',
      before: 'Phishing campaign impersonating the police',
      after: 'Phishing campaign impersonating the gendarmerie',
    });
    expect(diff.changes[2]).toEqual({
      field: 'audience',
      kind: 'audience',
      communities: { added: [], removed: ['eu-lea'] },
      organisations: { added: ['org-1'], removed: [] },
      contacts: { added: [], removed: [] },
    });
    expect(diff.unchanged).toEqual([
      'summary',
      'body',
      'pap',
      'severity',
      'caveats',
      'indicators',
      'provenance',
      'releaseAt',
    ]);
  });

  it('reads a PAP label set, an embargo added and caveats added as changes', () => {
    const diff = diffVersions(released, {
      ...released,
      pap: 'PAP:AMBER',
      releaseAt: '2026-12-01T08:00:00Z',
      caveats: ['judicial-secret'],
    });
    expect(diff.changes).toEqual([
      { field: 'pap', kind: 'value', before: null, after: 'PAP:AMBER' },
      { field: 'caveats', kind: 'set', change: { added: ['judicial-secret'], removed: [] } },
      { field: 'releaseAt', kind: 'value', before: null, after: '2026-12-01T08:00:00.000Z' },
    ]);
  });

  it('does not count the same embargo written another way, or lists in another order, as a change', () => {
    const before = { ...released, releaseAt: '2026-12-01T09:00:00+01:00', caveats: ['a', 'b'] };
    const after = { ...released, releaseAt: '2026-12-01T08:00:00.000Z', caveats: ['b', 'a'] };
    expect(diffVersions(before, after).changes).toEqual([]);
  });
});

describe('diffVersions on lists and provenance', () => {
  it('lists indicators added and removed, an indicator whose description changed as both', () => {
    const pending = {
      ...released,
      indicators: [
        { type: 'ipv4', value: '203.0.113.7', description: 'Sinkhole' },
        { type: 'url', value: 'https://police-fines.example/pay' },
      ],
    };
    expect(diffVersions(released, pending).changes).toEqual([
      {
        field: 'indicators',
        kind: 'indicators',
        change: {
          added: [
            { type: 'ipv4', value: '203.0.113.7', description: 'Sinkhole' },
            { type: 'url', value: 'https://police-fines.example/pay' },
          ],
          removed: [
            { type: 'domain', value: 'police-fines.example' },
            { type: 'ipv4', value: '203.0.113.7', description: 'Landing page' },
          ],
        },
      },
    ]);
  });

  it('sees provenance given, and a consent whose audience changed', () => {
    const withProvenance = {
      ...released,
      provenance: {
        originator: 'Europol EC3',
        label: 'TLP:AMBER',
        consent: {
          reference: 'mail of 20 Nov',
          audience: { communities: ['eu-lea'], organisations: [], contacts: [] },
        },
      },
    };
    const first = diffVersions(released, withProvenance).changes;
    expect(first).toEqual([
      { field: 'provenance', kind: 'provenance', before: null, after: withProvenance.provenance },
    ]);
    const widened = {
      ...withProvenance,
      provenance: {
        ...withProvenance.provenance,
        consent: { ...withProvenance.provenance.consent, audience: { communities: ['eu-lea', 'fr-csirt'] } },
      },
    };
    expect(diffVersions(withProvenance, widened).changes.map((change) => change.field)).toEqual(['provenance']);
  });
});

describe('diffLines', () => {
  it('keeps common lines and marks removed and added ones in reading order', () => {
    expect(
      diffLines('First line\nSecond line\nThird line', 'First line\nSecond line, amended\nThird line\nFourth'),
    ).toEqual([
      { op: 'same', text: 'First line' },
      { op: 'removed', text: 'Second line' },
      { op: 'added', text: 'Second line, amended' },
      { op: 'same', text: 'Third line' },
      { op: 'added', text: 'Fourth' },
    ]);
  });

  it('finds the longest common run when lines move', () => {
    const lines = diffLines('a\nb\nc\nd', 'b\nc\na\nd');
    expect(lines.filter((line) => line.op === 'same').map((line) => line.text)).toEqual(['b', 'c', 'd']);
    expect(lines.filter((line) => line.op !== 'same')).toEqual([
      { op: 'removed', text: 'a' },
      { op: 'added', text: 'a' },
    ]);
  });

  it('reads Windows line ends as line ends, and an empty body as no lines', () => {
    expect(diffLines('one\r\ntwo', 'one\ntwo')).toEqual([
      { op: 'same', text: 'one' },
      { op: 'same', text: 'two' },
    ]);
    expect(diffLines('', 'new')).toEqual([{ op: 'added', text: 'new' }]);
    expect(diffLines('old', '')).toEqual([{ op: 'removed', text: 'old' }]);
  });

  it('rebuilds both texts from its output, whatever the texts', () => {
    const texts = ['', 'x', 'a\nb\na\nb', 'b\na\nb\nc', 'a\n\nb\n', '\n\n', 'c\nb\na'];
    for (const before of texts) {
      for (const after of texts) {
        const lines = diffLines(before, after);
        const side = (op: 'removed' | 'added') =>
          lines
            .filter((line) => line.op !== op)
            .map((line) => line.text)
            .join('\n');
        expect(side('added'), `${JSON.stringify(before)} → ${JSON.stringify(after)}`).toBe(before);
        expect(side('removed'), `${JSON.stringify(before)} → ${JSON.stringify(after)}`).toBe(after);
      }
    }
  });

  it('still answers for bodies too long to compare line by line', () => {
    const before = Array.from({ length: 3000 }, (_, i) => `old ${i}`).join('\n');
    const after = Array.from({ length: 3000 }, (_, i) => `new ${i}`).join('\n');
    const lines = diffLines(before, after);
    expect(lines.filter((line) => line.op === 'removed')).toHaveLength(3000);
    expect(lines.filter((line) => line.op === 'added')).toHaveLength(3000);
  });
});

describe('baseVersion', () => {
  const versions = [
    { version: 4, released: false },
    { version: 3, released: false },
    { version: 2, released: true },
    { version: 1, released: true },
  ];

  it('is the version the API names as last released', () => {
    expect(baseVersion(versions, 4, 1)?.version).toBe(1);
  });

  it('is otherwise the newest released version before the pending one', () => {
    expect(baseVersion(versions, 4)?.version).toBe(2);
    expect(baseVersion(versions, 4, null)?.version).toBe(2);
  });

  it('is none for a first version', () => {
    expect(baseVersion([{ version: 1, released: false }], 1, null)).toBeNull();
  });
});

describe('foldUnchanged', () => {
  const same = (text: string) => ({ op: 'same' as const, text });

  it('keeps the lines around each change and counts the others', () => {
    const lines: LineChange[] = [...'abcdefgh'].map(same);
    lines.splice(4, 1, { op: 'removed', text: 'e' }, { op: 'added', text: 'E' });
    expect(foldUnchanged(lines, 1)).toEqual([
      { op: 'skipped', count: 3 },
      same('d'),
      { op: 'removed', text: 'e' },
      { op: 'added', text: 'E' },
      same('f'),
      { op: 'skipped', count: 2 },
    ]);
  });

  it('folds everything when nothing changed, and nothing when changes are close together', () => {
    expect(foldUnchanged([same('a'), same('b')])).toEqual([{ op: 'skipped', count: 2 }]);
    const close: LineChange[] = [{ op: 'added', text: 'x' }, same('a'), { op: 'removed', text: 'y' }];
    expect(foldUnchanged(close, 1)).toEqual(close);
  });
});
