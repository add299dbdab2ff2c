/**
 * The broker under benchmark, set up as production sets it up and run as production runs it: a
 * fresh database created, migrated and given its first team members with the command line (two
 * database roles: the owner migrates, the application role runs the broker), the API and the
 * dispatcher started from dist/ as processes of their own, a Redis key prefix of its own, and an
 * SMTP server on a loopback port standing in for the partners' mail servers. Everything is removed
 * at the end: processes, database, Redis keys.
 */
import { ChildProcess, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { dropDatabase, startProcess, stopProcess, waitForHealth, withDatabase, withRole } from '@tlp-broker/harness';
import { deleteKeysUnder } from '@tlp-broker/queue';
import type { BenchSettings } from './e2e-settings';

const OWNER_ROLE = 'tlpb_bench_owner';
const APP_ROLE = 'tlpb_bench_app';
const ROLE_PASSWORD = 'tlpb-bench-role';
/** Only databases this benchmark made are ever dropped. */
const BENCH_DATABASE = /^tlpb_bench_[a-z0-9_]+$/;
const PASSPHRASE = 'bench team key passphrase, not for production';

export interface Team {
  readonly adminKey: string;
  readonly analystKey: string;
}

export interface BenchBroker extends Team {
  /** http://127.0.0.1:<port> */
  readonly base: string;
  readonly databaseName: string;
  /** The superuser's URL of the broker's database, and the role the broker connects as. */
  readonly databaseUrl: string;
  readonly appRole: string;
  readonly redisPrefix: string;
  /** The settings both processes run with. */
  readonly env: Readonly<Record<string, string>>;
  /** A connection of the benchmark's own, as the superuser, to the broker's database. */
  readonly db: Client;
  readonly api: ChildProcess;
  readonly dispatcher: ChildProcess;
  readonly mail: MailSink;
  readonly memory: MemorySampler;
  readonly logDir: string;
  close(): Promise<void>;
}

const run = promisify(execFile);

/** One command of the broker's command line (dist/apps/cli), with exactly `env`; its standard output. */
async function cli(root: string, args: string[], env: Record<string, string>): Promise<string> {
  const entry = join(root, 'dist', 'apps', 'cli', 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build first (npm run build)`);
  try {
    const { stdout } = await run(process.execPath, [entry, ...args], { env, cwd: root });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`tlp-broker ${args.join(' ')} failed: ${stderr.trim() || String(error)}`);
  }
}

/** Creates the roles and the database, migrates it and adds an administrator and an analyst, with the CLI. */
async function prepareDatabase(settings: BenchSettings, name: string): Promise<{ appUrl: string; team: Team }> {
  const url = withDatabase(settings.superuserUrl, name);
  const ownerUrl = new URL(withRole(url, OWNER_ROLE));
  ownerUrl.password = ROLE_PASSWORD;
  const appUrl = new URL(withRole(url, APP_ROLE));
  appUrl.password = ROLE_PASSWORD;
  const roles = { MIGRATION_DATABASE_URL: ownerUrl.toString(), DATABASE_URL: appUrl.toString() };
  await cli(settings.root, ['db', 'create-roles'], { ...roles, SUPERUSER_DATABASE_URL: settings.superuserUrl });
  await cli(settings.root, ['migrate'], roles);
  const addUser = async (userName: string, role: string) => {
    const out = await cli(settings.root, ['user', 'add', '--name', userName, '--roles', role, '--json'], {
      DATABASE_URL: roles.DATABASE_URL,
      TEAM_KEY_PASSPHRASE: PASSPHRASE,
    });
    return (JSON.parse(out) as { apiKey: string }).apiKey;
  };
  return {
    appUrl: roles.DATABASE_URL,
    team: { adminKey: await addUser('bench-admin', 'admin'), analystKey: await addUser('bench-analyst', 'analyst') },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function brokerEnv(
  settings: BenchSettings,
  appUrl: string,
  redisPrefix: string,
  port: number,
  mail: MailSink,
): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: appUrl,
    REDIS_URL: settings.redisUrl,
    REDIS_PREFIX: redisPrefix,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    TEAM_KEY_PASSPHRASE: PASSPHRASE,
    TEAM_KEY_USER_ID: 'Bench CSIRT <csirt@bench.example>',
    // Items leave as soon as they are published: no second person in a benchmark.
    APPROVAL_REQUIRED_FOR: 'none',
    LOG_LEVEL: 'warn',
    SMTP_URL: mail.url,
    SMTP_REQUIRE_TLS: 'false',
    MAIL_FROM: 'Bench CSIRT <csirt@bench.example>',
    // Figure 3 sends thousands of requests a second with one partner key: the per-key limit (600 a
    // minute by default) would answer 429 after the first few hundred.
    PARTNER_RATE_LIMIT: '1000000',
    ...settings.brokerEnv,
  };
}

export async function startBenchBroker(settings: BenchSettings): Promise<BenchBroker> {
  const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const databaseName = `tlpb_bench_${suffix}`;
  const redisPrefix = `tlpb-bench-${suffix.replace(/_/g, '-')}`;
  const logDir = join(settings.root, '.var', 'bench', 'e2e');
  mkdirSync(logDir, { recursive: true });
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanUp = async () => {
    for (const step of cleanups.splice(0).reverse())
      await step().catch((error: unknown) => console.error(`clean-up: ${error}`));
  };
  try {
    cleanups.push(() => deleteKeysUnder(settings.redisUrl, redisPrefix));
    cleanups.push(() => dropDatabase(settings.superuserUrl, databaseName, BENCH_DATABASE));
    const { appUrl, team } = await prepareDatabase(settings, databaseName);
    const mail = await startMailSink();
    cleanups.push(() => mail.close());
    const port = await freePort();
    const env = brokerEnv(settings, appUrl, redisPrefix, port, mail);
    const logs = { api: join(logDir, 'api.log'), dispatcher: join(logDir, 'dispatcher.log') };
    const api = startProcess(settings.root, 'api', env, logs.api);
    const dispatcher = startProcess(settings.root, 'dispatcher', env, logs.dispatcher);
    cleanups.push(() => Promise.all([stopProcess(api), stopProcess(dispatcher)]));
    const base = `http://127.0.0.1:${port}`;
    await waitForHealth(base, [api, dispatcher], 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${logTail(logs.api)}${logTail(logs.dispatcher)}`);
    });
    const databaseUrl = withDatabase(settings.superuserUrl, databaseName);
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    cleanups.push(() => db.end());
    const memory = new MemorySampler({ api: api.pid!, dispatcher: dispatcher.pid! });
    cleanups.push(async () => memory.stop());
    return {
      ...team,
      base,
      databaseName,
      databaseUrl,
      appRole: APP_ROLE,
      redisPrefix,
      env,
      db,
      api,
      dispatcher,
      mail,
      memory,
      logDir: relative(process.cwd(), logDir) || logDir,
      close: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

function logTail(file: string): string {
  if (!existsSync(file)) return '';
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-15);
  return `--- ${file} (last lines)\n${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// The partners' mail server

export interface MailSink {
  /** smtp://127.0.0.1:<port> */
  readonly url: string;
  /** Resolves with performance.now() when a message whose subject contains `token` has been received. */
  received(token: string, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

/** An SMTP server (no TLS, no authentication) noting when each message arrived, by subject. */
async function startMailSink(): Promise<MailSink> {
  const arrivals = new Map<string, number>();
  const events = new EventEmitter();
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData: (stream: SMTPServerDataStream, _session: SMTPServerSession, callback: (error?: Error | null) => void) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const at = performance.now();
        const raw = Buffer.concat(chunks).toString('latin1');
        const subject =
          /^Subject:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(raw.slice(0, raw.search(/\r?\n\r?\n/)))?.[1] ?? '';
        arrivals.set(subject, at);
        events.emit('mail', subject, at);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    received(token, timeoutMs) {
      for (const [subject, at] of arrivals) if (subject.includes(token)) return Promise.resolve(at);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          events.off('mail', listener);
          reject(new Error(`no e-mail with "${token}" in its subject within ${timeoutMs} ms`));
        }, timeoutMs);
        const listener = (subject: string, at: number) => {
          if (!subject.includes(token)) return;
          clearTimeout(timer);
          events.off('mail', listener);
          resolve(at);
        };
        events.on('mail', listener);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// ---------------------------------------------------------------------------------------------
// Memory of the broker's processes

/** VmRSS and VmHWM of a process, in bytes (Linux /proc); null once it is gone. */
export function processMemory(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s*(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  } catch {
    return null;
  }
}

/** Samples the resident set of each process every 100 ms, keeping the peak. */
export class MemorySampler {
  private readonly peaks = new Map<string, number>();
  private readonly lastHwm = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(readonly pids: Readonly<Record<string, number>>) {
    this.timer = setInterval(() => this.sample(), 100);
    this.timer.unref();
    this.sample();
  }

  private sample(): void {
    for (const [name, pid] of Object.entries(this.pids)) {
      const memory = processMemory(pid);
      if (!memory) continue;
      this.peaks.set(name, Math.max(this.peaks.get(name) ?? 0, memory.rss));
      this.lastHwm.set(name, memory.hwm);
    }
  }

  /** Per process: the highest VmRSS sampled, and VmHWM (the kernel's own peak) as last read. */
  report(): { name: string; sampledPeak: number; hwm: number }[] {
    this.sample();
    return Object.keys(this.pids).map((name) => ({
      name,
      sampledPeak: this.peaks.get(name) ?? NaN,
      hwm: this.lastHwm.get(name) ?? NaN,
    }));
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
