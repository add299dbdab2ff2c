import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { DecisionRepository, NewDecision } from './decisions.repository';
import { TestRows } from './test-rows.db-fixtures';

const db = useTestDatabase();
const fixtures = new TestRows(db);
let decisions: DecisionRepository;

beforeAll(() => {
  decisions = new DecisionRepository(db.dataSource);
});

async function target() {
  const organisationId = await fixtures.organisation();
  return { organisationId, channelId: await fixtures.channel(organisationId) };
}

describe('DecisionRepository on PostgreSQL', () => {
  it('stores a version’s decisions and gives each id by channel; reads one back, and throws for a missing one', async () => {
    const itemId = await fixtures.item();
    const versionId = await fixtures.version(itemId, 1);
    const [a, b] = [await target(), await target()];
    const decidedAt = new Date('2030-01-01T00:00:00Z');
    const row = (t: typeof a, allow: boolean): NewDecision => ({
      itemVersionId: versionId,
      ...t,
      contactId: null,
      allow,
      code: allow ? 'tlp.clear.allowed' : 'partner.suspended',
      reason: allow ? 'TLP:CLEAR goes to every active partner.' : 'The partner is suspended.',
      handling: null,
      keyFingerprint: allow ? 'FP' : null,
      decidedAt,
    });
    const ids = await decisions.insertAll([row(a, true), row(b, false)]);
    expect([...ids.keys()].sort()).toEqual([a.channelId, b.channelId].sort());
    expect(await decisions.get(ids.get(b.channelId)!)).toMatchObject({ ...row(b, false), id: ids.get(b.channelId) });
    expect(await decisions.insertAll([])).toEqual(new Map());
    await expect(decisions.get('00000000-0000-0000-0000-000000000000')).rejects.toThrow();
  });

  it('finds the latest version routed after a given one, and a channel’s decision for it', async () => {
    const itemId = await fixtures.item({ currentVersion: 4 });
    const versions = [];
    for (let v = 1; v <= 4; v++) versions.push(await fixtures.version(itemId, v));
    const [a, b] = [await target(), await target()];
    await fixtures.decision(versions[0], a);
    const v2 = await fixtures.decision(versions[1], a, { allow: false, reason: 'not in the audience' });
    await fixtures.decision(versions[2], b); // version 4 was never routed

    expect(await decisions.latestRoutedVersionAfter(itemId, 1)).toBe(3);
    expect(await decisions.latestRoutedVersionAfter(itemId, 3)).toBeNull();
    expect(await decisions.latestForChannelAfter(itemId, a.channelId, 1)).toEqual({
      decisionId: v2,
      allow: false,
      reason: 'not in the audience',
      itemVersionId: versions[1],
      version: 2,
    });
    expect(await decisions.latestForChannelAfter(itemId, a.channelId, 2)).toBeNull();
    expect(await decisions.latestForChannelAfter(itemId, b.channelId, 1)).toMatchObject({ allow: true, version: 3 });
  });
});
