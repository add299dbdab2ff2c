import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '@tlp-broker/crypto';
import { QueueName, redisConnection } from '@tlp-broker/queue';
import { countRows, startBroker, TestBroker } from './support/broker';
import { eventually, http } from './support/http';
import { feedItemIds, publishItem } from './support/items';
import { postOrganisation, registerPartner, TestPartner } from './support/partners';
import { Peer, startWebhookPeer } from './support/peers';

const FEED_PARTNERS = 120;
const WEBHOOK_PARTNERS = 2;
/** The feed partner suspended after its item was routed, while its batch waits in the queue. */
const SUSPENDED = 7;
const COMMUNITY = 'fan-out';

/** One call the partners' webhook endpoint received. */
interface Received {
  readonly path: string;
  readonly itemId: string;
  readonly deliveryId: string;
}

interface DecisionRow {
  readonly organisationId: string;
  readonly channelId: string;
  readonly channel: string;
  readonly allow: boolean;
  readonly delivery: { id: string; state: string; attempts: number; lastError: string | null } | null;
}

/**
 * A fan-out to pull feeds carried in batches: one TLP:GREEN item to 120 feed partners and two
 * webhook partners. The feeds' deliveries go in batches on the feed-deliveries queue, the webhooks'
 * as jobs of their own; each partner gets the item once, a partner suspended while its batch waits
 * gets nothing, and every delivery is audited once in an intact trail. The relay polls the outbox
 * only once a minute here: items are routed at once because PostgreSQL notifies it of each publish.
 */
