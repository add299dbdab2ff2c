import { beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '@tlp-broker/config';
import {
  DeliveryRepository,
  FeedEntryRepository,
  ItemRepository,
  OrganisationRepository,
} from '@tlp-broker/persistence';
import {
  artifactId,
  itemStixId,
  mispEventUuid,
  PAP_MARKINGS,
  parseTaxiiQuery,
  taxiiTimestamp,
  TLP_MARKINGS,
} from '@tlp-broker/stix';
import { useTestDatabase } from '../../../../test/support/test-database';
import { TestRows } from '../../../../libs/persistence/src/repositories/test-rows.db-fixtures';
import {
  analyze,
  feedDeliveryIds,
  feedEntryAt,
  planNodes,
  PlanNode,
  queryPlan,
  seedFeed,
} from '../../../../libs/persistence/src/repositories/feed-fill.db-fixtures';
import {
  ITEMS_OF_STIX_OBJECT_SELECT,
  LATEST_OF_MISP_EVENT_SELECT,
  latestPerItemSelect,
  runWithItemsSelect,
} from '../../../../libs/persistence/src/repositories/feed-entry-reads';
import { PartnerView } from '../feeds/partner-view.service';
import { fakePublishers } from '../feeds/partner-view.test-fixtures';
import { TaxiiCollectionService } from './taxii-collection.service';
import { TaxiiNextTokens } from './taxii-next-token';
import { ObjectRecord, TaxiiError } from './taxii.types';

const ENTRIES = 100_000;
const OTHER_ENTRIES = 20_000;
/** The team identity and the marking definitions every collection starts with. */
const FIXED = 1 + Object.keys(TLP_MARKINGS).length + Object.keys(PAP_MARKINGS).length;
/** Entries above TLP:CLEAR: each is a report and an artifact. */
const OBJECTS = FIXED + 2 * ENTRIES;

describe('A TAXII collection of 100,000 entries', () => {
  const db = useTestDatabase();
  const fixtures = new TestRows(db);
  const channels = {} as { mine: string; other: string; mineName: string };
  let collection: TaxiiCollectionService;
  let firstUs: number;
  const tokens = new TaxiiNextTokens({ audit: { key: Buffer.alloc(32, 1) } } as unknown as AppConfig);

  beforeAll(async () => {
    const [mine, other] = [await fixtures.organisation(), await fixtures.organisation()];
    channels.mine = await fixtures.channel(mine, { createdAt: '2026-01-01T00:00:00Z' });
    channels.other = await fixtures.channel(other, { createdAt: '2026-01-01T00:00:00Z' });
    const authorId = await fixtures.user();
    firstUs = Date.parse('2026-01-01T01:00:00Z') * 1000;
    await seedFeed(db, { name: 'mine', organisationId: mine, channelId: channels.mine, authorId }, ENTRIES, firstUs);
    await seedFeed(
      db,
      { name: 'other', organisationId: other, channelId: channels.other, authorId },
      OTHER_ENTRIES,
      firstUs + 5,
    );
    await analyze(db);
    const ds = db.dataSource;
    const view = new PartnerView(
      new FeedEntryRepository(ds),
      new DeliveryRepository(ds),
      new ItemRepository(ds),
      new OrganisationRepository(ds),
    );
    collection = new TaxiiCollectionService(view, fakePublishers(), tokens);
  }, 300_000);

  /** Deliveries made for the channel `mine` (see `seedFeed`). */
  const mineDeliveries = () => feedDeliveryIds(db, channels.mine);

  /** How PostgreSQL carried a query out. */
  const planOf = (sql: string, parameters: unknown[]) => queryPlan(db, sql, parameters);

  /** The plan of the run a page starting at `coverUs` reads. */
  const runPlan = (coverUs: number) =>
    planOf(runWithItemsSelect({ coverUs }), [channels.mine, 'item', 'TLP:CLEAR', coverUs, 51]);

  it('reads a page deep in the collection through the index of added times, and only the entries of the page', async () => {
    const middleUs = firstUs + (ENTRIES / 2) * 10;
    const plan = await runPlan(middleUs);
    const all = planNodes(plan);
    expect(all.filter((node) => node['Node Type'] === 'Seq Scan')).toEqual([]);
    const run = all.find((node) => node['Index Name'] === 'feed_entries_added' && node['Actual Rows'] === 51);
    expect(run?.['Node Type']).toMatch(/Index/);
    const read = all.filter((node) => node['Relation Name'] === 'feed_entries');
    // Every scan of feed_entries reads a handful of rows, whatever the size of the feed.
    expect(Math.max(...read.map((node) => node['Actual Rows'] * node['Actual Loops']))).toBeLessThanOrEqual(51);
    // As many pages of the database read deep in the collection as at its start (a few per entry).
    const blocks = (node: PlanNode) => node['Shared Hit Blocks'] + node['Shared Read Blocks'];
    expect(blocks(plan)).toBeLessThan(2 * blocks(await runPlan(firstUs)) + 50);
    expect(blocks(plan)).toBeLessThan(51 * 20);

    const { page } = await collection.page(
      channels.mine,
      parseTaxiiQuery({ added_after: taxiiTimestamp(middleUs), limit: '100' }),
    );
    expect(page.items).toHaveLength(100);
    expect(page.items[0].dateAdded).toBe(middleUs + 1);
    expect(page.more).toBe(true);
  });

  it("finds an item's MISP event, its TAXII objects, and each run of items of the MISP manifest, through indexes", async () => {
    const { itemId, deliveryId } = await feedEntryAt(db, channels.mine, 54321);
    const uuid = (id: string) => id.split('--')[1];
    const report = planNodes(
      await planOf(ITEMS_OF_STIX_OBJECT_SELECT.report, [channels.mine, uuid(itemStixId(itemId, 'advisory'))]),
    );
    const artifact = planNodes(
      await planOf(ITEMS_OF_STIX_OBJECT_SELECT.artifact, [channels.mine, uuid(artifactId(deliveryId))]),
    );
    expect(report.map((node) => node['Index Name'])).toEqual(
      expect.arrayContaining(['feed_entries_stix_item', 'feed_entries_recalls']),
    );
    expect(artifact.map((node) => node['Index Name'])).toContain('feed_entries_stix_artifact');
    expect([...report, ...artifact].filter((node) => node['Node Type'].includes('Seq Scan'))).toEqual([]);
    const { page } = await collection.page(
      channels.mine,
      parseTaxiiQuery({ 'match[id]': itemStixId(itemId, 'advisory'), 'match[version]': 'all' }),
    );
    expect(page.items.map((record) => record.head?.itemId)).toEqual([itemId]);
    const event = planNodes(
      await planOf(LATEST_OF_MISP_EVENT_SELECT, [channels.mine, 'item', 'TLP:CLEAR', mispEventUuid(itemId)]),
    );
    expect(event.some((node) => node['Index Name'] === 'feed_entries_misp_event')).toBe(true);
    expect(event.filter((node) => node['Node Type'] === 'Seq Scan')).toEqual([]);
    const middleUs = firstUs + (ENTRIES / 2) * 10;
    const run = planNodes(await planOf(latestPerItemSelect(true), [channels.mine, 'item', 'TLP:CLEAR', middleUs, 500]));
    expect(run.filter((node) => node['Node Type'].includes('Seq Scan'))).toEqual([]);
    const read = run.filter((node) => node['Relation Name'] === 'feed_entries');
    expect(Math.max(...read.map((node) => node['Actual Rows'] * node['Actual Loops']))).toBeLessThanOrEqual(500);
  });

  it('pages through it 100 at a time following `next`: in order, every object once, none of another channel', async () => {
    const seen: ObjectRecord[] = [];
    let next: string | undefined;
    let pages = 0;
    const started = performance.now();
    do {
      const { page } = await collection.page(
        channels.mine,
        parseTaxiiQuery({ limit: '100', ...(next ? { next } : {}) }),
      );
      expect(page.items.length).toBe(page.more ? 100 : OBJECTS % 100);
      seen.push(...page.items);
      next = page.next;
      pages += 1;
    } while (next);
    const perPage = (performance.now() - started) / pages;
    expect(pages).toBe(Math.ceil(OBJECTS / 100));
    expect(seen).toHaveLength(OBJECTS);
    expect(seen.every((record, i) => i === 0 || record.dateAdded > seen[i - 1].dateAdded)).toBe(true);
    expect(new Set(seen.map((record) => `${record.id}@${record.version.toISOString()}`)).size).toBe(OBJECTS);
    const mine = await mineDeliveries();
    const entries = seen.filter((record) => record.head !== null);
    expect(new Set(entries.map((record) => record.head!.deliveryId)).size).toBe(ENTRIES);
    expect(entries.every((record) => mine.has(record.head!.deliveryId))).toBe(true);
    // A page takes a few milliseconds, whatever its place in the collection.
    expect(perPage).toBeLessThan(250);
  }, 600_000);

  it("refuses a forged, altered or another collection's `next` with a 400, and never serves another channel's entries", async () => {
    const { page } = await collection.page(channels.mine, parseTaxiiQuery({ limit: '100' }));
    const { page: others } = await collection.page(channels.other, parseTaxiiQuery({ limit: '100' }));
    const [payload, mac] = page.next!.split('.');
    const forged = [
      others.next!,
      `${Buffer.from(String(firstUs + 5)).toString('base64url')}.${mac}`,
      `${payload}.${mac.slice(0, -2)}AA`,
      Buffer.from(`${firstUs}.1.0`).toString('base64url'),
    ];
    for (const next of forged) {
      const error = await collection.page(channels.mine, parseTaxiiQuery({ next })).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TaxiiError);
      expect((error as TaxiiError).getResponse()).toMatchObject({ http_status: '400' });
    }
    // Whatever place it is sent to, a credential reads its own channel only.
    const mine = await mineDeliveries();
    const { page: there } = await collection.page(
      channels.mine,
      parseTaxiiQuery({ next: tokens.seal(channels.mine, firstUs + 15), limit: '1000' }),
    );
    expect(there.items.length).toBe(1000);
    expect(there.items.every((record) => mine.has(record.head!.deliveryId))).toBe(true);
  });
});
