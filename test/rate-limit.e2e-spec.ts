import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { eventually, http } from './support/http';
import { newKeyPair, postOrganisation } from './support/partners';
import { Peer, startWebhookPeer } from './support/peers';

/** A partner's endpoint is never flooded: pushed deliveries respect a per-channel rate, and all of them arrive. */
describe('per-channel rate limit', () => {
  let broker: TestBroker;
  let server: Peer;
  const arrivals: number[] = [];

  beforeAll(async () => {
    server = await startWebhookPeer((_request, _body, response) => {
      arrivals.push(performance.now());
      response.writeHead(200).end();
    });
    broker = await startBroker({
      env: { WEBHOOK_ALLOW_LIST: '127.0.0.1', CHANNEL_RATE_LIMIT: '2', CHANNEL_RATE_WINDOW_MS: '1000' },
    });
  });

  afterAll(async () => {
    await broker?.close();
    await server?.close();
  });

  it('sends at most 2 webhook calls per second to one channel, and delivers all 6', async () => {
    const keys = await newKeyPair('Small SOC', 'soc@small.example');
    const registered = await postOrganisation(broker.url, broker.adminKey, 'Small SOC', keys.publicArmored, {
      kind: 'soc',
      relation: 'constituent',
      communities: [],
      channels: [{ kind: 'webhook', address: `${server.url}/hook` }],
    });
    expect(registered.status).toBe(201);
    for (let i = 0; i < 6; i++) {
      const response = await http(broker.url, 'POST', '/items', {
        key: broker.analystKey,
        json: { type: 'announcement', title: `Notice ${i}`, body: 'x', tlp: 'TLP:CLEAR' },
      });
      expect(response.status).toBe(201);
    }
    await eventually(async () => arrivals.length >= 6, 20_000);
    expect(arrivals).toHaveLength(6);
    // Any three calls span a second, less what encrypting and sending after the slot was taken may
    // shift one call by; without a limit all six arrive within a few milliseconds.
    const spans = arrivals.slice(2).map((at, i) => at - arrivals[i]);
    expect(Math.min(...spans)).toBeGreaterThan(800);
    const [{ attempts }] = await broker.db.query(`SELECT max(attempts) AS attempts FROM deliveries`);
    // Waiting for the rate limit does not use up attempts.
    expect(Number(attempts)).toBe(1);
  });
});