describe('fan-out to pull feeds in batches', () => {
  let broker: TestBroker;
  let hooks: Peer;
  let feedQueue: Queue;
  let deliveryQueue: Queue;
  const received: Received[] = [];
  const feedPartners: TestPartner[] = [];
  const webhookPartners: { id: string; channelId: string }[] = [];
  let outsider: TestPartner;

  beforeAll(async () => {
    hooks = await startWebhookPeer((request, body, response) => {
      const payload = JSON.parse(body.toString('utf8'));
      received.push({ path: request.url ?? '', itemId: payload.itemId, deliveryId: payload.deliveryId });
      response.writeHead(200).end();
    });
    broker = await startBroker({
      dispatcher: true,
      env: { WEBHOOK_ALLOW_LIST: '127.0.0.1', OUTBOX_POLL_MS: '60000', LOG_LEVEL: 'error' },
    });
    const queueOptions = { connection: redisConnection(broker.config.redis.url), prefix: broker.config.redis.prefix };
    feedQueue = new Queue(QueueName.FeedDeliveries, queueOptions);
    deliveryQueue = new Queue(QueueName.Delivery, queueOptions);
    for (let start = 0; start < FEED_PARTNERS; start += 10) {
      const names = Array.from({ length: 10 }, (_, k) => `Feed partner ${String(start + k).padStart(3, '0')}`);
      feedPartners.push(
        ...(await Promise.all(
          names.map((name) =>
            registerPartner(broker.url, broker.adminKey, { name, relation: 'peer', communities: [COMMUNITY] }),
          ),
        )),
      );
    }
    for (let index = 0; index < WEBHOOK_PARTNERS; index += 1) {
      const name = `Webhook partner ${index}`;
      const pair = await generateKeyPair({ name, email: `soc@hook-${index}.example` });
      const created = await postOrganisation(broker.url, broker.adminKey, name, pair.publicArmored, {
        communities: [COMMUNITY],
        channels: [{ kind: 'webhook', address: `${hooks.url}/hook/${index}` }],
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      webhookPartners.push({ id: created.body.id, channelId: created.body.channels[0].id });
    }
    outsider = await registerPartner(broker.url, broker.adminKey, {
      name: 'Outside the community',
      relation: 'peer',
      communities: ['elsewhere'],
    });
  }, 240_000);

  afterAll(async () => {
    await feedQueue?.close();
    await deliveryQueue?.close();
    await broker?.close();
    await hooks?.close();
  });

  const decisionsOf = async (itemId: string): Promise<{ routed: boolean; decisions: DecisionRow[] }> => {
    const response = await http(broker.url, 'GET', `/items/${itemId}/decisions`, { key: broker.analystKey });
    expect(response.status).toBe(200);
    return response.body;
  };

  /** Publishes a TLP:AMBER item for one partner; resolves with how long it took to be routed, in ms. */
  const routedIn = async (title: string) => {
    const started = Date.now();
    const item = await publishItem(broker.url, broker.analystKey, {
      title,
      tlp: 'TLP:AMBER',
      audience: { organisations: [feedPartners[0].id] },
    });
    await eventually(async () => (await decisionsOf(item.id)).routed, 10_000, 25, `${title} routed`);
    return { itemId: item.id, ms: Date.now() - started };
  };

  it('routes a published item within a moment, although the relay polls the outbox only once a minute', async () => {
    const first = await routedIn('Routed on notice');
    expect(first.ms).toBeLessThan(2_500);

    // Without the notice, an item waits for the poll: the relay last ran for the item above, so its
    // next poll is a minute away.
    await broker.db.query('ALTER TABLE outbox DISABLE TRIGGER outbox_notify');
    let waiting: { id: string };
    try {
      waiting = await publishItem(broker.url, broker.analystKey, {
        title: 'Published while no notice is sent',
        tlp: 'TLP:AMBER',
        audience: { organisations: [feedPartners[0].id] },
      });
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect((await decisionsOf(waiting.id)).routed).toBe(false);
    } finally {
      await broker.db.query('ALTER TABLE outbox ENABLE TRIGGER outbox_notify');
    }
    // The next notice moves every row due, the one left waiting included.
    const next = await routedIn('Routed on notice again');
    expect(next.ms).toBeLessThan(2_500);
    expect((await decisionsOf(waiting.id)).routed).toBe(true);
  });

  it('reaches each feed and each webhook once, and cancels the partner suspended while its batch waited', async () => {
    // Feed batches are held until the suspension is made; webhook jobs go on.
    await feedQueue.pause();
    let itemId: string;
    let routed: DecisionRow[];
    try {
      ({ id: itemId } = await publishItem(broker.url, broker.analystKey, {
        title: 'Fan-out to every feed of the community',
        tlp: 'TLP:GREEN',
        audience: { communities: [COMMUNITY] },
      }));
      routed = await eventually(
        async () => {
          const { routed: done, decisions } = await decisionsOf(itemId);
          const hooksDone = decisions.filter((d) => d.channel === 'webhook' && d.delivery?.state === 'delivered');
          return done && hooksDone.length === WEBHOOK_PARTNERS ? decisions : undefined;
        },
        30_000,
        50,
        'the item routed and its webhooks delivered',
      );
      const held = routed.filter((d) => d.channel === 'feed' && d.allow);
      expect(held).toHaveLength(FEED_PARTNERS);
      expect(held.every((d) => d.delivery?.state === 'queued')).toBe(true);
      const batches = await feedQueue.getJobs(['waiting', 'prioritized', 'delayed']);
      expect(batches.map((job) => job.data.deliveryIds.length).sort((a, b) => b - a)).toEqual([50, 50, 20]);
      expect(new Set(batches.flatMap((job) => job.data.deliveryIds as string[]))).toEqual(
        new Set(held.map((d) => d.delivery!.id)),
      );

      const suspended = await http(broker.url, 'PATCH', `/organisations/${feedPartners[SUSPENDED].id}`, {
        key: broker.adminKey,
        json: { status: 'suspended' },
      });
      expect(suspended.status).toBe(200);
    } finally {
      await feedQueue.resume();
    }

    const settled = await eventually(
      async () => {
        const { decisions } = await decisionsOf(itemId);
        const open = decisions.filter((d) => ['queued', 'failed', 'sending'].includes(d.delivery?.state ?? ''));
        return open.length === 0 ? decisions : undefined;
      },
      60_000,
      100,
      'every delivery of the fan-out finished',
    );
    const allowed = settled.filter((d) => d.allow);
    expect(allowed).toHaveLength(FEED_PARTNERS + WEBHOOK_PARTNERS);
    expect(settled.find((d) => d.organisationId === outsider.id)).toMatchObject({ allow: false, delivery: null });
    const victim = allowed.find((d) => d.organisationId === feedPartners[SUSPENDED].id)!;
    expect(victim.delivery).toMatchObject({
      state: 'cancelled',
      lastError: `${feedPartners[SUSPENDED].name} is suspended and receives nothing.`,
    });
    const others = allowed.filter((d) => d !== victim);
    expect(others.map((d) => d.delivery?.state)).toEqual(others.map(() => 'delivered'));
    expect(others.every((d) => d.delivery!.attempts === 1)).toBe(true);

    // Carried by the batches: no feed delivery went through the single-delivery queue.
    const singleJobs = await deliveryQueue.getJobs([
      'completed',
      'failed',
      'waiting',
      'active',
      'delayed',
      'prioritized',
    ]);
    const jobIdOf = (d: DecisionRow) => `delivery-${d.delivery!.id}`;
    const ofThisItem = new Set(allowed.map(jobIdOf));
    const pushed = allowed.filter((d) => d.channel === 'webhook').map(jobIdOf);
    expect(singleJobs.flatMap((job) => (ofThisItem.has(job.id!) ? [job.id] : [])).sort()).toEqual(pushed.sort());
    expect(await feedQueue.getJobCounts('failed')).toEqual({ failed: 0 });

    // What each partner sees: the item once in each feed, one call to each webhook, nothing for the
    // suspended partner (whose feed credential no longer opens anything) nor for the outsider.
    for (let start = 0; start < FEED_PARTNERS; start += 10) {
      await Promise.all(
        feedPartners.slice(start, start + 10).map(async (partner, k) => {
          if (start + k === SUSPENDED) {
            expect((await http(broker.url, 'GET', '/feed', { key: partner.feedKey })).status).toBe(401);
            return;
          }
          const ids = await feedItemIds(broker.url, partner.feedKey);
          expect(
            ids.filter((id) => id === itemId),
            `feed of ${partner.name}`,
          ).toHaveLength(1);
        }),
      );
    }
    expect(await feedItemIds(broker.url, outsider.feedKey)).not.toContain(itemId);
    expect(
      await countRows(broker, 'SELECT count(*) FROM feed_entries WHERE item_id = $1 AND channel_id = $2', [
        itemId,
        feedPartners[SUSPENDED].channelId,
      ]),
    ).toBe(0);
    const calls = received.filter((call) => call.itemId === itemId);
    expect(calls.map((call) => call.path).sort()).toEqual(['/hook/0', '/hook/1']);
    expect(calls.map((call) => call.deliveryId).sort()).toEqual(
      allowed
        .filter((d) => d.channel === 'webhook')
        .map((d) => d.delivery!.id)
        .sort(),
    );

    // The audit trail: one `delivery.delivered` for each delivery made, the rule's reason for the
    // cancelled one, and the chain intact.
    const audited: { subject_id: string; action: string; count: number }[] = await broker.db.query(
      `SELECT subject_id, action, count(*)::int AS count FROM audit_events
        WHERE subject_type = 'delivery' AND subject_id = ANY($1) GROUP BY subject_id, action`,
      [allowed.map((d) => d.delivery!.id)],
    );
    const delivered = audited.filter((row) => row.action === 'delivery.delivered');
    expect(delivered).toHaveLength(others.length);
    expect(delivered.every((row) => row.count === 1)).toBe(true);
    expect(new Set(delivered.map((row) => row.subject_id))).toEqual(new Set(others.map((d) => d.delivery!.id)));
    expect(audited.filter((row) => row.action !== 'delivery.delivered')).toEqual([
      { subject_id: victim.delivery!.id, action: 'delivery.cancelled', count: 1 },
    ]);
    const [cancelled] = await broker.db.query(
      `SELECT details FROM audit_events WHERE action = 'delivery.cancelled' AND subject_id = $1`,
      [victim.delivery!.id],
    );
    expect(cancelled.details).toEqual({ reason: victim.delivery!.lastError, code: 'partner.suspended' });
    const verified = await http(broker.url, 'GET', '/audit/verify', { key: broker.adminKey });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ intact: true, firstBroken: null });
  }, 120_000);
});
