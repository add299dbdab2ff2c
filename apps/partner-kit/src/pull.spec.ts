import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalStore } from './local-store';
import { itemDocument, MemoryFeed } from './memory-feed.test-fixtures';
import { KeyFilePartnerKey } from './opener';
import { pull, PullContext } from './pull';
import type { PinnedTeamKeys } from './team-keys';

const ITEM = '3f2a9c1e-0b4d-4c8e-9a1f-5d6e7f8a9b0c';
const RED_ITEM = '9a8b7c6d-1e2f-4a3b-8c4d-5e6f7a8b9c0d';
const publisher = { name: 'Test CSIRT', fingerprint: 'X' };

const itemText = (version: number, tlp: string, indicators: string[], id = ITEM) =>
  itemDocument({ id, version, tlp, indicators }, publisher);

describe('pull: applying the feed, oldest first, exactly once', () => {
  let team: openpgp.PrivateKey;
  let rogue: openpgp.PrivateKey;
  let partner: openpgp.PrivateKey;
  let key: KeyFilePartnerKey;
  let home: string;
  let feed: MemoryFeed;

  beforeAll(async () => {
    const generate = (name: string) =>
      openpgp
        .generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name }], format: 'object' })
        .then((pair) => pair.privateKey);
    [team, rogue, partner] = await Promise.all([generate('team'), generate('rogue'), generate('partner')]);
    key = await KeyFilePartnerKey.load(partner.armor(), null);
  });

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'tlpb-kit-pull-'));
    feed = new MemoryFeed();
  });
  afterEach(() => rm(home, { recursive: true, force: true }));

  const context = async (pinned = [team.toPublic()]): Promise<PullContext> => ({
    broker: feed.client(),
    key,
    team: {
      keys: pinned,
      sealTo: pinned[0],
      since: new Date('2026-01-01T00:00:00Z'),
      contactEmail: undefined,
    } as PinnedTeamKeys,
    store: await LocalStore.open(home, join(home, 'out')),
  });
  const item = (version: number, tlp: string, indicators: string[], signer = team, id = ITEM) =>
    feed.add(
      { entry: 'item', itemId: id, version, type: 'advisory', tlp, pap: null },
      itemText(version, tlp, indicators, id),
      signer,
      partner.toPublic(),
    );
  const collection = async () =>
    (await readFile(join(home, 'out', 'taxii', 'collection.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));

  it('applies each entry once: a second run takes nothing, and one cut short before recording repeats to the same result', async () => {
    await item(1, 'TLP:AMBER', ['a.example', 'b.example']);
    await item(2, 'TLP:AMBER', ['a.example']);
    const first = await pull(await context(), { includeRed: false });
    expect(first).toMatchObject({ entries: 2, items: 2, refused: [] });
    const records = await collection();
    expect(records.filter((record) => record.object.revoked === true).map((record) => record.object.name)).toEqual([
      'b.example',
    ]);
    expect((await pull(await context(), { includeRed: false })).entries).toBe(0);
    // The state lost (a run killed before it was written): everything is applied again, nothing doubled.
    await rm(join(home, 'state.json'));
    expect((await pull(await context(), { includeRed: false })).entries).toBe(2);
    expect((await collection()).map((record) => record.object.id)).toEqual(records.map((record) => record.object.id));
  });

  it('leaves TLP:RED unopened until opted in, then opens what it left', async () => {
    await item(1, 'TLP:RED', ['red.example'], team, RED_ITEM);
    expect(await pull(await context(), { includeRed: false })).toMatchObject({ held: 1, items: 0 });
    await expect(stat(join(home, 'out', 'json', RED_ITEM))).rejects.toThrow();
    const opted = await pull(await context(), { includeRed: true });
    expect(opted).toMatchObject({ entries: 1, items: 1, held: 0 });
    expect(opted.byLabel['TLP:RED']).toBe(1);
  });

  it('refuses an entry signed by a key that is not pinned, writes nothing of it, and opens it once that key is pinned', async () => {
    await item(1, 'TLP:GREEN', ['g.example'], rogue);
    const refused = await pull(await context(), { includeRed: false });
    expect(refused.refused).toEqual([
      expect.objectContaining({ itemId: ITEM, reason: expect.stringContaining("not the team's pinned key") }),
    ]);
    await expect(stat(join(home, 'out', 'json', ITEM))).rejects.toThrow();
    const again = await pull(await context([team.toPublic(), rogue.toPublic()]), { includeRed: false });
    expect(again).toMatchObject({ entries: 1, items: 1, refused: [] });
  });

  it('refuses a signed document that does not match its feed entry (an entry relabelled on the way)', async () => {
    await feed.add(
      { entry: 'item', itemId: ITEM, version: 1, type: 'advisory', tlp: 'TLP:CLEAR', pap: null },
      itemText(1, 'TLP:AMBER', []),
      team,
      partner.toPublic(),
    );
    const summary = await pull(await context(), { includeRed: false });
    expect(summary.refused[0].reason).toMatch(/does not match its feed entry/);
  });

  it('applies a withdrawal: the version removed, its content gone from the state, its STIX objects revoked', async () => {
    await item(1, 'TLP:AMBER', ['a.example']);
    await pull(await context(), { includeRed: false });
    const recall = JSON.stringify({
      format: 'tlp-broker/recall@1',
      id: ITEM,
      type: 'advisory',
      tlp: 'TLP:AMBER',
      recall: 'withdrawn',
      versions: [1],
      instruction: 'Delete it.',
      note: null,
      issuedAt: '2026-11-30T09:00:00.000Z',
      publisher,
    });
    await feed.add(
      { entry: 'recall', itemId: ITEM, version: 2, type: 'advisory', tlp: 'TLP:AMBER', pap: null },
      recall,
      team,
      partner.toPublic(),
    );
    expect(await pull(await context(), { includeRed: false })).toMatchObject({ recalls: 1 });
    await expect(stat(join(home, 'out', 'json', ITEM, 'v1.json'))).rejects.toThrow();
    expect(await readFile(join(home, 'state.json'), 'utf8')).not.toContain('Version 1 title');
    const live = (await collection()).filter((record) => record.itemId === ITEM);
    expect(live.map((record) => [record.object.type, record.object.revoked])).toEqual([
      ['report', true],
      ['indicator', true],
    ]);
  });
});
