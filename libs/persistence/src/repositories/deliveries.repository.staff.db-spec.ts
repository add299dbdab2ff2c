import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { DeliveryRepository } from './deliveries.repository';
import { TestRows } from './test-rows.db-fixtures';

describe('DeliveryRepository: what staff and the pull forms read', () => {
  const db = useTestDatabase();
  const fixtures = new TestRows(db);
  let deliveries: DeliveryRepository;

  beforeAll(() => {
    deliveries = new DeliveryRepository(db.dataSource);
  });

  const stateOf = async (id: string) =>
    ((await db.superuser.query('SELECT state FROM deliveries WHERE id = $1', [id])) as { state: string }[])[0].state;

  it('lists deliveries most recently changed first, filtered by state, item and kind, each with its recipient', async () => {
    const organisation = await fixtures.organisation('Overview CERT');
    const contact = await fixtures.contact(organisation, 'Ana Analyst');
    const team = await fixtures.channel(organisation);
    const personal = await fixtures.channel(organisation, { contactId: contact });
    const item = await fixtures.item({ kind: 'alert' });
    const version = await fixtures.version(item, 1, { tlp: 'TLP:RED' });
    const other = await fixtures.version(await fixtures.item(), 1);
    const dead = await fixtures.delivery({
      itemVersionId: version,
      organisationId: organisation,
      channelId: personal,
      contactId: contact,
      state: 'dead',
      attempts: 3,
      lastError: 'mailbox full',
      age: '1 hour',
    });
    const recall = await fixtures.delivery({
      itemVersionId: version,
      organisationId: organisation,
      channelId: team,
      kind: 'recall',
      state: 'queued',
    });
    const elsewhere = await fixtures.delivery({
      itemVersionId: other,
      organisationId: organisation,
      channelId: team,
      state: 'delivered',
    });

    expect((await deliveries.overviews({ itemId: item }, 10)).map((d) => d.id)).toEqual([recall, dead]);
    expect((await deliveries.overviews({ itemId: item }, 1)).map((d) => d.id)).toEqual([recall]);
    expect((await deliveries.overviews({ state: 'dead' }, 10)).map((d) => d.id)).toEqual([dead]);
    expect((await deliveries.overviews({ kind: 'recall', itemId: item }, 10)).map((d) => d.id)).toEqual([recall]);
    expect((await deliveries.overviews({}, 10)).map((d) => d.id)).toEqual([elsewhere, recall, dead]);
    expect(await deliveries.overview(dead)).toMatchObject({
      id: dead,
      kind: 'item',
      itemId: item,
      version: 1,
      itemType: 'alert',
      tlp: 'TLP:RED',
      organisationId: organisation,
      organisation: 'Overview CERT',
      contact: 'Ana Analyst',
      channelId: personal,
      channelKind: 'feed',
      state: 'dead',
      attempts: 3,
      lastError: 'mailbox full',
      reason: null,
      deliveredAt: null,
    });
    expect(await deliveries.overview('00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('queues a dead delivery again, and only a dead one, in the caller transaction', async () => {
    const organisation = await fixtures.organisation('Retry CERT');
    const channel = await fixtures.channel(organisation);
    const item = await fixtures.item();
    const dead = await fixtures.delivery({
      itemVersionId: await fixtures.version(item, 1),
      organisationId: organisation,
      channelId: channel,
      state: 'dead',
      age: '1 day',
    });
    const delivered = await fixtures.delivery({
      itemVersionId: await fixtures.version(item, 2),
      organisationId: organisation,
      channelId: channel,
      state: 'delivered',
    });

    await expect(
      db.dataSource.transaction(async (tx) => {
        expect(await deliveries.requeueDead(dead, tx)).toBe(true);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await stateOf(dead)).toBe('dead');

    expect(await deliveries.requeueDead(delivered)).toBe(false);
    expect(await stateOf(delivered)).toBe('delivered');
    expect(await deliveries.requeueDead(dead)).toBe(true);
    expect(await deliveries.overview(dead)).toMatchObject({ state: 'queued' });
    expect((await deliveries.overview(dead))!.updatedAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(await deliveries.requeueDead(dead)).toBe(false);
  });

  it('gives what a channel was handed of some items: delivered or recalled versions, and recalls in its feed', async () => {
    const organisation = await fixtures.organisation('Served CERT');
    const channel = await fixtures.channel(organisation);
    const otherChannel = await fixtures.channel(organisation);
    const item = await fixtures.item();
    const indicators = [{ type: 'domain' as const, value: 'served.example' }];
    const v1 = await fixtures.version(item, 1, {
      tlp: 'TLP:CLEAR',
      pap: 'PAP:GREEN',
      indicators,
      createdAt: '2026-02-01T08:00:00.000Z',
    });
    const v2 = await fixtures.version(item, 2, { tlp: 'TLP:AMBER', indicators });
    const v3 = await fixtures.version(item, 3, { tlp: 'TLP:CLEAR', indicators });
    const to = (itemVersionId: string, state: 'delivered' | 'recalled' | 'queued' | 'failed' | 'cancelled') =>
      fixtures.delivery({ itemVersionId, organisationId: organisation, channelId: channel, state });
    const recalledV1 = await to(v1, 'recalled');
    const deliveredV2 = await to(v2, 'delivered');
    await to(v3, 'failed');
    const recall = await fixtures.delivery({
      itemVersionId: v2,
      organisationId: organisation,
      channelId: channel,
      kind: 'recall',
      state: 'delivered',
    });
    await fixtures.feedEntry({
      deliveryId: recall,
      channelId: channel,
      itemId: item,
      version: 2,
      entry: 'recall',
      tlp: 'TLP:AMBER',
      addedAt: '2026-02-01T10:00:00.000000Z',
    });
    const unsentRecall = await fixtures.delivery({
      itemVersionId: v1,
      organisationId: organisation,
      channelId: channel,
      kind: 'recall',
      state: 'queued',
    });
    await fixtures.delivery({
      itemVersionId: v1,
      organisationId: organisation,
      channelId: otherChannel,
      state: 'delivered',
    });

    const served = await deliveries.servedToChannel(channel, [item]);
    expect(new Set(served.map((step) => step.deliveryId))).toEqual(new Set([recalledV1, deliveredV2, recall]));
    expect(served.some((step) => step.deliveryId === unsentRecall)).toBe(false);
    const byId = new Map(served.map((step) => [step.deliveryId, step]));
    expect(byId.get(recalledV1)).toEqual({
      itemId: item,
      deliveryId: recalledV1,
      entry: 'item',
      version: 1,
      tlp: 'TLP:CLEAR',
      pap: 'PAP:GREEN',
      severity: 'high',
      at: new Date('2026-02-01T08:00:00.000Z'),
      clearIndicators: indicators,
    });
    expect(byId.get(deliveredV2)).toMatchObject({ entry: 'item', tlp: 'TLP:AMBER', clearIndicators: [] });
    expect(byId.get(recall)).toMatchObject({
      entry: 'recall',
      version: 2,
      pap: null,
      severity: null,
      clearIndicators: [],
    });
    expect(await deliveries.servedToChannel(channel, [])).toEqual([]);
  });
});
