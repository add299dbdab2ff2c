/**
 * Items the benchmark publishes (through POST /items, as the analyst) and how it watches their
 * deliveries: from its own database connection, polling the deliveries table, as nothing in the
 * broker is asked to report on itself.
 */
import * as openpgp from 'openpgp';
import { Client } from 'pg';
import { openSealed } from '@tlp-broker/crypto';
import { HANDED_OVER_DELIVERY_STATES, type ItemKind } from '@tlp-broker/domain';
import { call, request } from '@tlp-broker/harness';
import type { BenchBroker } from './e2e-broker';
import { Draw } from './draw';
import { int, progress, endProgress, sleep } from './e2e-report';

/** The size of figure 1's item: its JSON item document, as signed and encrypted to every recipient. */
export const ITEM_DOCUMENT_BYTES = 20 * 1024;

const WORDS = ['secure', 'update', 'portal', 'cdn', 'login', 'verify', 'account', 'cloud', 'mail', 'sync'] as const;
const TLDS = ['com', 'net', 'org', 'info', 'top', 'xyz', 'eu', 'io'] as const;
const ROLES = ['c2', 'payload-delivery', 'phishing', 'exfiltration', 'loader'] as const;

const ADVISORY = [
  'Summary',
  'A financially motivated actor targets public administrations and operators of essential services with invoice-themed',
  'phishing. The lure carries a password-protected archive holding a JavaScript dropper that fetches a loader from',
  'compromised WordPress sites; the loader injects a Cobalt Strike beacon and, on selected hosts, a SystemBC proxy.',
  '',
  'Recommended actions',
  '1. Block the network indicators below at the perimeter and in DNS resolvers; retro-hunt proxy and DNS logs.',
  '2. Search endpoints for the file hashes below and for the scheduled tasks named in the annex.',
  '3. Reset credentials of accounts that authenticated from hosts where the loader ran.',
  '',
  'Indicators (type|value|role|first seen)',
].join('\n');

export interface ItemText {
  readonly title: string;
  readonly summary: string;
  readonly body: string;
}

/**
 * An advisory whose item document (the JSON the dispatcher signs: apps/dispatcher/src/item-document.ts)
 * is about `documentBytes` long: text, then indicator lines drawn from a fixed seed.
 */
export function advisory(title: string, documentBytes: number, seed: number): ItemText {
  const draw = new Draw(seed);
  const summary = 'Phishing campaign against public administrations; indicators and recommended actions.';
  // The document's other fields (ids, labels, dates, publisher with fingerprint), JSON-escaped body aside.
  const overhead = 420 + title.length + summary.length;
  const lines = [ADVISORY];
  let size = overhead + ADVISORY.length;
  while (size < documentBytes) {
    const domain = `${draw.pick(WORDS)}-${draw.pick(WORDS)}${draw.int(1, 99)}.${draw.pick(TLDS)}`;
    const line = draw.chance(0.5)
      ? `sha256|${draw.hex(64)}|${draw.pick(ROLES)}|2025-05-${String(draw.int(1, 28)).padStart(2, '0')}`
      : `domain|${domain}|${draw.pick(ROLES)}|2025-05-${String(draw.int(1, 28)).padStart(2, '0')}`;
    lines.push(line);
    // Each line break is written "\n" (two characters) in the JSON document.
    size += line.length + 2;
  }
  return { title, summary, body: lines.join('\n') };
}

/** The item document the dispatcher would sign for this text (for the cryptography-alone reference). */
export function itemDocumentOf(text: ItemText, type: ItemKind, tlp: string): string {
  return JSON.stringify(
    {
      format: 'tlp-broker/item@1',
      id: '3f0c9a52-6d1e-4b7a-9c55-1e2f3a4b5c6d',
      version: 1,
      type,
      tlp,
      pap: 'PAP:GREEN',
      severity: 'high',
      title: text.title,
      summary: text.summary,
      body: text.body,
      indicators: [],
      publishedAt: new Date().toISOString(),
      publisher: { name: 'Bench CSIRT', fingerprint: '0'.repeat(40) },
    },
    null,
    2,
  );
}

export interface Published {
  readonly itemId: string;
  readonly versionId: string;
  /** performance.now() when POST /items answered. */
  readonly answeredAt: number;
}

