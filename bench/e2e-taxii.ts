/**
 * Figure 4: TAXII objects pages of 100 from a large collection. One partner's feed is filled with
 * copies of a real delivery (a small TLP:GREEN advisory delivered to that partner alone): its item,
 * version, decision, delivery and feed entry rows copied with new ids straight into PostgreSQL,
 * each copy a distinct item with its own added time after everything already in the feed — what
 * the TAXII route reads for a delivery, and nothing else. Then, at 1,000 entries and again at
 * 100,000: page requests one after another — the first page, a middle page reached with `next`,
 * and a poll with `added_after` near the end — and the API process's resident memory around them.
 */
import type { Client } from 'pg';
import { request } from '@tlp-broker/harness';
import { processMemory, type BenchBroker } from './e2e-broker';
import { cpuMeter } from './e2e-diagnostics';
import { publish, watchDeliveries } from './e2e-items';
import type { Partner } from './e2e-partners';
import { int, mb, ms, percentile, progress, endProgress, seconds, table } from './e2e-report';

const BATCH = 10_000;
/** Room between two copied entries' added times: more than the one microsecond per STIX object each is served as. */
const STEP_US = 10;
const TAXII_ACCEPT = 'application/taxii+json;version=2.1';

interface Template {
  readonly itemId: string;
  readonly versionId: string;
  readonly decisionId: string;
  readonly deliveryId: string;
  readonly seq: string;
}

