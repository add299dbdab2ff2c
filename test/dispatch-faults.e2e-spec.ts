import { INestApplicationContext } from '@nestjs/common';
import * as openpgp from 'openpgp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../apps/dispatcher/src/bootstrap';
import { DeliveryService } from '../apps/dispatcher/src/delivery/delivery.service';
import { RoutingService } from '../apps/dispatcher/src/routing/routing.service';
import { deleteKeysUnder } from '@tlp-broker/queue';
import { countRows, startBroker, startDispatchSteps, TestBroker } from './support/broker';
import { TEST_REDIS_URL } from './support/databases';
import { eventually, http } from './support/http';
import { publishItem } from './support/items';
import { postOrganisation, registerPartner, TestPartner } from './support/partners';

/**
 * What happens when parts fail: the dispatcher down while analysts publish, Redis losing every
 * job, a partner suspended or a key revoked between routing and sending, the same work done twice.
 * PostgreSQL is the source of truth throughout: nothing accepted is lost, nothing is sent twice,
 * nothing reaches a recipient the rules exclude.
 */
describe('dispatch under faults', () => {
  let broker: TestBroker;
  let peer: TestPartner;
  let other: TestPartner;
  /** Routing and delivery services without workers, to run each step by hand. */
  let steps: INestApplicationContext;
  let dispatcher: INestApplicationContext | null = null;

  const publish = async (tlp: string, title: string, organisations: string[] = []) => {
    const { id } = await publishItem(broker.url, broker.analystKey, {
      title,
      body: title,
      tlp,
      audience: organisations.length > 0 ? { organisations } : {},
    });
    const [version] = await broker.db.query('SELECT id FROM item_versions WHERE item_id = $1', [id]);
    return { itemId: id, versionId: version.id as string };
  };

  const deliveries = (
    versionId: string,
  ): Promise<{ id: string; state: string; channel_id: string; last_error: string | null; attempts: number }[]> =>
    broker.db.query(
      'SELECT id, state, channel_id, last_error, attempts FROM deliveries WHERE item_version_id = $1 ORDER BY channel_id',
      [versionId],
    );

  const feedEntries = (versionId: string) =>
    countRows(
      broker,
      'SELECT count(*) FROM feed_entries f JOIN deliveries d ON d.id = f.delivery_id WHERE d.item_version_id = $1',
      [versionId],
    );

  const dropRedisKeys = () => deleteKeysUnder(TEST_REDIS_URL, broker.redisPrefix);

  beforeAll(async () => {
    broker = await startBroker({ dispatcher: false, env: { RECONCILE_AFTER_MS: '300', RECONCILE_INTERVAL_MS: '200' } });
    peer = await registerPartner(broker.url, broker.adminKey, {
      name: 'CERT-EU',
      relation: 'peer',
      communities: ['eu-csirt'],
    });
    other = await registerPartner(broker.url, broker.adminKey, {
      name: 'NCSC-NL',
      relation: 'peer',
      communities: ['eu-csirt'],
    });
    steps = await startDispatchSteps(broker);
  });

  afterEach(async () => {
    await dispatcher?.close();
    dispatcher = null;
  });

  afterAll(async () => {
    await steps?.close();
    await broker?.close();
  });

  it('keeps what is published while the dispatcher is down, and delivers it when it starts', async () => {
    const first = await publish('TLP:CLEAR', 'published while down 1');
    const second = await publish('TLP:GREEN', 'published while down 2', [peer.id]);
    expect(await deliveries(first.versionId)).toHaveLength(0);

    dispatcher = await createDispatcher(broker.config);
    await eventually(
      async () => (await deliveries(first.versionId)).filter((d) => d.state === 'delivered').length === 2,
    );
    await eventually(
      async () => (await deliveries(second.versionId)).filter((d) => d.state === 'delivered').length === 1,
    );
    expect(await feedEntries(first.versionId)).toBe(2);
    expect(await feedEntries(second.versionId)).toBe(1);
  });

  it('loses nothing when Redis loses every job: the outbox and the reconciler enqueue again', async () => {
    // Routed and enqueued, then Redis forgets everything before any delivery is made.
    const routed = await publish('TLP:AMBER', 'jobs lost after routing', [peer.id, other.id]);
    const outcome = await steps.get(RoutingService).route(routed.versionId);
    expect(outcome).toMatchObject({ allowed: 2, alreadyRouted: false });
    // Enqueued to routing by a relay, then lost before routing.
    const pending = await publish('TLP:AMBER', 'jobs lost before routing', [peer.id]);
    await broker.db.query(`UPDATE outbox SET enqueued_at = now() WHERE item_version_id = $1`, [pending.versionId]);
    expect(await dropRedisKeys()).toBeGreaterThan(0);

    dispatcher = await createDispatcher(broker.config);
    await eventually(async () => (await deliveries(routed.versionId)).every((d) => d.state === 'delivered'));
    await eventually(async () => (await deliveries(pending.versionId)).some((d) => d.state === 'delivered'));
    expect(await feedEntries(routed.versionId)).toBe(2);
    expect(await feedEntries(pending.versionId)).toBe(1);
  });

  it('routes an item version once, however often it is asked', async () => {
    const item = await publish('TLP:CLEAR', 'routed twice');
    const routing = steps.get(RoutingService);
    const [a, b] = await Promise.all([routing.route(item.versionId), routing.route(item.versionId)]);
    expect([a.alreadyRouted, b.alreadyRouted].sort()).toEqual([false, true]);
    expect(await routing.route(item.versionId)).toMatchObject({ alreadyRouted: true });
    const [{ count }] = await broker.db.query('SELECT count(*) FROM decisions WHERE item_version_id = $1', [
      item.versionId,
    ]);
    expect(Number(count)).toBe(2);
    expect(await deliveries(item.versionId)).toHaveLength(2);
  });

  it('delivers once when two workers carry out the same delivery', async () => {
    const item = await publish('TLP:AMBER', 'delivered twice', [peer.id]);
    await steps.get(RoutingService).route(item.versionId);
    const [delivery] = await deliveries(item.versionId);
    const service = steps.get(DeliveryService);
    const outcomes = await Promise.all([
      service.deliver(delivery.id),
      service.deliver(delivery.id),
      service.deliver(delivery.id),
    ]);
    expect(outcomes.filter((o) => o === 'delivered')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'already-done')).toHaveLength(2);
    expect(await service.deliver(delivery.id)).toBe('already-done');
    expect(await feedEntries(item.versionId)).toBe(1);
  });

  it('stops a queued delivery to a partner suspended after routing', async () => {
    const victim = await registerPartner(broker.url, broker.adminKey, { name: 'Suspended CSIRT', relation: 'peer' });
    const item = await publish('TLP:AMBER', 'partner suspended while queued', [victim.id]);
    await steps.get(RoutingService).route(item.versionId);
    const [delivery] = await deliveries(item.versionId);
    expect(delivery.state).toBe('queued');

    await broker.db.query(`UPDATE organisations SET status = 'suspended' WHERE id = $1`, [victim.id]);
    expect(await steps.get(DeliveryService).deliver(delivery.id)).toBe('cancelled');
    const [after] = await deliveries(item.versionId);
    expect(after.state).toBe('cancelled');
    expect(after.last_error).toContain('Suspended CSIRT is suspended');
    expect(await feedEntries(item.versionId)).toBe(0);
    const feed = await http(broker.url, 'GET', '/feed', { key: victim.feedKey });
    expect(feed.status).toBe(401); // a suspended partner's credential no longer opens its feed
  });

  it('stops a queued delivery to a channel an administrator suspends, and delivers again once it is reinstated', async () => {
    const victim = await registerPartner(broker.url, broker.adminKey, {
      name: 'Channel-suspended CSIRT',
      relation: 'peer',
    });
    const path = `/organisations/${victim.id}/channels/${victim.channelId}`;
    const item = await publish('TLP:AMBER', 'channel suspended while queued', [victim.id]);
    await steps.get(RoutingService).route(item.versionId);
    const [delivery] = await deliveries(item.versionId);
    expect(delivery.state).toBe('queued');

    expect(
      (await http(broker.url, 'PATCH', path, { key: broker.analystKey, json: { status: 'suspended' } })).status,
    ).toBe(403);
    const refused = await http(broker.url, 'PATCH', path, { key: broker.adminKey, json: { status: 'paused' } });
    expect(refused.status).toBe(400);
    expect(refused.body.details[0].field).toBe('status');
    expect(
      (
        await http(broker.url, 'PATCH', `/organisations/${other.id}/channels/${victim.channelId}`, {
          key: broker.adminKey,
          json: { status: 'suspended' },
        })
      ).status,
    ).toBe(404);
    const [{ status: unchanged }] = await broker.db.query('SELECT status FROM channels WHERE id = $1', [
      victim.channelId,
    ]);
    expect(unchanged).toBe('active');

    const suspended = await http(broker.url, 'PATCH', path, { key: broker.adminKey, json: { status: 'suspended' } });
    expect(suspended.status).toBe(200);
    expect(suspended.body.channels[0]).toMatchObject({ id: victim.channelId, status: 'suspended' });
    expect(await steps.get(DeliveryService).deliver(delivery.id)).toBe('cancelled');
    const [after] = await deliveries(item.versionId);
    expect(after).toMatchObject({ state: 'cancelled', last_error: expect.stringContaining('is suspended') });
    expect(await feedEntries(item.versionId)).toBe(0);
    expect((await http(broker.url, 'GET', '/feed', { key: victim.feedKey })).status).toBe(401);
    const [audit] = await broker.db.query(
      `SELECT details FROM audit_events WHERE action = 'channel.updated' AND subject_id = $1`,
      [victim.channelId],
    );
    expect(audit.details.status).toEqual({ from: 'active', to: 'suspended' });

    expect(
      (await http(broker.url, 'PATCH', path, { key: broker.adminKey, json: { status: 'active' } })).body.channels[0]
        .status,
    ).toBe('active');
    const next = await publish('TLP:AMBER', 'after the channel is reinstated', [victim.id]);
    await steps.get(RoutingService).route(next.versionId);
    const [reinstated] = await deliveries(next.versionId);
    expect(await steps.get(DeliveryService).deliver(reinstated.id)).toBe('delivered');
    expect((await http(broker.url, 'GET', '/feed', { key: victim.feedKey })).body.entries).toHaveLength(1);
  });

  it('stops a queued delivery whose key was revoked after routing, and records why', async () => {
    const victim = await registerPartner(broker.url, broker.adminKey, { name: 'Revoked-key CERT', relation: 'peer' });
    const item = await publish('TLP:AMBER+STRICT', 'key revoked while queued', [victim.id]);
    await steps.get(RoutingService).route(item.versionId);
    const [delivery] = await deliveries(item.versionId);

    await broker.db.query(`UPDATE recipient_keys SET revoked_at = now() WHERE organisation_id = $1`, [victim.id]);
    expect(await steps.get(DeliveryService).deliver(delivery.id)).toBe('cancelled');
    const [after] = await deliveries(item.versionId);
    expect(after.state).toBe('cancelled');
    expect(after.last_error).toMatch(/is revoked/);
    const [audit] = await broker.db.query(
      `SELECT details FROM audit_events WHERE action = 'delivery.cancelled' AND subject_id = $1`,
      [delivery.id],
    );
    expect(audit.details).toMatchObject({ code: 'key.revoked' });
    expect(await feedEntries(item.versionId)).toBe(0);
  });

  it('stops a queued delivery whose key expired while it waited, with a clear state', async () => {
    const { publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Short-lived', email: 'soc@short-lived.example' }],
      keyExpirationTime: 3,
    });
    const registered = await postOrganisation(broker.url, broker.adminKey, 'Short-lived CERT', publicKey, {
      communities: [],
    });
    expect(registered.status).toBe(201);
    const item = await publish('TLP:AMBER', 'key expired while queued', [registered.body.id]);
    await steps.get(RoutingService).route(item.versionId);
    const [delivery] = await deliveries(item.versionId);
    expect(delivery.state).toBe('queued');

    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, Date.parse(registered.body.key.expiresAt) - Date.now()) + 200),
    );
    expect(await steps.get(DeliveryService).deliver(delivery.id)).toBe('cancelled');
    const [after] = await deliveries(item.versionId);
    expect(after.state).toBe('cancelled');
    expect(after.last_error).toMatch(/expired on/);
    expect(await feedEntries(item.versionId)).toBe(0);
  });

  const retract = async (itemId: string) => {
    const response = await http(broker.url, 'POST', `/items/${itemId}/retract`, {
      key: broker.analystKey,
      json: { reason: 'withdrawn in a test' },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as { cancelled: number; recalls: number; removedFromFeeds: number };
  };

  const recallsOf = (versionId: string): Promise<{ id: string; channel_id: string; state: string }[]> =>
    broker.db.query(`SELECT id, channel_id, state FROM deliveries WHERE item_version_id = $1 AND kind = 'recall'`, [
      versionId,
    ]);

  const itemEntriesIn = (channelId: string, itemId: string) =>
    countRows(broker, `SELECT count(*) FROM feed_entries WHERE channel_id = $1 AND item_id = $2 AND entry = 'item'`, [
      channelId,
      itemId,
    ]);

  it('retracting stops what was not yet sent, and recalls nothing from those who never had the item', async () => {
    const item = await publish('TLP:AMBER', 'retracted while queued', [peer.id, other.id]);
    await steps.get(RoutingService).route(item.versionId);
    expect(await retract(item.itemId)).toMatchObject({ cancelled: 2, recalls: 0, removedFromFeeds: 0 });
    const rows = await deliveries(item.versionId);
    expect(rows.map((row) => row.state)).toEqual(['cancelled', 'cancelled']);
    expect(rows[0].last_error).toContain('retracted');
    // The jobs of those deliveries, run afterwards, change nothing.
    for (const row of rows) expect(await steps.get(DeliveryService).deliver(row.id)).toBe('already-done');
    expect(await feedEntries(item.versionId)).toBe(0);
    expect(await recallsOf(item.versionId)).toEqual([]);
  });

  it('does not send again a delivery that was handed to its channel before a retraction, and recalls it', async () => {
    const item = await publish('TLP:AMBER', 'retracted while in flight', [peer.id, other.id]);
    await steps.get(RoutingService).route(item.versionId);
    const [first, second] = await deliveries(item.versionId);
    // A worker handed `first` to its channel and was killed before it recorded the outcome.
    await broker.db.query(`UPDATE deliveries SET state = 'sending', handed_at = now() WHERE id = $1`, [first.id]);
    expect(await retract(item.itemId)).toMatchObject({ cancelled: 1, recalls: 1 });
    expect((await deliveries(item.versionId)).find((row) => row.id === second.id)!.state).toBe('cancelled');

    const service = steps.get(DeliveryService);
    // Its job comes back to a worker: the item is retracted, so it is not sent again…
    expect(await service.deliver(first.id)).toBe('cancelled');
    // …and the recipient, who may hold it, gets the recall.
    const recalls = await recallsOf(item.versionId);
    expect(recalls.map((row) => row.channel_id)).toEqual([first.channel_id]);
    expect(await service.deliver(recalls[0].id)).toBe('delivered');
    const partner = [peer, other].find((p) => p.channelId === first.channel_id)!;
    const feed = await http(broker.url, 'GET', '/feed', { key: partner.feedKey });
    const entries = feed.body.entries.filter((entry: { itemId: string }) => entry.itemId === item.itemId);
    expect(entries.map((entry: { entry: string }) => entry.entry)).toEqual(['recall']);
    const notice = JSON.parse(
      (
        await openpgp.decrypt({
          message: await openpgp.readMessage({ armoredMessage: entries[0].message }),
          decryptionKeys: partner.privateKey,
        })
      ).data as string,
    );
    expect(notice).toMatchObject({ id: item.itemId, recall: 'retracted', versions: [1] });
  });

  it('leaves no copy in a feed when a delivery and a retraction meet, whichever finishes first', async () => {
    const item = await publish('TLP:AMBER', 'delivery meets retraction', [peer.id]);
    await steps.get(RoutingService).route(item.versionId);
    const [delivery] = await deliveries(item.versionId);
    // Someone holds the item's row (as routing or a retraction does) while the delivery runs.
    const runner = broker.db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await runner.query('SELECT id FROM items WHERE id = $1 FOR UPDATE', [item.itemId]);
    const delivering = steps.get(DeliveryService).deliver(delivery.id);
    await eventually(async () => (await deliveries(item.versionId))[0].state === 'sending');
    const retraction = retract(item.itemId);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await runner.commitTransaction();
    await runner.release();
    const [outcome, retracted] = await Promise.all([delivering, retraction]);
    expect(['delivered', 'cancelled']).toContain(outcome);
    // Either way the recipient was handed the item, so the retraction queues one recall for it,
    // and the delivery, whatever it found, adds none.
    expect(retracted.recalls).toBe(1);
    const recalls = await recallsOf(item.versionId);
    expect(recalls).toHaveLength(1);
    expect(await steps.get(DeliveryService).deliver(recalls[0].id)).toBe('delivered');
    expect(await itemEntriesIn(peer.channelId, item.itemId)).toBe(0);
  });

  it('sends only the new version when an update is released before the first version was routed', async () => {
    const item = await publish('TLP:AMBER', 'first version, never routed', [peer.id, other.id]);
    const updated = await http(broker.url, 'PUT', `/items/${item.itemId}`, {
      key: broker.analystKey,
      json: {
        type: 'advisory',
        title: 'second version',
        body: 'second version',
        tlp: 'TLP:AMBER',
        audience: { organisations: [peer.id] },
      },
    });
    expect(updated.status).toBe(200);
    dispatcher = await createDispatcher(broker.config);
    const [v2] = await broker.db.query('SELECT id FROM item_versions WHERE item_id = $1 AND version = 2', [
      item.itemId,
    ]);
    await eventually(async () => (await deliveries(v2.id)).some((row) => row.state === 'delivered'));
    await eventually(
      async () =>
        (await broker.db.query('SELECT processed_at FROM outbox WHERE item_version_id = $1', [item.versionId]))[0]
          .processed_at !== null,
    );
    expect(await deliveries(item.versionId)).toEqual([]);
    expect((await deliveries(v2.id)).map((row) => row.channel_id)).toEqual([peer.channelId]);
    expect(await itemEntriesIn(other.channelId, item.itemId)).toBe(0);
    const [skipped] = await broker.db.query(
      `SELECT details FROM audit_events WHERE action = 'item.routing-skipped' AND subject_id = $1`,
      [item.itemId],
    );
    expect(skipped.details).toMatchObject({ version: 1, reason: expect.stringContaining('version 2') });
  });

  it('cancels deliveries of an earlier version not yet sent when a later version is routed', async () => {
    const item = await publish('TLP:AMBER', 'superseded while queued', [peer.id]);
    await steps.get(RoutingService).route(item.versionId);
    const updated = await http(broker.url, 'PUT', `/items/${item.itemId}`, {
      key: broker.analystKey,
      json: {
        type: 'advisory',
        title: 'superseding version',
        body: 'superseding version',
        tlp: 'TLP:AMBER',
        audience: { organisations: [peer.id] },
      },
    });
    expect(updated.status).toBe(200);
    const [v2] = await broker.db.query('SELECT id FROM item_versions WHERE item_id = $1 AND version = 2', [
      item.itemId,
    ]);
    expect(await steps.get(RoutingService).route(v2.id)).toMatchObject({ allowed: 1, recalls: 0 });
    const [old] = await deliveries(item.versionId);
    expect(old).toMatchObject({ state: 'cancelled', last_error: 'Superseded by version 2 before it was sent.' });
    const [fresh] = await deliveries(v2.id);
    expect(await steps.get(DeliveryService).deliver(old.id)).toBe('already-done');
    expect(await steps.get(DeliveryService).deliver(fresh.id)).toBe('delivered');
    expect(await feedEntries(v2.id)).toBe(1);
    expect(await feedEntries(item.versionId)).toBe(0);
  });
});
