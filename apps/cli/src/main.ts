import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import {
  AuditKey,
  ConfigError,
  loadAuditKey,
  loadDatabaseRoleUrls,
  loadDatabaseUrl,
  loadDemoSettings,
} from '@tlp-broker/config';
import {
  AuditLog,
  createDatabaseRoles,
  createDataSource,
  createUser,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  migrateDatabase,
  MIN_PASSWORD_LENGTH,
  setUserPassword,
  UserRepository,
} from '@tlp-broker/persistence';
import { auditVerify } from './audit';
import { runDemo } from './demo';
import { STAFF_ROLES, Role } from '@tlp-broker/domain';

const USAGE = `tlp-broker command line

  db create-roles                         create the owner and application database roles and the database
                                          (as SUPERUSER_DATABASE_URL; names and passwords from the two URLs below)
  migrate                                 apply pending database migrations as MIGRATION_DATABASE_URL, then
                                          grant the application role (DATABASE_URL) its privileges
  user add --name NAME --roles R[,R...] [--password-stdin]
                                          create a team member and print its API key (roles: ${STAFF_ROLES.join(', ')});
                                          with --password-stdin, its console password is read from standard input
  user set-password --name NAME --password-stdin
                                          set a member's console password (read from standard input; at least
                                          ${MIN_PASSWORD_LENGTH} characters) and end their console sessions
  audit verify [--json] [--checkpoints FILE]
                                          verify the audit trail: chain, MACs, signed checkpoints (also those
                                          kept in FILE, a copy of AUDIT_CHECKPOINT_FILE); exit 0 intact, 1 broken
  demo [--keep-running]                   run the demonstration on its own database (tlp_broker_demo)

Settings: DATABASE_URL (postgres://role@host:port/database: the application role);
MIGRATION_DATABASE_URL (the owner role; default DATABASE_URL); SUPERUSER_DATABASE_URL (db create-roles only);
AUDIT_KEY or TEAM_KEY_PASSPHRASE (the audit key: required by user add and user set-password, checks the
MACs in audit verify);
for demo: DEMO_DATABASE_URL (a superuser's), DEMO_REDIS_URL, DEMO_PORT (defaults: local PostgreSQL and Redis, port 3000)`;

async function migrate(): Promise<void> {
  const { applied, grantedTo } = await migrateDatabase(loadDatabaseRoleUrls());
  process.stdout.write(
    applied.length === 0 ? 'schema up to date\n' : applied.map((name) => `applied ${name}\n`).join(''),
  );
  if (grantedTo)
    process.stdout.write(
      `privileges of the application role ${grantedTo} set (audit tables: INSERT and SELECT only)\n`,
    );
}

async function createRoles(): Promise<void> {
  const { superuserUrl, migrationUrl, appUrl } = loadDatabaseRoleUrls();
  if (!superuserUrl)
    throw new ConfigError(['SUPERUSER_DATABASE_URL is required: a superuser connection creates the roles']);
  if (migrationUrl === appUrl)
    throw new ConfigError([
      'MIGRATION_DATABASE_URL is required: the URL of the owner role, beside DATABASE_URL for the application role',
    ]);
  for (const line of await createDatabaseRoles({ superuserUrl, migrationUrl, appUrl }))
    process.stdout.write(`${line}\n`);
}

async function addUser(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      roles: { type: 'string' },
      json: { type: 'boolean' },
      'password-stdin': { type: 'boolean' },
    },
  });
  if (!values.name) throw new UsageError('user add: --name is required');
  const roles = (values.roles ?? '')
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
  const unknown = roles.filter((role) => !(STAFF_ROLES as readonly string[]).includes(role));
  if (roles.length === 0 || unknown.length > 0)
    throw new UsageError(`user add: --roles must list roles among ${STAFF_ROLES.join(', ')}`);
  const auditKey = requireAuditKey();
  const passwordHash = values['password-stdin'] ? await hashPassword(await passwordFromStdin('user add')) : null;
  const dataSource = await createDataSource(loadDatabaseUrl()).initialize();
  try {
    const user = await dataSource.transaction(async (manager) => {
      const audit = new AuditLog(auditKey);
      const created = await createUser(manager, audit, values.name!, roles as Role[], 'cli');
      if (passwordHash !== null) await setUserPassword(manager, audit, created.id, passwordHash, 'cli');
      return created;
    });
    process.stdout.write(
      values.json
        ? `${JSON.stringify(user)}\n`
        : `created ${user.name} (${user.roles.join(', ')})\nAPI key (shown once): ${user.apiKey}\n`,
    );
  } finally {
    await dataSource.destroy();
  }
}

async function setPassword(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { name: { type: 'string' }, 'password-stdin': { type: 'boolean' } } });
  if (!values.name) throw new UsageError('user set-password: --name is required');
  if (!values['password-stdin'])
    throw new UsageError('user set-password: --password-stdin is required (the password is read from standard input)');
  const auditKey = requireAuditKey();
  const passwordHash = await hashPassword(await passwordFromStdin('user set-password'));
  const dataSource = await createDataSource(loadDatabaseUrl()).initialize();
  try {
    const name = values.name;
    const set = await dataSource.transaction(async (manager) => {
      const user = await new UserRepository(dataSource).findByName(name, manager);
      return user !== null && setUserPassword(manager, new AuditLog(auditKey), user.id, passwordHash, 'cli');
    });
    if (!set) throw new ConfigError([`no team member is named "${name}"`]);
    process.stdout.write(`password of ${name} set; their console sessions are ended\n`);
  } finally {
    await dataSource.destroy();
  }
}

function requireAuditKey(): AuditKey {
  const auditKey = loadAuditKey();
  if (!auditKey)
    throw new ConfigError([
      'AUDIT_KEY or TEAM_KEY_PASSPHRASE is required: audit events are authenticated with the audit key',
    ]);
  return auditKey;
}

/**
 * The password, from standard input (never from the command line, which other users of the machine
 * can read): everything up to the end of input, less one final line break.
 */
async function passwordFromStdin(command: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH)
    throw new UsageError(
      `${command}: the password on standard input must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long`,
    );
  return password;
}

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [command, sub, ...rest] = argv;
  if (command === 'migrate') return migrate();
  if (command === 'db' && sub === 'create-roles') return createRoles();
  if (command === 'user' && sub === 'add') return addUser(rest);
  if (command === 'user' && sub === 'set-password') return setPassword(rest);
  if (command === 'audit' && sub === 'verify') {
    process.exitCode = await auditVerify(rest, (message) => new UsageError(message));
    return;
  }
  if (command === 'demo') {
    const keepRunning = [sub, ...rest].includes('--keep-running');
    return runDemo({ ...loadDemoSettings(), keepRunning, root: resolve(__dirname, '..', '..', '..', '..') });
  }
  throw new UsageError(command ? `unknown command: ${argv.join(' ')}` : 'no command given');
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `tlp-broker: ${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
