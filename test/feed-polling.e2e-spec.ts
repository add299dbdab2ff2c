import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantApplicationRole } from '@tlp-broker/persistence';
import { FeedAddedTimes1764620000000 } from '../libs/persistence/src/migrations/1764620000000-feed-added-times';
import { startBroker, TestBroker } from './support/broker';
import { eventually, http } from './support/http';
import { publishItem } from './support/items';
import { registerPartner, TestPartner } from './support/partners';

const TAXII = 'application/taxii+json;version=2.1';

type Stix = { type: string; id: string; modified?: string; created?: string; name?: string };
/** One object version: what a client must receive exactly once (an artifact has no version: one per delivery). */
const versionKey = (object: Stix) =>
  object.type === 'artifact' ? object.id : `${object.id}@${object.modified ?? object.created}`;
const manifestKey = (record: { id: string; version: string }) =>
  record.id.startsWith('artifact--') ? record.id : `${record.id}@${record.version}`;

/**
 * Polling that loses nothing: a TAXII client that asks for what was added after the last page's
 * X-TAXII-Date-Added-Last (or follows `next`) receives every object version of the collection
 * exactly once, whatever the page size, while deliveries are being written concurrently; the JSON
 * feed's `since` likewise; and MISP sees a greater event timestamp for every new version of an
 * event, even within the same second.
 */
