import { ServerResponse } from 'node:http';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSealed } from '@tlp-broker/crypto';
import { startBroker, TestBroker } from './support/broker';
import { eventually, http } from './support/http';
import { publishItem } from './support/items';
import type { ItemKind } from '@tlp-broker/domain';
import { newKeyPair, postOrganisation, registerPartner, teamPublicKey, TestPartner } from './support/partners';
import { Peer, startWebhookPeer } from './support/peers';

type Behaviour = { kind: 'hang' } | { kind: 'slow'; ms: number };

/**
 * A webhook endpoint that hangs, through the whole broker: the dispatcher gives up at its timeout
 * and tries again, the other partners are not held up meanwhile, and a retraction that lands
 * while a request is in flight is answered with a recall once the request completes.
 */
describe('a webhook that hangs', () => {
  const TIMEOUT_MS = 1_000;
  let broker: TestBroker;
  let hooks: Peer;
  const posts: { at: number; idempotencyKey: string; body: Record<string, unknown> }[] = [];
  /** How the endpoint treats the next requests, in order; then it answers 200 at once. */
  const behaviours: Behaviour[] = [];
  const hanging: ServerResponse[] = [];
  let hooked: { id: string; channelId: string; privateKey: openpgp.PrivateKey };
  let pulled: TestPartner;
  let teamKey: openpgp.PublicKey;

  beforeAll(async () => {
    hooks = await startWebhookPeer((request, body, response) => {
      posts.push({
        at: Date.now(),
        idempotencyKey: String(request.headers['idempotency-key']),
        body: JSON.parse(body.toString()),
      });
      const behaviour = behaviours.shift();
      if (behaviour?.kind === 'hang') hanging.push(response);
      else setTimeout(() => response.writeHead(200).end(), behaviour?.kind === 'slow' ? behaviour.ms : 0);
    });
    broker = await startBroker({
      env: { WEBHOOK_ALLOW_LIST: '127.0.0.1', WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS), DELIVERY_BACKOFF_MS: '100' },
    });
    const keys = await newKeyPair('Hanging SOC', 'soc@hanging.example');
    const registered = await postOrganisation(broker.url, broker.adminKey, 'Hanging SOC', keys.publicArmored, {
      kind: 'soc',
      communities: [],
      channels: [{ kind: 'webhook', address: `${hooks.url}/in` }],
    });
    expect(registered.status).toBe(201);
    hooked = { id: registered.body.id, channelId: registered.body.channels[0].id, privateKey: keys.privateKey };
    pulled = await registerPartner(broker.url, broker.adminKey, { name: 'Pulling CERT', relation: 'peer' });
    teamKey = await teamPublicKey(broker.url);
  });

  afterAll(async () => {
    for (const response of hanging) response.destroy();
    await broker?.close();
    await hooks?.close();
  });

  const publish = async (type: ItemKind, title: string) =>
    (
      await publishItem(broker.url, broker.analystKey, {
        type,
        title,
        body: title,
        tlp: 'TLP:AMBER',
        audience: { organisations: [hooked.id, pulled.id] },
      })
    ).id;

  const deliveries = async (itemId: string) =>
    (await http(broker.url, 'GET', `/deliveries?item=${itemId}`, { key: broker.analystKey })).body as {
      kind: string;
      channel: string;
      channelId: string;
      state: string;
      attempts: number;
      lastError: string | null;
      deliveredAt: string | null;
    }[];

  it('gives up at the timeout, tries again with the same idempotency key, and holds nobody else up', async () => {
    behaviours.push({ kind: 'hang' });
    const itemId = await publish('alert', 'Hung on the first attempt');
    const firstPost = await eventually(async () => posts.find((post) => post.body.itemId === itemId));
    // While the endpoint hangs, the partner that pulls already has the alert.
    const feedDelivered = await eventually(async () =>
      (await deliveries(itemId)).find((row) => row.channel === 'feed' && row.state === 'delivered'),
    );
    expect(Date.parse(feedDelivered.deliveredAt!)).toBeLessThan(firstPost.at + TIMEOUT_MS);
    const webhook = await eventually(async () =>
      (await deliveries(itemId)).find((row) => row.channel === 'webhook' && row.state === 'delivered'),
    );
    expect(webhook.attempts).toBe(2);
    const attempts = posts.filter((post) => post.body.itemId === itemId);
    expect(attempts).toHaveLength(2);
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(attempts[0].idempotencyKey).toBe(attempts[1].idempotencyKey);
    const [audit] = await broker.db.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'delivery.delivered' AND subject_id IN (SELECT id::text FROM deliveries WHERE channel_id = $1 AND kind = 'item')
         AND details->>'itemId' = $2`,
      [hooked.channelId, itemId],
    );
    expect(audit.n).toBe(1);
  });

  it('records a delivery in flight when the item is retracted, then sends the recall', async () => {
    behaviours.push({ kind: 'slow', ms: 600 });
    const itemId = await publish('advisory', 'Retracted while its webhook was in flight');
    await eventually(async () => posts.find((post) => post.body.itemId === itemId));
    const retracted = await http(broker.url, 'POST', `/items/${itemId}/retract`, {
      key: broker.analystKey,
      json: { reason: 'Wrong attribution' },
    });
    expect(retracted.status).toBe(200);
    // The webhook request had left: it is not cancelled, and its recipient gets a recall.
    expect(retracted.body.recalls).toBeGreaterThanOrEqual(1);
    const rows = await eventually(async () => {
      const now = await deliveries(itemId);
      return now.some((row) => row.kind === 'recall' && row.channel === 'webhook' && row.state === 'delivered') &&
        now.some(
          (row) => row.kind === 'item' && row.channel === 'webhook' && ['delivered', 'recalled'].includes(row.state),
        )
        ? now
        : undefined;
    });
    // Delivered (and `recalled` once the recall is delivered after it): sent once, never cancelled.
    const sent = rows.find((row) => row.kind === 'item' && row.channel === 'webhook')!;
    expect(['delivered', 'recalled']).toContain(sent.state);
    expect(sent.attempts).toBe(1);
    const toHook = posts.filter((post) => post.body.itemId === itemId);
    expect(toHook.map((post) => post.body.format)).toEqual(['tlp-broker/delivery@1', 'tlp-broker/recall@1']);
    const notice = JSON.parse((await openSealed(toHook[1].body.message as string, hooked.privateKey, [teamKey])).text);
    expect(notice).toMatchObject({ id: itemId, recall: 'retracted', versions: [1] });
  });
});
