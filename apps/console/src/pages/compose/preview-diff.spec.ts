import { describe, expect, it } from 'vitest';
import { diffPreviews, groupDecisions, hasChanges, PreviewDecision, recipientName } from './preview-diff';

function decision(
  organisation: string,
  channelId: string,
  allow: boolean,
  fields: Partial<PreviewDecision> = {},
): PreviewDecision {
  return {
    organisationId: `org-${organisation}`,
    organisation,
    contactId: null,
    contact: null,
    channelId,
    channel: 'feed',
    allow,
    code: allow ? 'allowed' : 'not-in-audience',
    reason: allow ? `${organisation} is named in the audience` : `${organisation} is not named in the audience`,
    handling: null,
    keyFingerprint: allow ? `FP-${organisation}` : null,
    ...fields,
  };
}

describe('groupDecisions', () => {
  it('separates withheld channels from allowed ones, each by organisation, and counts receiving organisations', () => {
    const grouped = groupDecisions([
      decision('Interpol', 'c3', false),
      decision('EC3', 'c2', true, { channel: 'webhook' }),
      decision('CERT-FR', 'c1', true),
      decision('EC3', 'c4', true, { channel: 'email' }),
    ]);
    expect(grouped.allowed.map(recipientName)).toEqual(['CERT-FR (feed)', 'EC3 (email)', 'EC3 (webhook)']);
    expect(grouped.withheld.map(recipientName)).toEqual(['Interpol (feed)']);
    expect(grouped.organisations).toBe(2);
  });
});

describe('recipientName', () => {
  it('names the person on a personal channel', () => {
    expect(recipientName(decision('EC3', 'c', true, { contact: 'Anna Keller', channel: 'personal feed' }))).toBe(
      'EC3 — Anna Keller (personal feed)',
    );
  });
});

describe('diffPreviews', () => {
  it('shows no change before there is a previous preview', () => {
    expect(diffPreviews(null, [decision('EC3', 'c1', true)])).toEqual({ added: [], dropped: [] });
  });

  it('lists recipients newly allowed, whether withheld before or not there at all', () => {
    const before = [decision('EC3', 'c1', true), decision('CERT-FR', 'c2', false)];
    const after = [decision('EC3', 'c1', true), decision('CERT-FR', 'c2', true), decision('Interpol', 'c3', true)];
    const changes = diffPreviews(before, after);
    expect(changes.added.map(recipientName)).toEqual(['CERT-FR (feed)', 'Interpol (feed)']);
    expect(changes.dropped).toEqual([]);
    expect(hasChanges(changes)).toBe(true);
  });

  it('lists recipients no longer allowed with the reason they are withheld now', () => {
    const before = [decision('EC3', 'c1', true), decision('CERT-FR', 'c2', true), decision('Gone', 'c9', true)];
    const after = [
      decision('EC3', 'c1', true),
      decision('CERT-FR', 'c2', false, { reason: 'TLP:RED goes only to named contacts' }),
    ];
    const changes = diffPreviews(before, after);
    expect(changes.added).toEqual([]);
    expect(changes.dropped.map((d) => [recipientName(d), d.reason])).toEqual([
      ['CERT-FR (feed)', 'TLP:RED goes only to named contacts'],
      ['Gone (feed)', 'Gone is named in the audience'],
    ]);
  });

  it('compares channels of one organisation one by one', () => {
    const before = [decision('EC3', 'c1', true), decision('EC3', 'c2', false)];
    const after = [decision('EC3', 'c1', false), decision('EC3', 'c2', true)];
    const changes = diffPreviews(before, after);
    expect(changes.added.map((d) => d.channelId)).toEqual(['c2']);
    expect(changes.dropped.map((d) => d.channelId)).toEqual(['c1']);
  });

  it('finds nothing changed when the same recipients are allowed', () => {
    const same = [decision('EC3', 'c1', true), decision('CERT-FR', 'c2', false)];
    expect(hasChanges(diffPreviews(same, [...same].reverse()))).toBe(false);
  });
});
