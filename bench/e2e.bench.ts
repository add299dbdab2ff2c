/**
 * The broker measured from outside, end to end: the API and the dispatcher as production runs
 * them (built processes, NODE_ENV=production, two database roles, a fresh database and a Redis key
 * prefix of their own), driven only through the HTTP API, with the database read on a connection
 * of the benchmark's own to see when deliveries are committed.
 *
 *   1. a 20 KB TLP:GREEN advisory to 1,000 and to 5,000 feed partners: until the last delivery
 *      is committed, beside the cryptography alone for the same recipients;
 *   2. an urgent TLP:RED alert to one person by e-mail, published during a 1,000-recipient
 *      fan-out: its latency, beside the same alert with nothing else running;
 *   3. a partner's JSON feed page, TAXII objects page and MISP manifest under 16 clients, beside
 *      a bare node:http server answering the same bytes under the same load generator;
 *   4. TAXII pages of 100 from a collection of 1,000 and of 100,000 entries, and the API's memory;
 *   and the peak memory of both processes over all of it.
 *
 * A plain Node script: `npm run bench:e2e` (BENCH_PARTNERS=1000 for a quicker run; the other
 * BENCH_* settings are in bench/e2e-settings.ts and docs/benchmarks.md). Each figure is printed
 * beside a reference measured in the same run, since the machine is shared and noisy. Exits 0
 * when it measured everything, whether targets were met or not; 1 on an error. Everything it made
 * is removed at the end: processes, database, Redis keys.
 */
import { Redis } from 'ioredis';
import { figureAlerts, printAlerts, summary } from './e2e-alerts';
import { BenchBroker, startBenchBroker } from './e2e-broker';
import { FanOutResult, figureFanOut } from './e2e-fanout';
import { figureFeeds, printFeeds } from './e2e-load';
import { Partners, registerDutyOfficer } from './e2e-partners';
import { heading, int, mb, ms, seconds, table, Verdict, verdictTable } from './e2e-report';
import { BenchSettings, machine, machineBusy, readSettings } from './e2e-settings';
import { figureTaxii, printTaxii } from './e2e-taxii';

const TARGETS = {
  /** Figure 1: 1.5 s for 1,000 recipients, 6 s for 5,000; in proportion beyond. */
  fanOutMs: (recipients: number) => (recipients <= 1_000 ? 1_500 : Math.max(1_500, (6_000 * recipients) / 5_000)),
  alertP99Ms: 250,
  pageRatio: 0.5,
  pageP99Ms: 50,
  taxiiP99Ms: 50,
  /** "Flat": the API's RSS after the largest collection's requests within this factor of the smallest's. */
  memoryGrowth: 1.25,
  processRssBytes: 300 * 2 ** 20,
} as const;

async function serverVersions(broker: BenchBroker, redisUrl: string): Promise<{ postgres: string; redis: string }> {
  const { rows } = await broker.db.query<{ server_version: string }>('SHOW server_version');
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const info = await redis.info('server');
    return { postgres: rows[0].server_version, redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown' };
  } finally {
    redis.disconnect();
  }
}

