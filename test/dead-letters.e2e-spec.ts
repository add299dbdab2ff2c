import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { eventually, http } from './support/http';
import { registerPartner, TestPartner } from './support/partners';

/**
 * A delivery that keeps failing is retried with back-off, then becomes dead: visible over the API
 * with its last error, and an administrator can send it again once the cause is fixed.
 */
describe('retries and dead letters', () => {
  let broker: TestBroker;
  let partner: TestPartner;

  beforeAll(async () => {
    broker = await startBroker({ env: { DELIVERY_ATTEMPTS: '3', DELIVERY_BACKOFF_MS: '50' } });
    partner = await registerPartner(broker.url, broker.adminKey, {
      name: 'Flaky CERT',
      relation: 'peer',
      communities: ['eu-csirt'],
    });
  });

  afterAll(async () => {
    await broker?.close();
  });

  it('retries a failing delivery, then lists it as dead with its last error; a retry after the fix delivers it once', async () => {
    // The stored key becomes unreadable: every attempt fails until an administrator repairs it.
    const [{ armored }] = await broker.db.query('SELECT armored FROM recipient_keys WHERE organisation_id = $1', [
      partner.id,
    ]);
    await broker.db.query(`UPDATE recipient_keys SET armored = 'damaged' WHERE organisation_id = $1`, [partner.id]);
    const published = await http(broker.url, 'POST', '/items', {
      key: broker.analystKey,
      json: {
        type: 'advisory',
        title: 'Retried advisory',
        body: 'Details',
        tlp: 'TLP:AMBER',
        audience: { organisations: [partner.id] },
      },
    });
    const dead = await eventually(async () => {
      const list = await http(broker.url, 'GET', '/deliveries?state=dead', { key: broker.analystKey });
      return (list.body as { id: string; itemId: string; lastError: string }[]).find(
        (row) => row.itemId === published.body.id,
      );
    });
    expect(dead).toMatchObject({
      state: 'dead',
      attempts: 3,
      organisation: 'Flaky CERT',
      channel: 'feed',
      tlp: 'TLP:AMBER',
    });
    expect(dead.lastError).toMatch(/armored|Misformed|armor/i);
    expect((await http(broker.url, 'GET', '/feed', { key: partner.feedKey })).body.entries).toHaveLength(0);

    const id = dead.id;
    expect((await http(broker.url, 'POST', `/deliveries/${id}/retry`, { key: broker.analystKey })).status).toBe(403);
    await broker.db.query('UPDATE recipient_keys SET armored = $2 WHERE organisation_id = $1', [partner.id, armored]);
    const retried = await http(broker.url, 'POST', `/deliveries/${id}/retry`, { key: broker.adminKey });
    expect(retried.status).toBe(200);
    await eventually(
      async () =>
        (await http(broker.url, 'GET', `/deliveries/${id}`, { key: broker.analystKey })).body.state === 'delivered',
    );
    const feed = await http(broker.url, 'GET', '/feed', { key: partner.feedKey });
    expect(feed.body.entries.map((entry: { id: string }) => entry.id)).toEqual([id]);

    const again = await http(broker.url, 'POST', `/deliveries/${id}/retry`, { key: broker.adminKey });
    expect(again.status).toBe(409);
    const [audit] = await broker.db.query(
      `SELECT count(*) FROM audit_events WHERE action IN ('delivery.dead', 'delivery.retried', 'delivery.delivered') AND subject_id = $1`,
      [id],
    );
    expect(Number(audit.count)).toBe(3);
  });

  it('answers 400 for an unknown state and 404 for an unknown delivery', async () => {
    expect((await http(broker.url, 'GET', '/deliveries?state=lost', { key: broker.analystKey })).status).toBe(400);
    expect(
      (await http(broker.url, 'GET', '/deliveries/5b0b5c4e-8f0e-4a53-9d0e-0c1f7a8f2b11', { key: broker.analystKey }))
        .status,
    ).toBe(404);
  });
});