export async function publish(broker: BenchBroker, item: Record<string, unknown>): Promise<Published> {
  const result = await request<{ id: string; version: number }>(broker.base, 'POST', '/items', {
    key: broker.analystKey,
    json: item,
  });
  const answeredAt = performance.now();
  if (result.status !== 201) throw new Error(`POST /items: ${result.status} ${JSON.stringify(result.body)}`);
  const { rows } = await broker.db.query<{ id: string }>(
    'SELECT id FROM item_versions WHERE item_id = $1 AND version = $2',
    [result.body.id, result.body.version],
  );
  if (rows.length !== 1) throw new Error(`item ${result.body.id} v${result.body.version}: no version row`);
  return { itemId: result.body.id, versionId: rows[0].id, answeredAt };
}

export interface DeliveryCounts {
  readonly total: number;
  /** Delivered to a feed or webhook, or accepted by the mail server. */
  readonly handed: number;
  readonly dead: number;
}

export async function deliveryCounts(db: Client, versionId: string, channelId?: string): Promise<DeliveryCounts> {
  const { rows } = await db.query<{ total: string; handed: string; dead: string }>(
    `SELECT count(*) AS total, count(*) FILTER (WHERE state = ANY($2::text[])) AS handed,
            count(*) FILTER (WHERE state = 'dead') AS dead
       FROM deliveries WHERE item_version_id = $1 AND kind = 'item' AND ($3::uuid IS NULL OR channel_id = $3)`,
    [versionId, [...HANDED_OVER_DELIVERY_STATES], channelId ?? null],
  );
  return { total: Number(rows[0].total), handed: Number(rows[0].handed), dead: Number(rows[0].dead) };
}

export interface Watched {
  /** performance.now() when every delivery row existed (the item was routed). */
  readonly routedAt: number;
  readonly firstHandedAt: number;
  readonly allHandedAt: number;
}

/**
 * Polls until `expected` deliveries of the version are handed over; throws on a dead one, on more
 * deliveries than expected, or after `timeoutMs`.
 */
export async function watchDeliveries(
  db: Client,
  versionId: string,
  expected: number,
  options: { intervalMs: number; timeoutMs: number; channelId?: string; label?: string },
): Promise<Watched> {
  const started = performance.now();
  let routedAt = NaN;
  let firstHandedAt = NaN;
  let lastReport = started;
  for (;;) {
    const counts = await deliveryCounts(db, versionId, options.channelId);
    const now = performance.now();
    if (counts.total > expected)
      throw new Error(`${counts.total} deliveries of version ${versionId}, ${expected} expected`);
    if (counts.dead > 0)
      throw new Error(`${counts.dead} deliveries of version ${versionId} are dead (see GET /deliveries?state=dead)`);
    if (Number.isNaN(routedAt) && counts.total === expected) routedAt = now;
    if (Number.isNaN(firstHandedAt) && counts.handed > 0) firstHandedAt = now;
    if (counts.handed === expected) {
      if (options.label) endProgress();
      return { routedAt, firstHandedAt, allHandedAt: now };
    }
    if (now - started > options.timeoutMs)
      throw new Error(
        `${options.label ?? 'deliveries'}: ${counts.handed}/${expected} handed over (${counts.total} queued) after ${Math.round(options.timeoutMs / 1e3)} s`,
      );
    if (options.label && now - lastReport > 1_000) {
      progress(
        `${options.label}: ${int(counts.handed)}/${int(expected)} delivered after ${((now - started) / 1e3).toFixed(0)} s`,
      );
      lastReport = now;
    }
    await sleep(options.intervalMs);
  }
}

/**
 * Opens what a partner was delivered, as the partner would: its feed entry for the item, decrypted
 * with its private key and the team's signature verified; returns the document's body.
 */
export async function openDelivered(
  broker: BenchBroker,
  feedKey: string,
  privateKey: openpgp.PrivateKey,
  itemId: string,
): Promise<string> {
  const feed = await call<{ entries: { itemId: string; message: string }[] }>(broker.base, 'GET', '/feed?limit=20', {
    key: feedKey,
  });
  const entry = feed.entries.find((candidate) => candidate.itemId === itemId);
  if (!entry) throw new Error(`item ${itemId} is not in the partner's feed`);
  const team = await openpgp.readKey({ armoredKey: await call<string>(broker.base, 'GET', '/team/key.asc') });
  const opened = await openSealed(entry.message, privateKey, [team]);
  const document = JSON.parse(opened.text) as { id: string; body: string };
  if (document.id !== itemId) throw new Error(`the partner's message is item ${document.id}, not ${itemId}`);
  return document.body;
}