/** The insertable columns of a table, as the schema has them now (a column added later is copied too). */
async function columns(db: Client, tableName: string): Promise<string[]> {
  const { rows } = await db.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER'
        AND (identity_generation IS NULL OR identity_generation <> 'ALWAYS')
      ORDER BY ordinal_position`,
    [tableName],
  );
  if (rows.length === 0) throw new Error(`no table ${tableName}`);
  return rows.map((row) => row.column_name);
}

/** Copies the row of `tableName` that `where` selects once per row of the temporary table `fill`, with `overrides`. */
async function copyRows(
  db: Client,
  tableName: string,
  where: string,
  overrides: Readonly<Record<string, string>>,
  parameters: unknown[],
): Promise<void> {
  const names = await columns(db, tableName);
  const values = names.map((name) => overrides[name] ?? `t.${name}`);
  await db.query(
    `INSERT INTO ${tableName} (${names.join(', ')}) SELECT ${values.join(', ')} FROM ${tableName} t CROSS JOIN fill f WHERE ${where}`,
    parameters,
  );
}

async function entriesOf(db: Client, channelId: string): Promise<number> {
  const { rows } = await db.query<{ count: string }>('SELECT count(*) FROM feed_entries WHERE channel_id = $1', [
    channelId,
  ]);
  return Number(rows[0].count);
}

/** Adds `count` copies of the template to the channel's feed, in one transaction. */
async function fillBatch(db: Client, channelId: string, template: Template, count: number): Promise<void> {
  await db.query('BEGIN');
  try {
    // The channel's clock, locked as the dispatcher locks it to add an entry; microseconds kept as text.
    const { rows } = await db.query<{ base: string }>(
      'SELECT greatest(added_until, clock_timestamp())::text AS base FROM feed_clocks WHERE channel_id = $1 FOR UPDATE',
      [channelId],
    );
    const base = rows[0].base;
    await db.query(
      `CREATE TEMPORARY TABLE fill ON COMMIT DROP AS
         SELECT g, gen_random_uuid() AS item_id, gen_random_uuid() AS version_id,
                gen_random_uuid() AS decision_id, gen_random_uuid() AS delivery_id
           FROM generate_series(1, $1::int) g`,
      [count],
    );
    await copyRows(db, 'items', 't.id = $1', { id: 'f.item_id' }, [template.itemId]);
    await copyRows(db, 'item_versions', 't.id = $1', { id: 'f.version_id', item_id: 'f.item_id' }, [
      template.versionId,
    ]);
    await copyRows(db, 'decisions', 't.id = $1', { id: 'f.decision_id', item_version_id: 'f.version_id' }, [
      template.decisionId,
    ]);
    await copyRows(
      db,
      'deliveries',
      't.id = $1',
      { id: 'f.delivery_id', decision_id: 'f.decision_id', item_version_id: 'f.version_id' },
      [template.deliveryId],
    );
    await copyRows(
      db,
      'feed_entries',
      't.seq = $1',
      {
        delivery_id: 'f.delivery_id',
        item_id: 'f.item_id',
        added_at: `$2::timestamptz + f.g * interval '${STEP_US} microseconds'`,
      },
      [template.seq, base],
    );
    await db.query(
      `UPDATE feed_clocks SET added_until = $2::timestamptz + ($3::int + 1) * interval '${STEP_US} microseconds' WHERE channel_id = $1`,
      [channelId, base, count],
    );
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK');
    throw error;
  }
}

async function fillTo(db: Client, channelId: string, template: Template, target: number): Promise<number> {
  const started = performance.now();
  let have = await entriesOf(db, channelId);
  while (have < target) {
    const count = Math.min(BATCH, target - have);
    await fillBatch(db, channelId, template, count);
    have += count;
    progress(`feed filled to ${int(have)}/${int(target)} entries`);
  }
  endProgress();
  await db.query('ANALYZE items, item_versions, decisions, deliveries, feed_entries');
  return performance.now() - started;
}

/** A small TLP:GREEN advisory delivered to the partner alone: the row set every copy is made from. */
async function deliverTemplate(broker: BenchBroker, partner: Partner): Promise<Template> {
  const published = await publish(broker, {
    type: 'advisory',
    title: 'Weekly indicator digest',
    summary: 'Indicators seen this week by the team.',
    body: 'Domains and hashes seen in phishing against the constituency this week; see the annex.\n'.repeat(4),
    tlp: 'TLP:GREEN',
    pap: 'PAP:GREEN',
    severity: 'low',
    audience: { organisations: [partner.id] },
  });
  await watchDeliveries(broker.db, published.versionId, 1, { intervalMs: 20, timeoutMs: 120_000 });
  const { rows } = await broker.db.query<{ seq: string; delivery_id: string; decision_id: string }>(
    `SELECT f.seq, f.delivery_id, d.decision_id FROM feed_entries f JOIN deliveries d ON d.id = f.delivery_id
      WHERE d.item_version_id = $1 AND f.channel_id = $2`,
    [published.versionId, partner.channelId],
  );
  if (rows.length !== 1) throw new Error(`the template advisory has ${rows.length} feed entries for ${partner.name}`);
  return {
    itemId: published.itemId,
    versionId: published.versionId,
    decisionId: rows[0].decision_id,
    deliveryId: rows[0].delivery_id,
    seq: rows[0].seq,
  };
}

/** The added time of the entry at `position` (0 = oldest) of the channel's feed, as TAXII writes timestamps. */
async function addedAt(db: Client, channelId: string, position: number): Promise<string> {
  const { rows } = await db.query<{ at: string }>(
    `SELECT to_char(added_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
       FROM feed_entries WHERE channel_id = $1 ORDER BY added_at OFFSET $2 LIMIT 1`,
    [channelId, position],
  );
  return rows[0].at;
}

interface PageKind {
  readonly name: string;
  readonly query: string;
}

async function pageKinds(broker: BenchBroker, partner: Partner, entries: number): Promise<PageKind[]> {
  const path = `/taxii2/api/collections/${partner.channelId}/objects/`;
  const middle = await addedAt(broker.db, partner.channelId, Math.floor(entries / 2));
  const first = await request<{ next?: string }>(broker.base, 'GET', `${path}?limit=100&added_after=${middle}`, {
    key: partner.feedKey,
    headers: { accept: TAXII_ACCEPT },
  });
  if (first.status !== 200)
    throw new Error(`TAXII page after ${middle}: ${first.status} ${JSON.stringify(first.body)}`);
  const next = first.body.next ? `&next=${first.body.next}` : '';
  const late = await addedAt(broker.db, partner.channelId, Math.max(0, entries - 20));
  return [
    { name: 'first page', query: `${path}?limit=100` },
    { name: 'middle page (next)', query: `${path}?limit=100&added_after=${middle}${next}` },
    { name: 'poll (added_after, last 20 entries)', query: `${path}?limit=100&added_after=${late}` },
  ];
}

export interface TaxiiStage {
  readonly entries: number;
  readonly fillMs: number;
  readonly requests: number;
  readonly p50: number;
  readonly p99: number;
  readonly byKind: { name: string; requests: number; p50: number; p99: number }[];
  readonly rssBefore: number;
  readonly rssAfter: number;
  /** Cores the API process, and PostgreSQL for the broker's database, used during the stage's requests. */
  readonly apiCores: number;
  readonly postgresCores: number;
  /** The stage stopped at its time budget before every request was sent. */
  readonly cut: boolean;
}

async function stage(
  broker: BenchBroker,
  partner: Partner,
  template: Template,
  entries: number,
  settings: { requests: number; budgetMs: number },
): Promise<TaxiiStage> {
  const fillMs = await fillTo(broker.db, partner.channelId, template, entries);
  const kinds = await pageKinds(broker, partner, entries);
  const rssBefore = processMemory(broker.api.pid!)?.rss ?? NaN;
  const latencies: number[][] = kinds.map(() => []);
  const cpu = await cpuMeter({ api: broker.api.pid! }, broker);
  const started = performance.now();
  let sent = 0;
  while (sent < settings.requests && performance.now() - started < settings.budgetMs) {
    const kind = sent % kinds.length;
    const before = performance.now();
    const answer = await request<{ objects?: unknown[] }>(broker.base, 'GET', kinds[kind].query, {
      key: partner.feedKey,
      headers: { accept: TAXII_ACCEPT },
    });
    latencies[kind].push(performance.now() - before);
    if (answer.status !== 200 || !answer.body.objects?.length)
      throw new Error(`${kinds[kind].name}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    sent++;
    if (sent % 10 === 0) progress(`${int(entries)} entries: ${sent}/${settings.requests} page requests`);
  }
  endProgress();
  const cpuUse = await cpu();
  const all = latencies.flat();
  return {
    entries,
    fillMs,
    requests: sent,
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    byKind: kinds.map((kind, i) => ({
      name: kind.name,
      requests: latencies[i].length,
      p50: percentile(latencies[i], 50),
      p99: percentile(latencies[i], 99),
    })),
    rssBefore,
    rssAfter: processMemory(broker.api.pid!)?.rss ?? NaN,
    apiCores: cpuUse.processes.api,
    postgresCores: cpuUse.postgres,
    cut: sent < settings.requests,
  };
}

