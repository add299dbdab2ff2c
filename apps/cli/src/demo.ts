import { ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { deriveAuditKey } from '@tlp-broker/config';
import {
  Dovecot,
  dovecotInstalled,
  dropDatabase,
  startDovecot,
  startProcess,
  stopProcess,
  waitForHealth,
  withDatabase,
  withRole,
} from '@tlp-broker/harness';
import {
  AuditLog,
  createDatabaseRoles,
  createDataSource,
  createUser,
  hashPassword,
  migrateDatabase,
  setUserPassword,
} from '@tlp-broker/persistence';
import { deleteKeysUnder } from '@tlp-broker/queue';
import type { Role } from '@tlp-broker/domain';
import { DemoKeys, log, scenario } from './demo-scenario';
import { DemoHooks, startDemoHooks, weekendSettings } from './demo-weekend';

/**
 * The demonstration: a broker on its own database, partners of a police CSIRT registered over
 * HTTP, one item published at each TLP label, and each partner pulling, decrypting and verifying
 * what it was sent. Prints who received what, and why the others did not.
 */

export interface DemoOptions {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly port: number;
  readonly keepRunning: boolean;
  readonly root: string;
}

const REDIS_PREFIX = 'tlpb-demo';
const PASSPHRASE = 'demo passphrase, not for production';
/** As in production: one role owns the schema and migrates it, the broker runs as the other. */
const OWNER_ROLE = 'tlpb_demo_owner';
const APP_ROLE = 'tlpb_demo_app';
/** The demonstration drops its database on every run: only one whose name says so. */
const DEMO_DATABASE = /_demo$/;

export async function runDemo(options: DemoOptions): Promise<void> {
  const varDir = join(options.root, '.var', 'demo');
  mkdirSync(varDir, { recursive: true });
  const appUrl = await prepareDatabase(options);
  const keys = await createTeamMembers(appUrl);
  // The team mailbox the dispatcher reads reports from: a real Dovecot, when it is installed.
  const mailbox = dovecotInstalled() ? await startDovecot() : null;
  const hooks = await startDemoHooks();
  const children = startBroker(options, appUrl, varDir, mailbox, hooks);
  const base = `http://127.0.0.1:${options.port}`;
  try {
    await waitForHealth(base, children).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}: see .var/demo/*.log`);
    });
    log(`  api and dispatcher up (logs in ${join('.var', 'demo')})`);
    if (mailbox) log(`  the dispatcher reads the team mailbox at ${mailbox.url} (Dovecot, user ${mailbox.user})`);
    await scenario(base, keys, mailbox, hooks, varDir);
    if (options.keepRunning) await keepRunning(base, keys);
  } finally {
    await Promise.all(children.map((child) => stopProcess(child)));
    await mailbox?.close();
    await hooks.close();
  }
}

/** Recreates the demonstration's database and roles, as `db create-roles` and `migrate` do; returns the application's URL. */
async function prepareDatabase(options: DemoOptions): Promise<string> {
  const database = new URL(options.databaseUrl).pathname.slice(1);
  if (!DEMO_DATABASE.test(database))
    throw new Error(
      `the demonstration resets its database: DATABASE_URL must name a database ending in "_demo" (got "${database}")`,
    );
  log('tlp-broker demonstration');
  log(`  database ${database} (recreated), Redis prefix ${REDIS_PREFIX}, API on port ${options.port}`);
  const superuserUrl = withDatabase(options.databaseUrl, 'postgres');
  await dropDatabase(superuserUrl, database, DEMO_DATABASE);
  await deleteKeysUnder(options.redisUrl, REDIS_PREFIX);
  const urls = {
    migrationUrl: withRole(options.databaseUrl, OWNER_ROLE),
    appUrl: withRole(options.databaseUrl, APP_ROLE),
  };
  await createDatabaseRoles({ superuserUrl, ...urls });
  await migrateDatabase(urls);
  log(
    `  roles: ${OWNER_ROLE} owns the schema and migrated it; the broker runs as ${APP_ROLE} (audit tables: INSERT and SELECT only)`,
  );
  return urls.appUrl;
}

/** The demonstration's team members and their console passwords (each enrols an authenticator at first sign-in). */
export const DEMO_MEMBERS = [
  { name: 'demo-admin', roles: ['admin'], password: 'demo-admin password, not for production' },
  { name: 'demo-analyst', roles: ['analyst'], password: 'demo-analyst password, not for production' },
  { name: 'demo-approver', roles: ['approver'], password: 'demo-approver password, not for production' },
] as const satisfies readonly { name: string; roles: readonly Role[]; password: string }[];

async function createTeamMembers(appUrl: string): Promise<DemoKeys> {
  const dataSource = await createDataSource(appUrl).initialize();
  try {
    const audit = new AuditLog(deriveAuditKey(undefined, PASSPHRASE));
    const hashes = await Promise.all(DEMO_MEMBERS.map((member) => hashPassword(member.password)));
    const [admin, analyst, approver] = await dataSource.transaction(async (manager) => {
      const created = [];
      for (const [i, member] of DEMO_MEMBERS.entries()) {
        const user = await createUser(manager, audit, member.name, [...member.roles], 'demo');
        await setUserPassword(manager, audit, user.id, hashes[i], 'demo');
        created.push(user);
      }
      return created;
    });
    return { admin: admin.apiKey, analyst: analyst.apiKey, approver: approver.apiKey };
  } finally {
    await dataSource.destroy();
  }
}

function startBroker(
  options: DemoOptions,
  appUrl: string,
  varDir: string,
  mailbox: Dovecot | null,
  hooks: DemoHooks,
): ChildProcess[] {
  const checkpointFile = join(varDir, 'audit-checkpoints.asc');
  rmSync(checkpointFile, { force: true });
  const env = {
    // Not production: only outside it may the clock start elsewhere (Saturday night, for the weekend alert).
    NODE_ENV: 'development',
    DATABASE_URL: appUrl,
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX,
    PORT: String(options.port),
    // Production refuses to start without it: the links in signed documents and feeds come from here.
    PUBLIC_URL: `http://127.0.0.1:${options.port}`,
    TEAM_KEY_FILE: join(varDir, 'team-key.asc'),
    TEAM_KEY_PASSPHRASE: PASSPHRASE,
    TEAM_KEY_USER_ID: 'Police CSIRT (demo) <csirt@police.example>',
    OUTBOX_POLL_MS: '50',
    AUDIT_CHECKPOINT_INTERVAL_MS: '1000',
    AUDIT_CHECKPOINT_FILE: checkpointFile,
    ...(mailbox ? { ...mailbox.env, INTAKE_POLL_MS: '1000' } : {}),
    ...weekendSettings(hooks),
  };
  return (['dispatcher', 'api'] as const).map((app) =>
    startProcess(options.root, app, env, join(varDir, `${app}.log`)),
  );
}

async function keepRunning(base: string, keys: DemoKeys): Promise<void> {
  log();
  log(`The broker keeps running at ${base} (OpenAPI documentation at ${base}/docs). Ctrl-C stops it.`);
  log();
  log(`Analysts' console: ${base}/console/`);
  log('  sign in with a name and password below; the first sign-in enrols an authenticator app (TOTP, QR code).');
  for (const member of DEMO_MEMBERS)
    log(`  ${member.name.padEnd(14)} password: ${member.password}   (${member.roles.join(', ')})`);
  log();
  log('For scripts (Authorization: Bearer <key>):');
  log(`  admin API key:    ${keys.admin}`);
  log(`  analyst API key:  ${keys.analyst}`);
  log(`  approver API key: ${keys.approver}`);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
