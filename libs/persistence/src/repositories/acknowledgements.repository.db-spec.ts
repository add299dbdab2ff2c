import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { AcknowledgementRepository, NewAcknowledgementRequest } from './acknowledgements.repository';
import { TestRows } from './test-rows.db-fixtures';

const MINUTE = 60_000;

describe('AcknowledgementRepository on PostgreSQL', () => {
  const db = useTestDatabase();
  const rows = new TestRows(db);
  let acknowledgements: AcknowledgementRepository;

  beforeAll(() => {
    acknowledgements = new AcknowledgementRepository(db.dataSource);
  });

  async function urgentItem() {
    const organisationId = await rows.organisation();
    const channelId = await rows.channel(organisationId);
    const itemId = await rows.item({ kind: 'alert' });
    const v1 = await rows.version(itemId, 1);
    const v2 = await rows.version(itemId, 2);
    const requestedAt = new Date('2026-12-05T22:40:00Z');
    const request = (itemVersionId: string, at = requestedAt): NewAcknowledgementRequest => ({
      itemId,
      organisationId,
      itemVersionId,
      requestedAt: at,
      escalateAt: new Date(at.getTime() + 15 * MINUTE),
      dutyOfficerAt: new Date(at.getTime() + 30 * MINUTE),
    });
    return { organisationId, channelId, itemId, v1, v2, requestedAt, request };
  }

  it('asks an organisation once per item: a later version keeps the first request and its deadlines', async () => {
    const { organisationId, itemId, v1, v2, requestedAt, request } = await urgentItem();
    expect(await db.dataSource.transaction((tx) => acknowledgements.request([request(v1)], tx))).toBe(1);
    const later = new Date(requestedAt.getTime() + 10 * MINUTE);
    expect(await db.dataSource.transaction((tx) => acknowledgements.request([request(v2, later)], tx))).toBe(0);
    expect(await acknowledgements.find(itemId, organisationId)).toMatchObject({
      itemVersionId: v1,
      requestedAt,
      escalateAt: new Date(requestedAt.getTime() + 15 * MINUTE),
      escalationStep: 0,
      acknowledgedAt: null,
    });
  });

  it('keeps the first of two acknowledgements racing each other, and says which call recorded it', async () => {
    const { organisationId, channelId, itemId, v1, request } = await urgentItem();
    await db.dataSource.transaction((tx) => acknowledgements.request([request(v1)], tx));
    const deliveryId = await rows.delivery({ itemVersionId: v1, organisationId, channelId, state: 'delivered' });
    const found = await acknowledgements.forDelivery(deliveryId);
    expect(found).toMatchObject({ itemId, organisationId });
    const ways = ['feed', 'link'] as const;
    const results = await Promise.all(
      ways.map((via, index) =>
        db.dataSource.transaction((tx) =>
          acknowledgements.acknowledge(
            found!.id,
            {
              at: new Date(Date.UTC(2026, 11, 5, 22, 45 + index)),
              by: `person ${index}`,
              contactId: null,
              via,
              deliveryId,
            },
            tx,
          ),
        ),
      ),
    );
    expect(results.filter((result) => result.recorded)).toHaveLength(1);
    const winner = results.find((result) => result.recorded)!.request;
    for (const result of results) expect(result.request.acknowledgedVia).toBe(winner.acknowledgedVia);
    expect(await acknowledgements.find(itemId, organisationId)).toMatchObject({
      acknowledgedBy: winner.acknowledgedBy,
      acknowledgedDeliveryId: deliveryId,
    });
  });

  it('lists an item’s requests with when the item first reached each organisation', async () => {
    const { organisationId, channelId, itemId, v1, request } = await urgentItem();
    await db.dataSource.transaction((tx) => acknowledgements.request([request(v1)], tx));
    expect((await acknowledgements.ofItem(itemId))[0]).toMatchObject({ deliveredAt: null });
    await rows.delivery({ itemVersionId: v1, organisationId, channelId, state: 'delivered', handed: true });
    const [row] = await acknowledgements.ofItem(itemId);
    expect(row!.deliveredAt).toBeInstanceOf(Date);
    expect(row!.request.organisationId).toBe(organisationId);
  });

  it('finds an organisation’s open requests by item id or by the short reference of a subject', async () => {
    const { organisationId, itemId, v1, request } = await urgentItem();
    await db.dataSource.transaction((tx) => acknowledgements.request([request(v1)], tx));
    expect((await acknowledgements.openOf(organisationId, [itemId], [])).map((r) => r.itemId)).toEqual([itemId]);
    expect((await acknowledgements.openOf(organisationId, [], [itemId.slice(0, 8)])).map((r) => r.itemId)).toEqual([
      itemId,
    ]);
    expect(await acknowledgements.openOf(await rows.organisation(), [itemId], [])).toEqual([]);
  });
});
