import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerClient, BrokerError } from './broker-client';

let server: Server | null = null;
const requests: string[] = [];

async function broker(answer: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
  requests.length = 0;
  server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url} ${request.headers.authorization ?? ''}`);
    answer(request, response);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = null;
});

const entry = (n: number) => ({ id: `d${n}`, deliveredAt: `2026-11-30T08:00:0${n}.000001Z` });

describe("the broker's API as the kit calls it", () => {
  it('reads every page after the cursor, newest first as served, and hands them oldest first', async () => {
    const base = await broker((request, response) => {
      const before = new URL(request.url!, 'http://x').searchParams.get('before');
      const page = before
        ? { entries: [entry(2), entry(1)], next: null }
        : { entries: [entry(4), entry(3)], next: '17' };
      response.end(JSON.stringify(page));
    });
    const entries = await new BrokerClient(base, 'tlpb_key').entriesSince('2026-11-30T08:00:00Z');
    expect(entries.map((e) => e.id)).toEqual(['d1', 'd2', 'd3', 'd4']);
    expect(requests).toEqual([
      'GET /feed?limit=500&since=2026-11-30T08%3A00%3A00Z Bearer tlpb_key',
      'GET /feed?limit=500&since=2026-11-30T08%3A00%3A00Z&before=17 Bearer tlpb_key',
    ]);
  });

  it('waits out the rate limit as the broker asks, then carries on', async () => {
    let calls = 0;
    const base = await broker((_request, response) => {
      calls += 1;
      if (calls === 1) {
        response.writeHead(429, { 'retry-after': '1' }).end(JSON.stringify({ message: 'too many requests' }));
        return;
      }
      response.end(JSON.stringify({ entries: [], next: null }));
    });
    const started = Date.now();
    expect(await new BrokerClient(base, 'k').entriesSince(null)).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(calls).toBe(2);
  });

  it('says what the broker refused and why, and that a delivery gone from the feed is gone', async () => {
    const base = await broker((request, response) => {
      if (request.url?.startsWith('/feed/')) response.writeHead(404).end(JSON.stringify({ message: 'no delivery' }));
      else response.writeHead(401).end(JSON.stringify({ statusCode: 401, message: 'invalid API key' }));
    });
    const client = new BrokerClient(base, 'k');
    await expect(client.entriesSince(null)).rejects.toThrow(
      new BrokerError(401, 'reading the feed', 'invalid API key'),
    );
    expect(await client.entry('5d1f3a2b-8c4e-4f6a-9b0c-1d2e3f4a5b6c')).toBeNull();
    await expect(new BrokerClient('http://127.0.0.1:9/', 'k').entriesSince(null)).rejects.toThrow(/cannot reach/);
  });
});
