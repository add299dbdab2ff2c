/**
 * The end-to-end benchmark's own settings (BENCH_*), read once from the environment, and the
 * description of the machine it runs on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

export interface BenchSettings {
  /** Fan-out sizes of figure 1, ascending: partners are registered up to each in turn. */
  readonly partnerCounts: readonly number[];
  /** Recipients of the fan-outs figure 2's alerts are published during (at most the partners registered). */
  readonly backgroundRecipients: number;
  readonly alertTrials: number;
  readonly alertReferenceTrials: number;
  readonly loadClients: number;
  readonly loadSeconds: number;
  /** Entries figure 4 fills one partner's feed with, in two stages: the first, then the second. */
  readonly taxiiStages: readonly number[];
  readonly taxiiRequests: number;
  /** Figure 4 stops a stage's requests after this long (a slow page makes 200 requests take very long). */
  readonly taxiiBudgetMs: number;
  /** A superuser's connection (creates the roles and the database, fills feeds, watches deliveries). */
  readonly superuserUrl: string;
  readonly redisUrl: string;
  /** More settings for the broker's processes (`KEY=value,KEY=value`), to try a change. */
  readonly brokerEnv: Readonly<Record<string, string>>;
  readonly root: string;
}

const NUMBER_LIST = /^\d+(\s*,\s*\d+)*$/;

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${name} must be a positive integer (got "${value}")`);
  return parsed;
}

function numberList(name: string, value: string | undefined, fallback: readonly number[]): number[] {
  if (value === undefined || value.trim() === '') return [...fallback];
  if (!NUMBER_LIST.test(value.trim())) throw new Error(`${name} must list numbers, e.g. "1000,5000" (got "${value}")`);
  const list = value.split(',').map((part) => Number(part.trim()));
  if (list.some((n) => n < 1)) throw new Error(`${name}: every number must be at least 1`);
  return [...new Set(list)].sort((a, b) => a - b);
}

function brokerEnv(value: string | undefined): Record<string, string> {
  if (value === undefined || value.trim() === '') return {};
  const pairs = value.split(',').map((pair) => pair.trim());
  const bad = pairs.find((pair) => !/^[A-Z][A-Z0-9_]*=[^,]*$/.test(pair));
  if (bad !== undefined) throw new Error(`BENCH_BROKER_ENV must read "KEY=value,KEY=value" (got "${bad}")`);
  return Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

function repositoryRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

export function readSettings(): BenchSettings {
  // The benchmark's own knobs; the broker's processes get their settings from the environment
  // this script builds for them, never from this one.
  // eslint-disable-next-line no-restricted-syntax
  const env = process.env;
  const partnerCounts = numberList('BENCH_PARTNERS', env.BENCH_PARTNERS, [1_000, 5_000]);
  const taxiiEntries = positive('BENCH_TAXII_ENTRIES', env.BENCH_TAXII_ENTRIES, 100_000);
  return {
    partnerCounts,
    backgroundRecipients: Math.min(
      positive('BENCH_BACKGROUND_RECIPIENTS', env.BENCH_BACKGROUND_RECIPIENTS, 1_000),
      partnerCounts[partnerCounts.length - 1],
    ),
    alertTrials: positive('BENCH_ALERT_TRIALS', env.BENCH_ALERT_TRIALS, 20),
    alertReferenceTrials: positive('BENCH_ALERT_REFERENCE_TRIALS', env.BENCH_ALERT_REFERENCE_TRIALS, 5),
    loadClients: positive('BENCH_LOAD_CLIENTS', env.BENCH_LOAD_CLIENTS, 16),
    loadSeconds: positive('BENCH_LOAD_SECONDS', env.BENCH_LOAD_SECONDS, 5),
    taxiiStages: [Math.min(1_000, taxiiEntries), taxiiEntries],
    taxiiRequests: positive('BENCH_TAXII_REQUESTS', env.BENCH_TAXII_REQUESTS, 200),
    taxiiBudgetMs: positive('BENCH_TAXII_BUDGET_S', env.BENCH_TAXII_BUDGET_S, 240) * 1e3,
    superuserUrl: env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
    brokerEnv: brokerEnv(env.BENCH_BROKER_ENV),
    root: repositoryRoot(),
  };
}

/** CPU time of the whole machine so far, in clock ticks (Linux /proc/stat); null elsewhere. */
export function machineTicks(): { idle: number; total: number } | null {
  if (!existsSync('/proc/stat')) return null;
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { idle: fields[3] + (fields[4] ?? 0), total: fields.slice(0, 8).reduce((sum, value) => sum + value, 0) };
}

/** How busy the machine's CPUs are over the next second (this process idles meanwhile). */
export async function machineBusy(): Promise<string> {
  const before = machineTicks();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const after = machineTicks();
  if (!before || !after) return 'unknown (no /proc/stat)';
  const busy = 1 - (after.idle - before.idle) / Math.max(after.total - before.total, 1);
  return `${(busy * 100).toFixed(0)}% of ${cpus().length} cores`;
}

export interface Machine {
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly node: string;
}

export function machine(): Machine {
  const model = existsSync('/proc/cpuinfo')
    ? /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]
    : undefined;
  return {
    cores: availableParallelism(),
    cpu: (model ?? cpus()[0]?.model ?? 'unknown CPU').trim(),
    memoryGiB: totalmem() / 2 ** 30,
    node: process.version,
  };
}
