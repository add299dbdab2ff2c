import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { eventually, http } from './support/http';
import { publishItem } from './support/items';
import { registerPartner } from './support/partners';

/**
 * `GET /public/items/:id` finds any public item by its id — TLP:CLEAR in its latest released
 * version and not retracted — not only those among the newest the list shows.
 */
describe('a public item by its id', () => {
  let broker: TestBroker;

  const routed = (id: string) =>
    eventually(
      async () =>
        (await http(broker.url, 'GET', `/items/${id}/decisions`, { key: broker.analystKey })).body.routed === true,
      60_000,
      50,
      `item ${id} routed`,
    );

  const publish = async (title: string, tlp = 'TLP:CLEAR', extra: Record<string, unknown> = {}) =>
    (await publishItem(broker.url, broker.analystKey, { title, tlp, ...extra })).id;

  beforeAll(async () => {
    broker = await startBroker();
    // TLP:GREEN needs a community someone belongs to.
    await registerPartner(broker.url, broker.adminKey, {
      name: 'Lookup CERT',
      relation: 'peer',
      communities: ['eu-csirt'],
    });
  }, 60_000);

  afterAll(async () => {
    await broker?.close();
  });

  it('serves an item released before the newest 100 public ones, and only while it is public', async () => {
    const oldest = await publish('The oldest public advisory', 'TLP:CLEAR', {
      indicators: [{ type: 'domain', value: 'oldest.example' }],
    });
    await routed(oldest);
    const retracted = await publish('Public, then retracted');
    await routed(retracted);
    const green = await publish('Not for the public', 'TLP:GREEN', { audience: { communities: ['eu-csirt'] } });
    await routed(green);
    // A hundred newer public items, published in batches: the list shows at most the newest 100.
    const newer: string[] = [];
    for (let batch = 0; batch < 10; batch += 1) {
      newer.push(
        ...(await Promise.all(Array.from({ length: 10 }, (_, n) => publish(`Newer advisory ${batch * 10 + n}`)))),
      );
    }
    // One at a time: a hundred pollers at once would slow the routing they wait for.
    for (const id of newer) await routed(id);
    expect(
      (
        await http(broker.url, 'POST', `/items/${retracted}/retract`, {
          key: broker.analystKey,
          json: { reason: 'published by mistake' },
        })
      ).status,
    ).toBe(200);

    const list = (await http(broker.url, 'GET', '/public/items')).body.items as { id: string }[];
    expect(list).toHaveLength(100);
    expect(new Set(list.map((item) => item.id))).toEqual(new Set(newer));

    const found = await http(broker.url, 'GET', `/public/items/${oldest}`);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({
      id: oldest,
      version: 1,
      tlp: 'TLP:CLEAR',
      title: 'The oldest public advisory',
      indicators: [{ type: 'domain', value: 'oldest.example' }],
    });
    expect((await http(broker.url, 'GET', `/public/items/${newer[0]}`)).body.title).toBe('Newer advisory 0');
    for (const hidden of [retracted, green, '00000000-0000-4000-8000-000000000000']) {
      const answer = await http(broker.url, 'GET', `/public/items/${hidden}`);
      expect(answer.status, hidden).toBe(404);
      expect(answer.body.message).toBe(`no public item ${hidden}`);
    }
  }, 120_000);
});
