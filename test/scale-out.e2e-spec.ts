import { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '@tlp-broker/channels';
import { generateKeyPair } from '@tlp-broker/crypto';
import { startBroker, TestBroker } from './support/broker';
import { eventually, http } from './support/http';
import { postOrganisation } from './support/partners';
import { Peer, startWebhookPeer } from './support/peers';
import { ApiProcess, builtEntry, startApiProcess, startProcess, stopProcess } from './support/processes';

/** Partners 0..149; every third one is reached by webhook, the others pull a feed. */
const PARTNERS = 150;
/** The last ten partners are outside the community the TLP:GREEN items go to. */
const MEMBERS = 140;
const GREEN_ITEMS = 4;
/** Named in the TLP:AMBER item's audience: members reached both ways, and two outsiders (a webhook and a feed). */
const AMBER_AUDIENCE = [0, 1, 2, 3, 4, 5, 144, 145];
/** The receiver answers each call this late, so that deliveries are in flight when a dispatcher dies. */
const WEBHOOK_DELAY_MS = 40;
const SECRET = 'scale-out webhook secret';

const isWebhook = (index: number) => index % 3 === 0;

interface Partner {
  readonly index: number;
  readonly organisationId: string;
  readonly channelId: string;
  readonly feedKey: string | null;
}

interface Published {
  readonly itemId: string;
  readonly versionId: string;
  readonly tlp: 'TLP:GREEN' | 'TLP:AMBER';
  /** Partner indexes the rules let it reach. */
  readonly allowed: ReadonlySet<number>;
}

/** One HTTP call the partners' webhook endpoint received. */
interface Received {
  readonly partner: number;
  readonly deliveryHeader: string;
  readonly idempotencyKey: string;
  readonly signed: boolean;
  readonly itemId: string;
  readonly version: number;
  readonly deliveryId: string;
}

/**
 * The broker past one process: two API processes and two dispatcher processes, built as production
 * runs them, sharing one PostgreSQL database, one Redis and one REDIS_PREFIX. Items are published
 * through both APIs in turn to 150 partners (feeds and webhooks); one dispatcher is killed with
 * SIGKILL in the middle of the fan-out and the other carries on alone. What partners and the team
 * see at the end: one delivery per allowed decision, each webhook delivery received under one
 * delivery id, each feed holding each item once (the same through either API), nothing where the
 * rules said no, and an intact audit trail.
 */
describe('two APIs and two dispatchers sharing the queues', () => {
  let broker: TestBroker;
  let receiver: Peer;
  const received: Received[] = [];
  const apis: ApiProcess[] = [];
  const dispatchers: ChildProcess[] = [];
  const partners: Partner[] = [];

  beforeAll(async () => {
    builtEntry('api');
    builtEntry('dispatcher');
    receiver = await startWebhookPeer((request, body, response) => {
      const payload = JSON.parse(body.toString('utf8'));
      received.push({
        partner: Number(/^\/hook\/(\d+)$/.exec(request.url ?? '')?.[1] ?? -1),
        deliveryHeader: String(request.headers['x-tlpb-delivery']),
        idempotencyKey: String(request.headers['idempotency-key']),
        signed: verifyWebhookSignature({
          secret: SECRET,
          timestamp: request.headers['x-tlpb-timestamp'] as string | undefined,
          signature: request.headers['x-tlpb-signature'] as string | undefined,
          body,
          nowSeconds: Math.floor(Date.now() / 1000),
        }).ok,
        itemId: payload.itemId,
        version: payload.version,
        deliveryId: payload.deliveryId,
      });
      setTimeout(() => response.writeHead(200).end(), WEBHOOK_DELAY_MS);
    });
    broker = await startBroker({
      dispatcher: false,
      env: {
        WEBHOOK_ALLOW_LIST: '127.0.0.1',
        CHANNEL_RATE_LIMIT: '100000',
        // A killed dispatcher's jobs go back to the queue about 2 s after its last lock renewal,
        // and the surviving one looks for such jobs every 2 s.
        JOB_LOCK_MS: '2000',
        DELIVERY_BACKOFF_MS: '100',
        LOG_LEVEL: 'error',
      },
    });
    const started = await Promise.allSettled([startApiProcess(broker.env), startApiProcess(broker.env)]);
    for (const api of started) if (api.status === 'fulfilled') apis.push(api.value);
    for (const api of started) if (api.status === 'rejected') throw api.reason;
    dispatchers.push(startProcess('dispatcher', broker.env), startProcess('dispatcher', broker.env));
    for (let start = 0; start < PARTNERS; start += 10) {
      const batch = Array.from({ length: Math.min(10, PARTNERS - start) }, (_, k) => start + k);
      partners.push(...(await Promise.all(batch.map((index) => register(index)))));
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...dispatchers, ...apis.map((api) => api.child)].map((child) => stopProcess(child, 'SIGKILL')));
    await broker?.close();
    await receiver?.close();
  });

  /** Registers partner `index` through one API or the other: either serves the whole team. */
  async function register(index: number): Promise<Partner> {
    const name = `Scale partner ${String(index).padStart(3, '0')}`;
    const pair = await generateKeyPair({ name, email: `soc@scale-${index}.example` });
    const channel = isWebhook(index)
      ? { kind: 'webhook', address: `${receiver.url}/hook/${index}`, secret: SECRET }
      : { kind: 'feed' };
    const response = await postOrganisation(apis[index % 2].url, broker.adminKey, name, pair.publicArmored, {
      kind: 'csirt',
      communities: [index < MEMBERS ? 'scale-out' : 'elsewhere'],
      channels: [channel],
    });
    if (response.status !== 201)
      throw new Error(`registering ${name}: ${response.status} ${JSON.stringify(response.body)}`);
    const [created] = response.body.channels;
    return { index, organisationId: response.body.id, channelId: created.id, feedKey: created.apiKey ?? null };
  }

  /** Publishes through API #1 or #2 as `through` says; the version and whom the rules let it reach. */
  async function publish(through: number, number: number, tlp: Published['tlp']): Promise<Published> {
    const audience =
      tlp === 'TLP:GREEN'
        ? { communities: ['scale-out'] }
        : { organisations: AMBER_AUDIENCE.map((index) => partners[index].organisationId) };
    const response = await http(apis[through].url, 'POST', '/items', {
      key: broker.analystKey,
      json: {
        type: 'advisory',
        title: `Scale-out advisory ${number}`,
        body: `Indicators for the partners, item ${number}.\n`.repeat(100),
        tlp,
        audience,
      },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    const [{ id: versionId }] = await broker.db.query('SELECT id FROM item_versions WHERE item_id = $1', [
      response.body.id,
    ]);
    const allowed = new Set(
      tlp === 'TLP:GREEN' ? partners.filter((p) => p.index < MEMBERS).map((p) => p.index) : AMBER_AUDIENCE,
    );
    return { itemId: response.body.id, versionId, tlp, allowed };
  }

  /** Deliveries of the published versions by state. */
  async function states(versionIds: string[]): Promise<Record<string, number>> {
    const rows: { state: string; count: number }[] = await broker.db.query(
      'SELECT state, count(*)::int AS count FROM deliveries WHERE item_version_id = ANY($1) GROUP BY state',
      [versionIds],
    );
    return Object.fromEntries(rows.map((row) => [row.state, row.count]));
  }

  it('delivers every allowed item once, to the right partners only, with a dispatcher killed mid-fan-out', async () => {
    const items: Published[] = [];
    for (let number = 0; number < GREEN_ITEMS; number += 1) items.push(await publish(number % 2, number, 'TLP:GREEN'));
    items.push(await publish(GREEN_ITEMS % 2, GREEN_ITEMS, 'TLP:AMBER'));
    const versionIds = items.map((item) => item.versionId);
    const expected = items.reduce((sum, item) => sum + item.allowed.size, 0);

    // SIGKILL, not a clean stop: the dispatcher leaves jobs locked and deliveries half-sent.
    const atKill = await eventually(
      async () => {
        const now = await states(versionIds);
        return (now.delivered ?? 0) >= expected / 4 ? now : undefined;
      },
      60_000,
      20,
      'a quarter of the fan-out delivered',
    );
    await stopProcess(dispatchers[0], 'SIGKILL');
    const killedAt = Date.now();
    expect(atKill.delivered).toBeLessThan(expected);

    const final = await eventually(
      async () => {
        const now = await states(versionIds);
        const open = (now.queued ?? 0) + (now.sending ?? 0) + (now.failed ?? 0);
        return open === 0 && Object.values(now).reduce((a, b) => a + b, 0) === expected ? now : undefined;
      },
      90_000,
      100,
      'every delivery finished by the surviving dispatcher',
    );
    const recoveredMs = Date.now() - killedAt;
    expect(final).toEqual({ delivered: expected });
    expect(dispatchers[1].exitCode).toBeNull();

    // One decision per (version, partner channel), allowing exactly whom the rules allow, and one
    // delivery row per allowed decision, delivered; none for a denied one.
    const decisions: { versionId: string; channelId: string; allow: boolean; rows: number; delivered: number }[] =
      await broker.db.query(
        `SELECT dec.item_version_id AS "versionId", dec.channel_id AS "channelId", dec.allow,
                count(del.id)::int AS rows, count(del.id) FILTER (WHERE del.state = 'delivered')::int AS delivered
           FROM decisions dec
           LEFT JOIN deliveries del ON del.decision_id = dec.id
          WHERE dec.item_version_id = ANY($1)
          GROUP BY dec.id`,
        [versionIds],
      );
    const byChannel = new Map(partners.map((partner) => [partner.channelId, partner.index]));
    for (const item of items) {
      const ofVersion = decisions.filter((decision) => decision.versionId === item.versionId);
      expect(ofVersion.map((decision) => byChannel.get(decision.channelId)).sort((a, b) => a! - b!)).toEqual(
        partners.map((partner) => partner.index),
      );
      const allowed = ofVersion
        .filter((decision) => decision.allow)
        .map((decision) => byChannel.get(decision.channelId));
      expect(new Set(allowed)).toEqual(item.allowed);
      for (const decision of ofVersion) {
        expect({ rows: decision.rows, delivered: decision.delivered }).toEqual(
          decision.allow ? { rows: 1, delivered: 1 } : { rows: 0, delivered: 0 },
        );
      }
    }
    const [{ rows: allRows }] = await broker.db.query(
      'SELECT count(*)::int AS rows FROM deliveries WHERE item_version_id = ANY($1)',
      [versionIds],
    );
    expect(allRows).toBe(expected);

    // The webhook endpoint: each (item version, partner channel) the rules allow arrived under one
    // delivery id, the delivery row's, and nothing arrived for a denied one. Delivery is
    // at-least-once at the HTTP level: a dispatcher killed between the call and its record leaves
    // the delivery `sending`, and the next worker calls again with the same delivery id and
    // Idempotency-Key (README, "Receiving deliveries": partners drop duplicate idempotency keys).
    // So distinct delivery ids are counted, and every repeated call must carry the same ones.
    expect(received.every((call) => call.signed)).toBe(true);
    for (const call of received) {
      expect(call.deliveryHeader).toBe(call.deliveryId);
      expect(call.idempotencyKey).toBe(`delivery-${call.deliveryId}`);
    }
    const deliveryRows: { id: string; itemId: string; version: number; channelId: string }[] = await broker.db.query(
      `SELECT d.id, v.item_id AS "itemId", v.version, d.channel_id AS "channelId"
         FROM deliveries d JOIN item_versions v ON v.id = d.item_version_id
        WHERE d.item_version_id = ANY($1)`,
      [versionIds],
    );
    const rowOf = new Map(
      deliveryRows.map((row) => [`${row.itemId}/${row.version}/${byChannel.get(row.channelId)}`, row.id]),
    );
    const idsAt = new Map<string, Set<string>>();
    for (const call of received) {
      const key = `${call.itemId}/${call.version}/${call.partner}`;
      idsAt.set(key, (idsAt.get(key) ?? new Set()).add(call.deliveryId));
    }
    const expectedHooks = items.flatMap((item) =>
      [...item.allowed].filter(isWebhook).map((index) => `${item.itemId}/1/${index}`),
    );
    expect([...idsAt.keys()].sort()).toEqual(expectedHooks.sort());
    for (const key of expectedHooks) expect([...idsAt.get(key)!]).toEqual([rowOf.get(key)]);

    // Each feed partner's feed holds each item it may receive once, and nothing else; both API
    // processes serve the same feed, whichever of them the item was published through.
    const feedPartners = partners.filter((partner) => partner.feedKey !== null);
    for (let start = 0; start < feedPartners.length; start += 10) {
      await Promise.all(
        feedPartners.slice(start, start + 10).map(async (partner) => {
          const wanted = items
            .filter((item) => item.allowed.has(partner.index))
            .map((item) => `${item.itemId}/1/item`)
            .sort();
          const pages = await Promise.all(
            apis.map((api) => http(api.url, 'GET', '/feed?limit=100', { key: partner.feedKey! })),
          );
          for (const page of pages) {
            expect(page.status).toBe(200);
            const held = page.body.entries.map((e: { itemId: string; version: number; entry: string }) =>
              [e.itemId, e.version, e.entry].join('/'),
            );
            expect(held.sort(), `feed of partner ${partner.index}`).toEqual(wanted);
          }
          expect(pages[0].body).toEqual(pages[1].body);
        }),
      );
    }

    // The audit trail: one `delivery.delivered` event per delivery, and the chain intact although
    // several processes appended to it at once and one was killed in the middle of its work.
    const [{ events, subjects }] = await broker.db.query(
      `SELECT count(*)::int AS events, count(DISTINCT subject_id)::int AS subjects FROM audit_events
        WHERE action = 'delivery.delivered' AND subject_id = ANY($1)`,
      [deliveryRows.map((row) => row.id)],
    );
    expect({ events, subjects }).toEqual({ events: expected, subjects: expected });
    const verified = await http(apis[1].url, 'GET', '/audit/verify', { key: broker.adminKey });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ intact: true, firstBroken: null });

    const distinct = new Set(received.map((call) => call.deliveryId)).size;
    console.log(
      `scale-out: ${expected} deliveries (${expectedHooks.length} webhook), SIGKILL at ${JSON.stringify(atKill)}, ` +
        `final ${JSON.stringify(final)} ${(recoveredMs / 1000).toFixed(1)} s after the kill; webhook calls ${received.length} for ${distinct} delivery ids ` +
        `(${received.length - distinct} repeated after the kill, same delivery id)`,
    );
  }, 180_000);
});