describe('lossless polling of the TAXII collection, the JSON feed and the MISP feed', () => {
  let broker: TestBroker;
  let partner: TestPartner;
  const published: string[] = [];

  const taxii = (path: string) =>
    http(broker.url, 'GET', `/taxii2/api/collections/${partner.channelId}/${path}`, {
      key: partner.feedKey,
      headers: { accept: TAXII },
    });

  const publish = async (index: number) => {
    const clear = index % 7 !== 6;
    const indicators = Array.from({ length: clear ? 3 + (index % 3) : 1 }, (_, n) => ({
      type: 'ipv4',
      value: `192.0.2.${index * 5 + n + 1}`,
    }));
    const item = await publishItem(broker.url, broker.analystKey, {
      type: 'alert',
      title: `Scanning wave ${index}`,
      body: 'Block these addresses.',
      ...(clear ? { tlp: 'TLP:CLEAR' } : { tlp: 'TLP:GREEN', audience: { communities: ['eu-csirt'] } }),
      indicators,
    });
    published.push(item.id);
  };

  const delivered = (itemId: string, count: number) =>
    eventually(async () => {
      const rows = (await http(broker.url, 'GET', `/deliveries?item=${itemId}`, { key: broker.analystKey })).body as {
        kind: string;
        state: string;
      }[];
      return (
        rows.filter((row) => row.kind === 'item').length === count && rows.every((row) => row.state === 'delivered')
      );
    });

  /** Everything in the collection, every version, from the manifest in one page. */
  const manifest = async () => {
    const response = await taxii('manifest/?match[version]=all&limit=1000');
    expect(response.status).toBe(200);
    expect(response.body.more).toBe(false);
    return response.body.objects as { id: string; date_added: string; version: string }[];
  };

  /** A client polling with added_after = the previous page's X-TAXII-Date-Added-Last until a page comes back empty. */
  const pollAddedAfter = async (
    limit: number,
    from?: string,
  ): Promise<{ objects: Stix[]; last: string | undefined }> => {
    const objects: Stix[] = [];
    let after = from;
    for (let page = 0; page < 1_000; page++) {
      const response = await taxii(`objects/?match[version]=all&limit=${limit}${after ? `&added_after=${after}` : ''}`);
      expect(response.status).toBe(200);
      const received = (response.body.objects ?? []) as Stix[];
      if (received.length === 0) return { objects, last: after };
      expect(received.length).toBeLessThanOrEqual(limit);
      objects.push(...received);
      after = response.headers.get('x-taxii-date-added-last')!;
    }
    throw new Error('polling never ended');
  };

  const expectEachOnce = (received: Stix[], expected: string[]) => {
    const keys = received.map(versionKey);
    expect(keys.length - new Set(keys).size).toBe(0);
    expect([...keys].sort()).toEqual([...expected].sort());
  };

  beforeAll(async () => {
    broker = await startBroker();
    partner = await registerPartner(broker.url, broker.adminKey, {
      name: 'Polling Partner CERT',
      relation: 'peer',
      communities: ['eu-csirt'],
    });
  }, 60_000);

  afterAll(async () => {
    await broker?.close();
  });

  it('gives every object version, while deliveries are written, exactly once to a client polling with X-TAXII-Date-Added-Last and to one reading the JSON feed with since', async () => {
    const taxiiSeen: Stix[] = [];
    const feedSeen: string[] = [];
    let taxiiLast: string | undefined;
    let feedSince: string | undefined;
    const pollFeed = async () => {
      const response = await http(
        broker.url,
        'GET',
        `/feed?limit=500${feedSince ? `&since=${encodeURIComponent(feedSince)}` : ''}`,
        { key: partner.feedKey },
      );
      expect(response.status).toBe(200);
      const entries = response.body.entries as { id: string; deliveredAt: string }[];
      feedSeen.push(...entries.map((entry) => entry.id));
      if (entries.length > 0) feedSince = entries[0].deliveredAt;
    };
    let publishing = true;
    const pollers = (async () => {
      while (publishing) {
        const round = await pollAddedAfter(2, taxiiLast);
        taxiiSeen.push(...round.objects);
        taxiiLast = round.last;
        await pollFeed();
      }
    })();
    // Twelve items, four at a time (several land in the same second, their deliveries run concurrently).
    for (let batch = 0; batch < 3; batch++) await Promise.all([0, 1, 2, 3].map((n) => publish(batch * 4 + n)));
    await Promise.all(published.map((itemId) => delivered(itemId, 1)));
    publishing = false;
    await pollers;
    taxiiSeen.push(...(await pollAddedAfter(2, taxiiLast)).objects);
    await pollFeed();

    const all = await manifest();
    expect(all.length).toBeGreaterThan(60);
    expectEachOnce(taxiiSeen, all.map(manifestKey));
    const feed = await http(broker.url, 'GET', '/feed?limit=500', { key: partner.feedKey });
    const entryIds = (feed.body.entries as { id: string }[]).map((entry) => entry.id);
    expect(entryIds).toHaveLength(12);
    expect(feedSeen.length - new Set(feedSeen).size).toBe(0);
    expect([...feedSeen].sort()).toEqual([...entryIds].sort());
  });

  it('gives each object a date_added of its own, in collection order, with microseconds', async () => {
    const all = await manifest();
    for (const record of all) expect(record.date_added).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    const page = await taxii('objects/?match[version]=all&limit=3');
    expect(page.headers.get('x-taxii-date-added-first')).toBe(all[0].date_added);
    expect(page.headers.get('x-taxii-date-added-last')).toBe(all[2].date_added);
    for (let i = 1; i < all.length; i++) expect(all[i].date_added > all[i - 1].date_added).toBe(true);
    // The objects of one item (its report and its indicators) were added together, yet apart.
    const feed = await http(broker.url, 'GET', '/feed?limit=500', { key: partner.feedKey });
    const times = (feed.body.entries as { deliveredAt: string }[]).map((entry) => entry.deliveredAt);
    for (const time of times) expect(time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    for (let i = 1; i < times.length; i++) expect(times[i] < times[i - 1]).toBe(true);
    // `since` is read to the microsecond, in any time zone; digits beyond the sixth change nothing.
    const [, wall, micro] = /^(.*)\.(\d{6})Z$/.exec(times[3])!;
    const shifted = new Date(Date.parse(`${wall}Z`) + 2 * 3_600_000).toISOString().slice(0, 19);
    const newer = await http(
      broker.url,
      'GET',
      `/feed?limit=500&since=${encodeURIComponent(`${shifted}.${micro}999+02:00`)}`,
      { key: partner.feedKey },
    );
    expect(newer.status).toBe(200);
    expect((newer.body.entries as { deliveredAt: string }[]).map((entry) => entry.deliveredAt)).toEqual(
      times.slice(0, 3),
    );
  });

  it.each([1, 2, 3, 7])('loses nothing with added_after = X-TAXII-Date-Added-Last at limit %i', async (limit) => {
    const all = await manifest();
    expectEachOnce((await pollAddedAfter(limit)).objects, all.map(manifestKey));
  });

  it.each([1, 2, 3, 7])('loses nothing following next at limit %i', async (limit) => {
    const all = await manifest();
    const received: Stix[] = [];
    let next: string | undefined;
    for (let page = 0; page < 1_000; page++) {
      const response = await taxii(`objects/?match[version]=all&limit=${limit}${next ? `&next=${next}` : ''}`);
      expect(response.status).toBe(200);
      received.push(...((response.body.objects ?? []) as Stix[]));
      if (!response.body.more) break;
      next = response.body.next;
    }
    expectEachOnce(received, all.map(manifestKey));
  });

  it('gives a new version of a MISP event a greater timestamp, even within the same second', async () => {
    let sameSecond = false;
    for (let attempt = 0; attempt < 10 && !sameSecond; attempt++) {
      const title = `Quick fix ${attempt}`;
      const created = await http(broker.url, 'POST', '/items', {
        key: broker.analystKey,
        json: {
          type: 'alert',
          title,
          body: 'v1',
          tlp: 'TLP:CLEAR',
          indicators: [{ type: 'domain', value: `quick-${attempt}.example` }],
        },
      });
      expect(created.status).toBe(201);
      await delivered(created.body.id, 1);
      const eventOf = async () => {
        const entries = (await http(broker.url, 'GET', '/misp/manifest.json', { key: partner.feedKey })).body as Record<
          string,
          { info: string; timestamp: string }
        >;
        return Object.values(entries).find((entry) => entry.info === title)!;
      };
      const first = await eventOf();
      const updated = await http(broker.url, 'PUT', `/items/${created.body.id}`, {
        key: broker.analystKey,
        json: {
          type: 'alert',
          title,
          body: 'v2',
          tlp: 'TLP:CLEAR',
          indicators: [{ type: 'domain', value: `quick-${attempt}.example` }],
        },
      });
      expect(updated.status).toBe(200);
      await delivered(created.body.id, 2);
      const second = await eventOf();
      expect(Number(second.timestamp)).toBeGreaterThan(Number(first.timestamp));
      const feed = (await http(broker.url, 'GET', '/feed?limit=500', { key: partner.feedKey })).body.entries as {
        itemId: string;
        publishedAt: string;
      }[];
      const releases = feed
        .filter((entry) => entry.itemId === created.body.id)
        .map((entry) => Math.floor(Date.parse(entry.publishedAt) / 1000));
      sameSecond = releases.length === 2 && releases[0] === releases[1];
    }
    // The case that matters was met: two versions released within one second.
    expect(sameSecond).toBe(true);
  });

  it('gives entries written before the upgrade distinct added times in feed order, and can be undone', async () => {
    const before = await manifest();
    const migration = new FeedAddedTimes1764620000000();
    const runner = broker.db.createQueryRunner();
    try {
      await migration.down(runner);
      const [{ exists }] = await runner.query(`SELECT to_regclass('feed_clocks') IS NOT NULL AS exists`);
      expect(exists).toBe(false);
      await migration.up(runner);
      // As `migrate` does after migrating: the application role's privileges cover the new table.
      const appRole = decodeURIComponent(new URL(broker.env.DATABASE_URL).username);
      const [{ owner }] = await runner.query('SELECT current_user AS owner');
      if (appRole !== owner) await grantApplicationRole(runner, appRole);
    } finally {
      await runner.release();
    }
    const rows: { seq: string; added_at: string; created_at: string }[] = await broker.db.query(
      `SELECT seq, to_char(added_at, 'YYYY-MM-DD HH24:MI:SS.US') AS added_at, to_char(created_at, 'YYYY-MM-DD HH24:MI:SS.US') AS created_at
         FROM feed_entries WHERE channel_id = $1 ORDER BY seq`,
      [partner.channelId],
    );
    expect(rows.length).toBeGreaterThan(12);
    for (let i = 1; i < rows.length; i++) expect(rows[i].added_at > rows[i - 1].added_at).toBe(true);
    for (const row of rows) expect(row.added_at >= row.created_at).toBe(true);
    // The collection is served as before, losslessly, and a new entry comes after the backfilled ones.
    const after = await manifest();
    expect(after.map(manifestKey)).toEqual(before.map(manifestKey));
    expectEachOnce((await pollAddedAfter(3)).objects, after.map(manifestKey));
    await publish(20);
    await delivered(published[published.length - 1], 1);
    const latest = await manifest();
    expect(latest.slice(0, after.length).map((record) => record.date_added)).toEqual(
      after.map((record) => record.date_added),
    );
    expect(latest.length).toBeGreaterThan(after.length);
  });
});