export async function figureTaxii(
  broker: BenchBroker,
  partner: Partner,
  settings: { stages: readonly number[]; requests: number; budgetMs: number },
): Promise<TaxiiStage[]> {
  const template = await deliverTemplate(broker, partner);
  const stages: TaxiiStage[] = [];
  for (const entries of settings.stages) {
    const result = await stage(broker, partner, template, entries, settings);
    stages.push(result);
    console.log(
      `  ${int(entries)} entries (filled in ${seconds(result.fillMs)}): ${result.requests} requests, p50 ${ms(result.p50)}, p99 ${ms(result.p99)}; ` +
        `API ${result.apiCores.toFixed(2)} cores busy (PostgreSQL ${result.postgresCores.toFixed(2)}), RSS ${mb(result.rssBefore)} before, ${mb(result.rssAfter)} after${result.cut ? ` (stopped at the ${seconds(settings.budgetMs)} budget)` : ''}`,
    );
  }
  return stages;
}

export function printTaxii(stages: readonly TaxiiStage[]): void {
  console.log(
    table(
      ['entries', 'request', 'requests', 'p50', 'p99'],
      stages.flatMap((s) => s.byKind.map((k) => [int(s.entries), k.name, int(k.requests), ms(k.p50), ms(k.p99)])),
      new Set([0, 2, 3, 4]),
    ),
  );
  console.log(
    '\n  One request at a time (a client paging), limit=100 objects (each entry is served as a report and an artifact); ' +
      'latency = request sent → answer read whole.',
  );
}
