import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { http } from './support/http';
import { publishItem, waitForDeliveries } from './support/items';
import { registerPartner, TestPartner } from './support/partners';

const TAXII = 'application/taxii+json;version=2.1';

/**
 * Paging and kept answers of the pull forms, as a partner's tool sees them: TAXII `next` tokens
 * name a place in the partner's own collection and nothing else, and an answer kept between two
 * polls is never one the feed has moved on from, nor one a refused credential still gets.
 */
describe('pull feeds: paging and kept answers', () => {
  let broker: TestBroker;
  let reader: TestPartner;
  let other: TestPartner;

  const taxii = (partner: TestPartner, path: string, key = partner.feedKey) =>
    http(broker.url, 'GET', `/taxii2/api/collections/${partner.channelId}/${path}`, {
      key,
      headers: { accept: TAXII },
    });
  const get = (partner: TestPartner, path: string, key = partner.feedKey) => http(broker.url, 'GET', path, { key });

  const publish = async (title: string) => {
    const item = await publishItem(broker.url, broker.analystKey, {
      title,
      tlp: 'TLP:GREEN',
      audience: { communities: ['eu-csirt'] },
    });
    await waitForDeliveries(broker.url, broker.analystKey, item.id, 2);
    return item.id;
  };

  beforeAll(async () => {
    broker = await startBroker();
    [reader, other] = await Promise.all(
      ['Paging Reader CERT', 'Paging Other CERT'].map((name) =>
        registerPartner(broker.url, broker.adminKey, { name, relation: 'peer', communities: ['eu-csirt'] }),
      ),
    );
    for (const title of ['First advisory', 'Second advisory', 'Third advisory']) await publish(title);
  }, 60_000);

  afterAll(async () => {
    await broker?.close();
  });

  it("refuses a forged, altered or another collection's `next` with a 400 TAXII error", async () => {
    const first = await taxii(reader, 'objects/?limit=5');
    expect(first.body).toMatchObject({ more: true, next: expect.any(String) });
    const second = await taxii(reader, `objects/?limit=5&next=${first.body.next}`);
    expect(second.status).toBe(200);
    const theirs = (await taxii(other, 'objects/?limit=5')).body.next as string;
    const [payload, mac] = (first.body.next as string).split('.');
    const forged = [
      theirs,
      `${Buffer.from('0').toString('base64url')}.${mac}`,
      `${payload}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`,
      Buffer.from('1764489600000001.42.3').toString('base64url'),
    ];
    for (const next of forged) {
      const refused = await taxii(reader, `objects/?limit=5&next=${next}`);
      expect(refused.status).toBe(400);
      expect(refused.headers.get('content-type')).toBe(TAXII);
      expect(refused.body).toMatchObject({ http_status: '400', description: expect.stringContaining('next') });
    }
    // The other partner's token on the other partner's collection is still a 404 for this credential.
    expect((await taxii(other, `objects/?next=${theirs}`, reader.feedKey)).status).toBe(404);
  });

  it('answers a poll with what the feed holds now: a new delivery, a retraction', async () => {
    const titles = async () => {
      const feed = await get(reader, '/feed');
      const objects = (await taxii(reader, 'objects/?limit=1000')).body.objects as { name?: string }[];
      const manifest = await get(reader, '/misp/manifest.json');
      return {
        feed: (feed.body.entries as unknown[]).length,
        taxii: objects.filter((object) => object.name?.startsWith('[TLP:GREEN]')).length,
        misp: Object.keys(manifest.body).length,
      };
    };
    expect(await titles()).toEqual({ feed: 3, taxii: 3, misp: 3 });
    // Asked again, unchanged (and answered as kept).
    expect(await titles()).toEqual({ feed: 3, taxii: 3, misp: 3 });
    const fourth = await publish('Fourth advisory');
    expect(await titles()).toEqual({ feed: 4, taxii: 4, misp: 4 });
    const retracted = await http(broker.url, 'POST', `/items/${fourth}/retract`, {
      key: broker.analystKey,
      json: { reason: 'published by mistake' },
    });
    expect(retracted.status).toBe(200);
    // The item's version leaves the JSON feed at once, before any recall notice arrives.
    const entries = (await get(reader, '/feed')).body.entries as { itemId: string; entry: string }[];
    expect(entries.filter((entry) => entry.itemId === fourth && entry.entry === 'item')).toEqual([]);
  });

  it('keeps the ETag of a JSON feed page while it is unchanged, and answers 304 to it', async () => {
    const page = await get(reader, '/feed?limit=2');
    const etag = page.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect((await get(reader, '/feed?limit=2')).headers.get('etag')).toBe(etag);
    const unchanged = await http(broker.url, 'GET', '/feed?limit=2', {
      key: reader.feedKey,
      headers: { 'if-none-match': etag },
    });
    expect(unchanged.status).toBe(304);
  });

  it('refuses a revoked credential at once, though its last answers were kept', async () => {
    const issued = await http(
      broker.url,
      'POST',
      `/organisations/${reader.id}/channels/${reader.channelId}/credentials`,
      { key: broker.adminKey, json: { scopes: ['feed', 'taxii', 'misp'] } },
    );
    expect(issued.status).toBe(201);
    const key = issued.body.apiKey as string;
    for (const path of ['/feed', '/misp/manifest.json']) expect((await get(reader, path, key)).status).toBe(200);
    expect((await taxii(reader, 'objects/', key)).status).toBe(200);
    const revoked = await http(
      broker.url,
      'DELETE',
      `/organisations/${reader.id}/channels/${reader.channelId}/credentials/${issued.body.id}`,
      { key: broker.adminKey },
    );
    expect(revoked.status).toBe(200);
    for (const path of ['/feed', '/misp/manifest.json']) expect((await get(reader, path, key)).status).toBe(401);
    expect((await taxii(reader, 'objects/', key)).status).toBe(401);
    // Suspending the organisation stops its other credentials as well, at once.
    const suspended = await http(broker.url, 'PATCH', `/organisations/${reader.id}`, {
      key: broker.adminKey,
      json: { status: 'suspended' },
    });
    expect(suspended.status).toBe(200);
    expect((await get(reader, '/feed')).status).toBe(401);
    expect((await taxii(reader, 'objects/')).status).toBe(401);
  });
});
