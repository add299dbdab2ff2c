import { beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_STATES, OPEN_DELIVERY_STATES } from '@tlp-broker/domain';
import { useTestDatabase } from '../../../../test/support/test-database';
import { DeliveryEntity } from '../entities';
import { DeliveryRepository } from './deliveries.repository';
import { TestRows } from './test-rows.db-fixtures';

const db = useTestDatabase();
const fixtures = new TestRows(db);
let deliveries: DeliveryRepository;

beforeAll(() => {
  deliveries = new DeliveryRepository(db.dataSource);
});

const row = (id: string) => db.dataSource.getRepository(DeliveryEntity).findOneByOrFail({ id });

/** An item with `versions` versions and `channels` feed channels, each of its own organisation. */
async function scene(options: { versions?: number; channels?: number; kind?: 'alert' | 'advisory' } = {}) {
  const itemId = await fixtures.item({ kind: options.kind, currentVersion: options.versions ?? 1 });
  const versionIds: string[] = [];
  for (let v = 1; v <= (options.versions ?? 1); v++) versionIds.push(await fixtures.version(itemId, v));
  const targets: { organisationId: string; channelId: string }[] = [];
  for (let c = 0; c < (options.channels ?? 1); c++) {
    const organisationId = await fixtures.organisation();
    targets.push({ organisationId, channelId: await fixtures.channel(organisationId) });
  }
  /** An item delivery of version `v` (1-based) to target `t`, with its decision. */
  const itemDelivery = (
    v: number,
    t: number,
    options: { state?: (typeof DELIVERY_STATES)[number]; handed?: boolean; age?: string } = {},
  ) => fixtures.delivery({ itemVersionId: versionIds[v - 1], ...targets[t], ...options });
  return { itemId, versionIds, targets, itemDelivery };
}

describe('DeliveryRepository: queueing', () => {
  it('queues item deliveries for decisions, and lists a version’s queued ones with their item’s kind', async () => {
    const { versionIds, targets, itemDelivery } = await scene({ channels: 3, kind: 'alert' });
    const now = new Date('2030-01-01T00:00:00Z');
    const decisions = await Promise.all(targets.slice(0, 2).map((t) => fixtures.decision(versionIds[0], t)));
    await deliveries.queueItemDeliveries(
      targets.slice(0, 2).map((t, i) => ({
        decisionId: decisions[i],
        itemVersionId: versionIds[0],
        ...t,
        contactId: null,
        keyFingerprint: i === 0 ? 'ABCD' : null,
        updatedAt: now,
      })),
    );
    const sent = await itemDelivery(1, 2, { state: 'delivered' });
    const queued = await deliveries.queuedOf(versionIds[0]);
    expect(queued.map((d) => d.itemKind)).toEqual(['alert', 'alert']);
    expect(queued.map((d) => d.id)).not.toContain(sent);
    const stored = await Promise.all(queued.map((d) => row(d.id)));
    expect(stored.map((d) => [d.state, d.attempts, d.kind, d.updatedAt]).sort()).toEqual([
      ['queued', 0, 'item', now],
      ['queued', 0, 'item', now],
    ]);
    expect(stored.map((d) => d.keyFingerprint).sort()).toEqual(['ABCD', null]);
  });

  it('finds the open deliveries left unchanged too long, longest first, whatever their kind (OPEN_DELIVERY_STATES)', async () => {
    const { targets, versionIds, itemDelivery } = await scene({ channels: DELIVERY_STATES.length + 1 });
    const byState = new Map<string, string>();
    for (const [i, state] of DELIVERY_STATES.entries())
      byState.set(state, await itemDelivery(1, i, { state, age: `${i + 1} hours` }));
    const recent = await itemDelivery(1, DELIVERY_STATES.length, { state: 'queued', age: '1 second' });
    const recall = await fixtures.delivery({
      itemVersionId: versionIds[0],
      ...targets[0],
      kind: 'recall',
      age: '1 day',
    });

    const found = (await deliveries.openOlderThan(60_000, 100)).map((d) => d.id);
    const open = [...OPEN_DELIVERY_STATES].sort((a, b) => DELIVERY_STATES.indexOf(b) - DELIVERY_STATES.indexOf(a));
    expect(found).toEqual(expect.arrayContaining([recall, ...open.map((state) => byState.get(state))]));
    expect(found).not.toContain(recent);
    for (const state of DELIVERY_STATES.filter((s) => !(OPEN_DELIVERY_STATES as readonly string[]).includes(s)))
      expect(found).not.toContain(byState.get(state));
    // Longest unchanged first; at most `limit`.
    const mine = found.filter((id) => id === recall || [...byState.values()].includes(id));
    expect(mine).toEqual([recall, ...open.map((state) => byState.get(state))]);
    expect(await deliveries.openOlderThan(60_000, 1)).toHaveLength(1);
  });
});

