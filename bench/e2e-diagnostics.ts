/**
 * Where the time goes while a figure is measured, seen from outside the broker: the CPU each
 * process used (Linux /proc), and what the broker's database connections were doing (PostgreSQL's
 * pg_stat_activity, sampled). Printed beside the figures so that a slow figure says whether the
 * broker was computing, waiting on PostgreSQL, or sharing the machine with other work.
 */
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { machineTicks } from './e2e-settings';

/** Clock ticks per second of /proc (USER_HZ): 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

function processTicks(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return NaN;
  }
}

export interface CpuUse {
  /** Cores used on average by each broker process, by name. */
  readonly processes: Readonly<Record<string, number>>;
  /** By the PostgreSQL backends connected to the broker's database (the benchmark's own polling included). */
  readonly postgres: number;
  /** By the benchmark itself (its load generator, reference server, cryptography, SQL client). */
  readonly bench: number;
  /** Everything else on the machine: Redis, PostgreSQL's own background work, and any other work. */
  readonly rest: number;
}

/** Where the PostgreSQL backends of the broker's database are found. */
export interface Backends {
  readonly db: Client;
  readonly databaseName: string;
}

async function backendTicks(backends: Backends): Promise<Map<number, number>> {
  const { rows } = await backends.db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [
    backends.databaseName,
  ]);
  return new Map(rows.map((row) => [row.pid, processTicks(row.pid)]));
}

/** Starts measuring; the function returned gives the average use since. */
export async function cpuMeter(
  pids: Readonly<Record<string, number>>,
  backends: Backends,
): Promise<() => Promise<CpuUse>> {
  const postgresBefore = await backendTicks(backends);
  const started = performance.now();
  const machine = machineTicks();
  const own = process.cpuUsage();
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processTicks(pid)]));
  return async () => {
    const wallSeconds = (performance.now() - started) / 1e3;
    const after = machineTicks();
    const used = process.cpuUsage(own);
    const processes = Object.fromEntries(
      Object.entries(pids).map(([name, pid]) => [
        name,
        (processTicks(pid) - before[name]) / TICKS_PER_SECOND / wallSeconds,
      ]),
    );
    const bench = (used.user + used.system) / 1e6 / wallSeconds;
    // A backend that was not there at the start was opened since: all of its time is in the span.
    let postgresTicks = 0;
    for (const [pid, ticks] of await backendTicks(backends))
      if (Number.isFinite(ticks)) postgresTicks += ticks - (postgresBefore.get(pid) ?? 0);
    const postgres = postgresTicks / TICKS_PER_SECOND / wallSeconds;
    const busy =
      machine && after
        ? (after.total - after.idle - (machine.total - machine.idle)) / TICKS_PER_SECOND / wallSeconds
        : NaN;
    const ours = Object.values(processes).reduce((sum, value) => sum + value, 0) + bench + postgres;
    return { processes, postgres, bench, rest: Math.max(0, busy - ours) };
  };
}

export function describeCpu(use: CpuUse): string {
  const cores = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '?');
  return [
    ...Object.entries(use.processes).map(([name, value]) => `${name} ${cores(value)}`),
    `PostgreSQL for the broker's database ${cores(use.postgres)}`,
    `this benchmark ${cores(use.bench)}`,
    `everything else on the machine ${cores(use.rest)}`,
  ].join(', ');
}

/** What a sampled connection of the broker was doing. */
function activity(row: {
  state: string | null;
  wait_event_type: string | null;
  wait_event: string | null;
}): string | null {
  if (row.state === 'idle') return null;
  if (row.state === 'idle in transaction') return 'in a transaction, waiting for the broker';
  if (row.wait_event_type === null) return 'running a query';
  if (row.wait_event_type === 'Lock' && row.wait_event === 'advisory') return 'waiting for an advisory lock';
  if (row.wait_event_type === 'Lock') return `waiting for a ${row.wait_event} lock`;
  if (row.wait_event_type === 'Client') return 'waiting for the broker';
  return `waiting: ${row.wait_event_type}/${row.wait_event}`;
}

/** Samples pg_stat_activity every 100 ms for the connections of one role to one database. */
export class WaitSampler {
  private readonly counts = new Map<string, number>();
  private samples = 0;
  private running = true;
  private loop: Promise<void> = Promise.resolve();

  private constructor(
    private readonly client: Client,
    private readonly database: string,
    private readonly role: string,
  ) {}

  static async start(url: string, database: string, role: string): Promise<WaitSampler> {
    const client = new Client({ connectionString: url });
    await client.connect();
    const sampler = new WaitSampler(client, database, role);
    // A failed sample ends the sampling; what was sampled until then is still reported.
    sampler.loop = sampler.run().catch(() => undefined);
    return sampler;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const { rows } = await this.client.query<{
        state: string | null;
        wait_event_type: string | null;
        wait_event: string | null;
      }>('SELECT state, wait_event_type, wait_event FROM pg_stat_activity WHERE datname = $1 AND usename = $2', [
        this.database,
        this.role,
      ]);
      this.samples++;
      for (const row of rows) {
        const what = activity(row);
        if (what) this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private stopped: Promise<string> | null = null;

  /** Stops (once; later calls answer the same); the average number of busy connections, and the shares of what they were doing. */
  stop(): Promise<string> {
    this.stopped ??= this.finish();
    return this.stopped;
  }

  private async finish(): Promise<string> {
    this.running = false;
    await this.loop;
    await this.client.end();
    const busy = [...this.counts.values()].reduce((sum, value) => sum + value, 0);
    if (busy === 0) return 'no connection of the broker was busy when sampled';
    const shares = [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([what, count]) => `${what} ${((count * 100) / busy).toFixed(0)}%`);
    return `${(busy / Math.max(this.samples, 1)).toFixed(1)} busy on average: ${shares.join(', ')}`;
  }
}
