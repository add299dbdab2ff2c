/**
 * Figure 1: one 20 KB TLP:GREEN advisory to every registered partner, from the moment POST /items
 * answers until the last delivery is committed as delivered (the deliveries table polled every
 * 20 ms from a connection of the benchmark's own). Beside it, measured in the same run on the same
 * machine: the cryptography alone for the same recipients (bench/fanout.bench.ts's broker path:
 * sign and encrypt the item once, then one session-key packet per recipient's key), in this process.
 */
import { generateKeyPair, OpenPgpService } from '@tlp-broker/crypto';
import * as openpgp from 'openpgp';
import type { BenchBroker } from './e2e-broker';
import { cpuMeter, CpuUse, describeCpu, WaitSampler } from './e2e-diagnostics';
import { advisory, ITEM_DOCUMENT_BYTES, itemDocumentOf, openDelivered, publish, watchDeliveries } from './e2e-items';
import { ALL_PARTNERS, Partners } from './e2e-partners';
import { int, lanes, seconds } from './e2e-report';

/** addressTo calls in flight at once: the dispatcher's default DELIVERY_CONCURRENCY. */
const CRYPTO_CONCURRENCY = 8;
const POLL_MS = 20;

export interface FanOutResult {
  readonly recipients: number;
  /** From the POST /items answer until every delivery row existed (routed). */
  readonly routedMs: number;
  readonly firstMs: number;
  /** From the POST /items answer until the last delivery was seen delivered. */
  readonly allMs: number;
  /** The version's creation to the last delivered_at, by the database's clock. */
  readonly databaseSpanMs: number;
  /** The cryptography alone for the same recipients: keys parsed on the way (a fresh cache), then cached. */
  readonly cryptoFirstMs: number;
  readonly cryptoCachedMs: number;
  readonly cpu: CpuUse;
  /** What the broker's database connections were doing during the fan-out. */
  readonly waits: string;
}

/** sealOnce + addressTo for every partner's key, twice with the same service: first parsing each key, then from its cache. */
async function cryptographyAlone(partners: Partners, count: number, document: string): Promise<[number, number]> {
  const team = await generateKeyPair({ name: 'Bench CSIRT', email: 'csirt@bench.example' });
  const teamKey = await openpgp.readPrivateKey({ armoredKey: team.privateArmored });
  const service = new OpenPgpService();
  const recipients = partners.list.slice(0, count);
  const pass = async () => {
    const started = performance.now();
    const payload = await service.sealOnce(document, teamKey);
    const messages = await lanes(recipients.length, CRYPTO_CONCURRENCY, (i) =>
      service.addressTo(payload, recipients[i].fingerprint, recipients[i].publicArmored),
    );
    if (new Set(messages).size !== recipients.length) throw new Error('cryptography alone: messages not distinct');
    return performance.now() - started;
  };
  const first = await pass();
  const cached = await pass();
  return [first, cached];
}

export async function figureFanOut(broker: BenchBroker, partners: Partners, count: number): Promise<FanOutResult> {
  const text = advisory(
    `Invoice-themed phishing wave ${count}: indicators for every partner`,
    ITEM_DOCUMENT_BYTES,
    count,
  );
  const document = itemDocumentOf(text, 'advisory', 'TLP:GREEN');
  const [cryptoFirstMs, cryptoCachedMs] = await cryptographyAlone(partners, count, document);
  console.log(
    `  cryptography alone (this process, ${CRYPTO_CONCURRENCY} in flight): ${seconds(cryptoFirstMs)} with each key parsed on the way, ` +
      `${seconds(cryptoCachedMs)} with the keys cached (item document ${int(Buffer.byteLength(document))} bytes)`,
  );
  const sampler = await WaitSampler.start(broker.databaseUrl, broker.databaseName, broker.appRole);
  const cpu = await cpuMeter({ dispatcher: broker.dispatcher.pid!, api: broker.api.pid! }, broker);
  const published = await publish(broker, {
    type: 'advisory',
    ...text,
    tlp: 'TLP:GREEN',
    pap: 'PAP:GREEN',
    severity: 'high',
    audience: { communities: [ALL_PARTNERS] },
  });
  const watched = await watchDeliveries(broker.db, published.versionId, count, {
    intervalMs: POLL_MS,
    timeoutMs: 120_000 + count * 100,
    label: `fan-out to ${int(count)}`,
  }).finally(() => sampler.stop());
  const cpuUse = await cpu();
  const waits = await sampler.stop();
  const { rows } = await broker.db.query<{ span: number }>(
    `SELECT extract(epoch FROM max(d.delivered_at) - v.created_at) * 1000 AS span
       FROM deliveries d JOIN item_versions v ON v.id = d.item_version_id WHERE v.id = $1 GROUP BY v.created_at`,
    [published.versionId],
  );
  const first = partners.list[0];
  const body = await openDelivered(broker, first.feedKey, first.privateKey!, published.itemId);
  if (body !== text.body) throw new Error(`${first.name} decrypted a body different from the one published`);
  const result: FanOutResult = {
    recipients: count,
    routedMs: watched.routedAt - published.answeredAt,
    firstMs: watched.firstHandedAt - published.answeredAt,
    allMs: watched.allHandedAt - published.answeredAt,
    databaseSpanMs: Number(rows[0]?.span ?? NaN),
    cryptoFirstMs,
    cryptoCachedMs,
    cpu: cpuUse,
    waits,
  };
  console.log(
    `  broker: routed (${int(count)} deliveries queued) after ${seconds(result.routedMs)}, first delivered after ${seconds(result.firstMs)}, ` +
      `all ${int(count)} delivered after ${seconds(result.allMs)} → ${int((count * 1e3) / result.allMs)} deliveries/s ` +
      `(database clock, version created → last delivered_at: ${seconds(result.databaseSpanMs)})`,
  );
  console.log(`  CPU during the fan-out, in cores: ${describeCpu(cpuUse)}`);
  console.log(`  the broker's PostgreSQL connections during the fan-out (sampled every 100 ms): ${waits}`);
  console.log(
    `  committed in ${seconds(result.allMs)}; the cryptography alone for ${int(count)} takes ${seconds(cryptoFirstMs)} ` +
      `(${int((count * 1e3) / cryptoFirstMs)}/s; ${seconds(cryptoCachedMs)} with keys cached). ` +
      `Checked: ${first.name}'s feed entry decrypts with its key to the item published, signed by the team key.`,
  );
  return result;
}