describe('DeliveryRepository: state transitions', () => {
  it('marks an open delivery sending, keeps the first hand-over time, and refuses a closed one', async () => {
    const { itemDelivery } = await scene({ channels: 2 });
    const id = await itemDelivery(1, 0);
    expect(await deliveries.markSending(id)).toBe(true);
    const first = await row(id);
    expect(first.state).toBe('sending');
    expect(first.handedAt).toBeInstanceOf(Date);
    expect(await deliveries.markFailed(id, 'connection reset')).toBe(true);
    expect(await row(id)).toMatchObject({ state: 'failed', attempts: 1, lastError: 'connection reset' });
    expect(await deliveries.markSending(id)).toBe(true);
    expect((await row(id)).handedAt).toEqual(first.handedAt);

    const done = await itemDelivery(1, 1);
    expect(await deliveries.close(done, 'dead', 'gave up')).toBe(true);
    expect(await deliveries.markSending(done)).toBe(false);
    expect(await deliveries.markFailed(done, 'x')).toBe(false);
    expect(await row(done)).toMatchObject({ state: 'dead', lastError: 'gave up', attempts: 0, handedAt: null });
  });

  it('records a delivery handed over once, counting the attempt; a second worker changes nothing', async () => {
    const { itemDelivery } = await scene();
    const id = await itemDelivery(1, 0, { state: 'sending', handed: true });
    const at = new Date('2030-02-02T10:00:00Z');
    const outcome = { state: 'sent', deliveredAt: at, messageId: '<m@broker>', keyFingerprint: 'FP' } as const;
    expect(await deliveries.markHandedOver(id, outcome)).toBe(true);
    expect(await row(id)).toMatchObject({
      state: 'sent',
      attempts: 1,
      deliveredAt: at,
      messageId: '<m@broker>',
      keyFingerprint: 'FP',
      lastError: null,
    });
    expect(await deliveries.markHandedOver(id, { ...outcome, state: 'delivered' })).toBe(false);
    expect(await deliveries.close(id, 'cancelled', 'too late')).toBe(false);
    expect((await row(id)).state).toBe('sent');
  });

  it('takes part in the caller transaction: nothing stays when it rolls back', async () => {
    const { itemDelivery } = await scene();
    const id = await itemDelivery(1, 0);
    await expect(
      db.dataSource.transaction(async (tx) => {
        expect(await deliveries.close(id, 'cancelled', 'rolled back', tx)).toBe(true);
        expect((await deliveries.findById(id, tx))?.state).toBe('cancelled');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await deliveries.findById(id))?.state).toBe('queued');
    expect(await deliveries.findById('00000000-0000-0000-0000-000000000000')).toBeNull();
  });
});

describe('DeliveryRepository: updates and retractions', () => {
  it('cancels what was not handed over (queued, failed), leaving sending ones, by version and channel', async () => {
    const { itemId, itemDelivery } = await scene({ versions: 3, channels: 2 });
    const v1queued = await itemDelivery(1, 0);
    const v1failed = await itemDelivery(1, 1, { state: 'failed' });
    const v2sending = await itemDelivery(2, 0, { state: 'sending', handed: true });
    const v2queued = await itemDelivery(2, 1);
    const v3queued = await itemDelivery(3, 0);

    expect((await deliveries.cancelPending(itemId, 'superseded', { beforeVersion: 2, channelIds: [] })).sort()).toEqual(
      [],
    );
    expect((await deliveries.cancelPending(itemId, 'superseded', { beforeVersion: 3 })).sort()).toEqual(
      [v1queued, v1failed, v2queued].sort(),
    );
    expect(await row(v1failed)).toMatchObject({ state: 'cancelled', lastError: 'superseded' });
    expect((await row(v2sending)).state).toBe('sending');
    expect(
      await deliveries.cancelPending(itemId, 'retracted', { channelIds: [(await row(v3queued)).channelId] }),
    ).toEqual([v3queued]);
  });

  it('names the channels handed a version since their last recall, and queues one recall each, once', async () => {
    const { itemId, versionIds, targets, itemDelivery } = await scene({ versions: 3, channels: 4 });
    await itemDelivery(1, 0, { state: 'delivered', handed: true });
    await itemDelivery(2, 0, { state: 'failed', handed: true }); // handed over once: it may hold v2
    await itemDelivery(1, 1, { state: 'delivered', handed: true });
    await itemDelivery(1, 2, { state: 'cancelled' }); // never left
    await itemDelivery(1, 3, { state: 'delivered', handed: true });
    await fixtures.delivery({ itemVersionId: versionIds[0], ...targets[3], kind: 'recall', state: 'delivered' });
    await fixtures.delivery({ itemVersionId: versionIds[1], ...targets[1], kind: 'recall', state: 'cancelled' });

    const recall = await deliveries.channelsToRecall(itemId);
    const expected = [
      { ...targets[0], contactId: null, version: 2 },
      { ...targets[1], contactId: null, version: 1 },
    ].sort((a, b) => (a.channelId < b.channelId ? -1 : 1));
    expect(recall).toEqual(expected);
    expect(await deliveries.channelsToRecall(itemId, [targets[1].channelId])).toEqual([
      { ...targets[1], contactId: null, version: 1 },
    ]);

    const decision = await fixtures.decision(versionIds[2], targets[0], { allow: false });
    const reasons = new Map([[targets[0].channelId, 'v3 may not go there']]);
    const request = {
      itemVersionId: versionIds[2],
      targets: recall,
      reason: reasons,
      decisionIds: new Map([[targets[0].channelId, decision]]),
    };
    const ids = await deliveries.queueRecalls(request);
    expect(ids).toHaveLength(2);
    const rows = await Promise.all(ids.map(row));
    expect(rows.map((r) => [r.channelId, r.kind, r.state, r.reason, r.decisionId]).sort()).toEqual(
      [
        [targets[0].channelId, 'recall', 'queued', 'v3 may not go there', decision],
        [targets[1].channelId, 'recall', 'queued', 'recalled', null],
      ].sort(),
    );
    expect(await deliveries.queueRecalls(request)).toEqual([]);
    expect(await deliveries.queueRecalls({ itemVersionId: versionIds[1], targets: [], reason: 'x' })).toEqual([]);
    expect(await deliveries.channelsToRecall(itemId)).toEqual([]);
  });

  it('lists the versions a channel was handed, and marks what it received recalled once a recall arrives', async () => {
    const { itemId, targets, itemDelivery } = await scene({ versions: 3, channels: 2 });
    const v1 = await itemDelivery(1, 0, { state: 'delivered', handed: true });
    const v2 = await itemDelivery(2, 0, { state: 'dead', handed: true });
    const v3 = await itemDelivery(3, 0, { state: 'queued' });
    const other = await itemDelivery(1, 1, { state: 'sent', handed: true });
    expect(await deliveries.versionsHandedTo(itemId, targets[0].channelId)).toEqual([
      { version: 1, tlp: 'TLP:AMBER' },
      { version: 2, tlp: 'TLP:AMBER' },
    ]);
    expect(await deliveries.markRecalled(itemId, targets[0].channelId)).toBe(1);
    expect((await Promise.all([v1, v2, v3, other].map(row))).map((r) => r.state)).toEqual([
      'recalled',
      'dead',
      'queued',
      'sent',
    ]);
  });
});