async function printHeader(settings: BenchSettings, broker: BenchBroker): Promise<void> {
  const m = machine();
  const versions = await serverVersions(broker, settings.redisUrl);
  console.log(`End-to-end benchmark — ${new Date().toISOString().slice(0, 10)}`);
  console.log(
    `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB.toFixed(1)} GiB; PostgreSQL ${versions.postgres}, Redis ${versions.redis}, node ${m.node}.`,
  );
  console.log(
    `Broker: API and dispatcher from dist/ (NODE_ENV=production, LOG_LEVEL=warn), database ${broker.databaseName}, Redis prefix ${broker.redisPrefix}, ` +
      `logs in ${broker.logDir}/; the broker's defaults except APPROVAL_REQUIRED_FOR=none and PARTNER_RATE_LIMIT=1000000` +
      `${
        Object.keys(settings.brokerEnv).length > 0
          ? `, and BENCH_BROKER_ENV: ${Object.entries(settings.brokerEnv)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')}`
          : ''
      }.`,
  );
  console.log(
    'The benchmark (load generator, cryptography reference, SQL) runs on the same machine as the broker, PostgreSQL and Redis.',
  );
  console.log(`CPU used by other processes just before the run: ${await machineBusy()}.`);
}

async function fanOuts(broker: BenchBroker, partners: Partners, settings: BenchSettings): Promise<Verdict[]> {
  heading('Figure 1: one 20 KB TLP:GREEN advisory to every partner (feed channels)');
  const results: FanOutResult[] = [];
  for (const count of settings.partnerCounts) {
    const registered = await partners.registerUpTo(count);
    console.log(
      `${int(count)} partners: ${int(registered.added)} registered through POST /organisations in ${seconds(registered.ms)} ` +
        `(${int((registered.added * 1e3) / registered.ms)}/s, 16 at a time, each with a fresh Curve25519 key and a feed channel)`,
    );
    results.push(await figureFanOut(broker, partners, count));
  }
  return results.map((r) => ({
    figure: `1. advisory to ${int(r.recipients)} feeds`,
    measured: `${seconds(r.allMs)} (${int((r.recipients * 1e3) / r.allMs)}/s)`,
    reference: `crypto alone ${seconds(r.cryptoFirstMs)}`,
    target: `≤ ${seconds(TARGETS.fanOutMs(r.recipients))}`,
    met: r.allMs <= TARGETS.fanOutMs(r.recipients),
  }));
}

async function alerts(broker: BenchBroker, settings: BenchSettings): Promise<Verdict[]> {
  heading(
    `Figure 2: an urgent TLP:RED alert by e-mail during a ${int(settings.backgroundRecipients)}-recipient fan-out`,
  );
  const officer = await registerDutyOfficer(broker);
  const result = await figureAlerts(broker, officer, {
    trials: settings.alertTrials,
    referenceTrials: settings.alertReferenceTrials,
    backgroundRecipients: settings.backgroundRecipients,
  });
  printAlerts(result);
  const loaded = summary(result.loaded.map((t) => t.committedMs));
  const idle = summary(result.idle.map((t) => t.committedMs));
  const background = summary(result.loaded.map((t) => t.backgroundMs));
  return [
    {
      figure: `1. again, keys read before (${int(result.backgroundRecipients)})`,
      measured: `median ${seconds(background.median)}, worst ${seconds(background.worst)}`,
      reference: 'figure 2: the fan-outs under its alerts',
      target: `≤ ${seconds(TARGETS.fanOutMs(result.backgroundRecipients))}`,
      met: background.median <= TARGETS.fanOutMs(result.backgroundRecipients),
    },
    {
      figure: '2. alert during a fan-out',
      measured: `p99 ${ms(loaded.p99)} (median ${ms(loaded.median)}, worst ${ms(loaded.worst)})`,
      reference: `idle median ${ms(idle.median)}`,
      target: `p99 ≤ ${TARGETS.alertP99Ms} ms`,
      met: loaded.p99 <= TARGETS.alertP99Ms,
    },
  ];
}

async function pages(broker: BenchBroker, partners: Partners, settings: BenchSettings): Promise<Verdict[]> {
  heading(`Figure 3: pull pages under ${settings.loadClients} concurrent clients`);
  const partner = partners.list[0];
  console.log(`  ${partner.name}'s pages, as they stand after figures 1 and 2`);
  const results = await figureFeeds(broker, partner, { clients: settings.loadClients, seconds: settings.loadSeconds });
  printFeeds(results, settings.loadClients, settings.loadSeconds);
  return results.map((r) => {
    const ratio = r.broker.perSecond / r.reference.perSecond;
    return {
      figure: `3. ${r.name}`,
      measured: `${int(r.broker.perSecond)} req/s, p99 ${ms(r.broker.p99)}${r.broker.wrong > 0 ? `, ${int(r.broker.wrong)} wrong` : ''}`,
      reference: `bare http ${int(r.reference.perSecond)} req/s (${ratio.toFixed(2)}×)`,
      target: `≥ ${TARGETS.pageRatio}×, p99 ≤ ${TARGETS.pageP99Ms} ms`,
      met: ratio >= TARGETS.pageRatio && r.broker.p99 <= TARGETS.pageP99Ms && r.broker.wrong === 0,
    };
  });
}

async function taxii(broker: BenchBroker, partners: Partners, settings: BenchSettings): Promise<Verdict[]> {
  heading(
    `Figure 4: TAXII pages of 100 from a collection of ${int(settings.taxiiStages[settings.taxiiStages.length - 1])} entries`,
  );
  const partner = partners.list[1] ?? partners.list[0];
  console.log(`  ${partner.name}'s collection, filled by SQL with copies of a delivery it received`);
  const stages = await figureTaxii(broker, partner, {
    stages: settings.taxiiStages,
    requests: settings.taxiiRequests,
    budgetMs: settings.taxiiBudgetMs,
  });
  printTaxii(stages);
  const small = stages[0];
  const large = stages[stages.length - 1];
  return [
    ...stages.map((s) => ({
      figure: `4. TAXII page, ${int(s.entries)} entries`,
      measured: `p99 ${ms(s.p99)} (${s.requests} requests${s.cut ? ', cut short' : ''})`,
      reference: s === small ? '–' : `${int(small.entries)} entries: p99 ${ms(small.p99)}`,
      target: `p99 ≤ ${TARGETS.taxiiP99Ms} ms`,
      met: s.p99 <= TARGETS.taxiiP99Ms,
    })),
    {
      figure: '4. API memory, large collection',
      measured: `RSS ${mb(large.rssAfter)} after ${int(large.entries)} entries`,
      reference: `${mb(small.rssAfter)} after ${int(small.entries)}`,
      target: `flat (≤ ${TARGETS.memoryGrowth}×)`,
      met: large.rssAfter <= small.rssAfter * TARGETS.memoryGrowth,
    },
  ];
}

/** The peak memory of each process so far, after each figure. */
type Checkpoints = { after: string; peaks: ReturnType<BenchBroker['memory']['report']> }[];

function memory(broker: BenchBroker, checkpoints: Checkpoints): Verdict[] {
  heading('Peak memory of the broker processes');
  if (checkpoints.length > 0) {
    const names = checkpoints[0].peaks.map((peak) => peak.name);
    console.log(
      table(
        ['peak VmRSS so far', ...checkpoints.map((c) => `after ${c.after}`)],
        names.map((name) => [name, ...checkpoints.map((c) => mb(c.peaks.find((p) => p.name === name)!.sampledPeak))]),
        new Set(checkpoints.map((_, i) => i + 1)),
      ),
    );
  }
  return broker.memory.report().map((entry) => {
    const peak = Math.max(entry.sampledPeak, entry.hwm);
    console.log(
      `  ${entry.name}: highest VmRSS sampled every 100 ms ${mb(entry.sampledPeak)}, VmHWM (the kernel's peak) ${mb(entry.hwm)}`,
    );
    return {
      figure: `peak RSS, ${entry.name}`,
      measured: mb(peak),
      reference: '–',
      target: `≤ ${mb(TARGETS.processRssBytes)}`,
      met: peak <= TARGETS.processRssBytes,
    };
  });
}

async function main(): Promise<number> {
  const started = performance.now();
  const settings = readSettings();
  const broker = await startBenchBroker(settings);
  const verdicts: Verdict[] = [];
  const checkpoints: Checkpoints = [];
  const figure = async (after: string, run: () => Promise<Verdict[]>) => {
    verdicts.push(...(await run()));
    checkpoints.push({ after, peaks: broker.memory.report() });
  };
  let failure: unknown = null;
  try {
    await printHeader(settings, broker);
    const partners = new Partners(broker, settings.backgroundRecipients);
    await figure('figure 1', () => fanOuts(broker, partners, settings));
    await figure('figure 2', () => alerts(broker, settings));
    await figure('figure 3', () => pages(broker, partners, settings));
    await figure('figure 4', () => taxii(broker, partners, settings));
  } catch (error) {
    failure = error;
  }
  verdicts.push(...memory(broker, checkpoints));
  heading('Summary');
  console.log(verdictTable(verdicts));
  if (failure) {
    console.error(`\nFAILED: ${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}`);
    console.error(`The broker's logs: ${broker.logDir}/api.log, ${broker.logDir}/dispatcher.log`);
  }
  await broker.close();
  console.log(
    `\n${seconds(performance.now() - started)} in all; processes stopped, database ${broker.databaseName} dropped, Redis keys under ${broker.redisPrefix}: deleted.`,
  );
  return failure ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
