import { ChildProcess } from 'node:child_process';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '@tlp-broker/crypto';
import { startBroker, TestBroker } from './support/broker';
import { eventually, http } from './support/http';
import { postOrganisation } from './support/partners';
import { Peer, startWebhookPeer } from './support/peers';
import { builtEntry, startProcess, stopProcess } from './support/processes';

const FEED_RECIPIENTS = 500;
const WEBHOOK_RECIPIENTS = 20;

interface Recipient {
  organisationId: string;
  channelId: string;
  feedKey: string | null;
  privateKey: openpgp.PrivateKey;
}

/**
 * The dispatcher as it runs in production (the built process), killed with SIGKILL in the middle
 * of a fan-out to 500 feed partners and 20 webhook partners (plus one webhook that refuses
 * everything), then started again, stopped properly half-way (SIGTERM) and started once more. At
 * the end every allowed recipient has exactly one delivery, and the dead-letter list holds only
 * what could never be delivered.
 */
describe('a dispatcher killed in the middle of a fan-out', () => {
  let broker: TestBroker;
  let hooks: Peer;
  const posts: { path: string; idempotencyKey: string; deliveryId: string }[] = [];
  const recipients: Recipient[] = [];
  let refusing: { channelId: string };
  const children: ChildProcess[] = [];

  const startDispatcher = () => {
    const child = startProcess('dispatcher', { ...broker.env, LOG_LEVEL: 'error', LOG_FORMAT: 'text' });
    children.push(child);
    return child;
  };
  const stop = stopProcess;

  beforeAll(async () => {
    builtEntry('dispatcher');
    hooks = await startWebhookPeer((request, body, response) => {
      posts.push({
        path: request.url ?? '',
        idempotencyKey: String(request.headers['idempotency-key']),
        deliveryId: JSON.parse(body.toString()).deliveryId,
      });
      response.writeHead(request.url === '/gone' ? 410 : 200).end();
    });
    const hookBase = hooks.url;

    broker = await startBroker({
      dispatcher: false,
      env: {
        JOB_LOCK_MS: '2000',
        RECONCILE_INTERVAL_MS: '1000',
        RECONCILE_AFTER_MS: '4000',
        DELIVERY_BACKOFF_MS: '100',
        DELIVERY_ATTEMPTS: '4',
        WEBHOOK_ALLOW_LIST: '127.0.0.1',
      },
    });

    const register = async (index: number, channel: Record<string, unknown>): Promise<Recipient> => {
      const name = `Partner ${String(index).padStart(3, '0')}`;
      const pair = await generateKeyPair({ name, email: `soc@partner-${index}.example` });
      const response = await postOrganisation(broker.url, broker.adminKey, name, pair.publicArmored, {
        kind: 'csirt',
        communities: ['crash-test'],
        channels: [channel],
      });
      if (response.status !== 201)
        throw new Error(`registering ${name}: ${response.status} ${JSON.stringify(response.body)}`);
      return {
        organisationId: response.body.id,
        channelId: response.body.channels[0].id,
        feedKey: response.body.channels[0].apiKey ?? null,
        privateKey: await openpgp.readPrivateKey({ armoredKey: pair.privateArmored }),
      };
    };
    const total = FEED_RECIPIENTS + WEBHOOK_RECIPIENTS;
    for (let start = 0; start < total; start += 10) {
      const batch = Array.from({ length: Math.min(10, total - start) }, (_, k) => start + k);
      recipients.push(
        ...(await Promise.all(
          batch.map((i) =>
            register(i, i < FEED_RECIPIENTS ? { kind: 'feed' } : { kind: 'webhook', address: `${hookBase}/in/${i}` }),
          ),
        )),
      );
    }
    refusing = await register(total, { kind: 'webhook', address: `${hookBase}/gone` });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(children.map((child) => stop(child, 'SIGKILL')));
    await broker?.close();
    await hooks?.close();
  });

  const states = async (versionId: string): Promise<Record<string, number>> => {
    const rows: { state: string; count: string }[] = await broker.db.query(
      'SELECT state, count(*) FROM deliveries WHERE item_version_id = $1 GROUP BY state',
      [versionId],
    );
    return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]));
  };

  it('ends with exactly one delivery per allowed recipient, and only the undeliverable one dead', async () => {
    const published = await http(broker.url, 'POST', '/items', {
      key: broker.analystKey,
      json: {
        type: 'advisory',
        title: 'Fan-out interrupted',
        body: 'Indicators for every partner.\n'.repeat(200),
        tlp: 'TLP:GREEN',
        audience: { communities: ['crash-test'] },
      },
    });
    expect(published.status).toBe(201);
    const [{ id: versionId }] = await broker.db.query('SELECT id FROM item_versions WHERE item_id = $1', [
      published.body.id,
    ]);
    const expected = FEED_RECIPIENTS + WEBHOOK_RECIPIENTS + 1;

    const first = startDispatcher();
    await eventually(async () => ((await states(versionId)).delivered ?? 0) >= 120, 60_000, 5);
    await stop(first, 'SIGKILL');
    const atKill = await states(versionId);
    const sendingIds = async () =>
      (
        (await broker.db.query(`SELECT id FROM deliveries WHERE item_version_id = $1 AND state = 'sending'`, [
          versionId,
        ])) as { id: string }[]
      ).map((row) => row.id);
    const leftSendingByKill = new Set(await sendingIds());

    // A second dispatcher takes over what the killed one left, and is stopped properly half-way:
    // it finishes the deliveries it holds and leaves the rest queued.
    const second = startDispatcher();
    await eventually(async () => ((await states(versionId)).delivered ?? 0) >= 300, 60_000, 5);
    await stop(second, 'SIGTERM');
    expect(second.signalCode === 'SIGTERM' || second.exitCode === 0).toBe(true);
    const atStop = await states(versionId);
    // A dispatcher stopped properly leaves none of its own deliveries half-sent; only those the
    // killed one left may still wait for their lock to lapse before another worker takes them.
    expect((await sendingIds()).filter((id) => !leftSendingByKill.has(id))).toEqual([]);

    const third = startDispatcher();
    const final = await eventually(
      async () => {
        const now = await states(versionId);
        return (now.queued ?? 0) + (now.sending ?? 0) + (now.failed ?? 0) === 0 &&
          Object.values(now).reduce((a, b) => a + b, 0) === expected
          ? now
          : undefined;
      },
      90_000,
      200,
    );
    await stop(third, 'SIGTERM');

    // Exactly one delivery row per allowed decision, all delivered but the refused one.
    const [{ allowed }] = await broker.db.query(
      'SELECT count(*)::int AS allowed FROM decisions WHERE item_version_id = $1 AND allow',
      [versionId],
    );
    expect(allowed).toBe(expected);
    const [{ rows, channels }] = await broker.db.query(
      'SELECT count(*)::int AS rows, count(DISTINCT channel_id)::int AS channels FROM deliveries WHERE item_version_id = $1',
      [versionId],
    );
    expect({ rows, channels }).toEqual({ rows: expected, channels: expected });
    expect(final).toEqual({ delivered: expected - 1, dead: 1 });

    // Every feed partner has the item once in its feed, and can open it.
    const [{ entries, feeds }] = await broker.db.query(
      `SELECT count(*)::int AS entries, count(DISTINCT f.channel_id)::int AS feeds FROM feed_entries f JOIN deliveries d ON d.id = f.delivery_id WHERE d.item_version_id = $1`,
      [versionId],
    );
    expect({ entries, feeds }).toEqual({ entries: FEED_RECIPIENTS, feeds: FEED_RECIPIENTS });
    for (const partner of [recipients[0], recipients[FEED_RECIPIENTS / 2], recipients[FEED_RECIPIENTS - 1]]) {
      const feed = await http(broker.url, 'GET', '/feed', { key: partner.feedKey! });
      expect(feed.body.entries).toHaveLength(1);
      const message = await openpgp.readMessage({ armoredMessage: feed.body.entries[0].message });
      const { data } = await openpgp.decrypt({ message, decryptionKeys: partner.privateKey });
      expect(JSON.parse(data as string).title).toBe('Fan-out interrupted');
    }

    // Webhooks: every good endpoint received the delivery; a request repeated after the kill
    // carries the same idempotency key, so the partner can tell it is the same delivery.
    const good = posts.filter((post) => post.path.startsWith('/in/'));
    const keys = new Set(good.map((post) => post.idempotencyKey));
    expect(keys.size).toBe(WEBHOOK_RECIPIENTS);
    for (const post of good) expect(post.idempotencyKey).toBe(`delivery-${post.deliveryId}`);

    // The dead-letter list: only the endpoint that refuses, with its answer.
    const dead = await http(broker.url, 'GET', `/deliveries?state=dead&item=${published.body.id}`, {
      key: broker.adminKey,
    });
    expect(dead.body.map((row: { channelId: string }) => row.channelId)).toEqual([refusing.channelId]);
    expect(dead.body[0].lastError).toContain('410');

    console.log(
      `crash recovery: SIGKILL at ${JSON.stringify(atKill)}, SIGTERM at ${JSON.stringify(atStop)}; expected ${expected} deliveries, delivered ${final.delivered}, dead ${final.dead}; ` +
        `duplicated deliveries ${rows - channels}, duplicated feed entries ${entries - feeds}; webhook requests ${good.length} for ${keys.size} deliveries ` +
        `(${good.length - keys.size} repeated after the kill, same idempotency key)`,
    );
  }, 240_000);
});
