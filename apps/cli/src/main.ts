import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ConfigError, loadAuditKey, loadDatabaseRoleUrls, loadDatabaseUrl, loadDemoSettings } from '@tlp-broker/config';
import { AuditLog, createDatabaseRoles, createDataSource, createUser, migrateDatabase } from '@tlp-broker/persistence';
import { auditVerify } from './audit';
import { runDemo } from './demo';
import { ROLES, Role } from '@tlp-broker/domain';

const USAGE = `tlp-broker command line

  db create-roles                         create the owner and application database roles and the database
                                          (as SUPERUSER_DATABASE_URL; names and passwords from the two URLs below)
  migrate                                 apply pending database migrations as MIGRATION_DATABASE_URL, then
                                          grant the application role (DATABASE_URL) its privileges
  user add --name NAME --roles R[,R...]   create a team member and print its API key (roles: ${ROLES.join(', ')})
  audit verify [--json] [--checkpoints FILE]
                                          verify the audit trail: chain, MACs, signed checkpoints (also those
                                          kept in FILE, a copy of AUDIT_CHECKPOINT_FILE); exit 0 intact, 1 broken
  demo [--keep-running]                   run the demonstration on its own database (tlp_broker_demo)

Settings: DATABASE_URL (postgres://role@host:port/database: the application role);
MIGRATION_DATABASE_URL (the owner role; default DATABASE_URL); SUPERUSER_DATABASE_URL (db create-roles only);
AUDIT_KEY or TEAM_KEY_PASSPHRASE (the audit key: required by user add, checks the MACs in audit verify);
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
    options: { name: { type: 'string' }, roles: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (!values.name) throw new UsageError('user add: --name is required');
  const roles = (values.roles ?? '')
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
  const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (roles.length === 0 || unknown.length > 0)
    throw new UsageError(`user add: --roles must list roles among ${ROLES.join(', ')}`);
  const auditKey = loadAuditKey();
  if (!auditKey)
    throw new ConfigError([
      'AUDIT_KEY or TEAM_KEY_PASSPHRASE is required: audit events are authenticated with the audit key',
    ]);
  const dataSource = await createDataSource(loadDatabaseUrl()).initialize();
  try {
    const user = await dataSource.transaction((manager) =>
      createUser(manager, new AuditLog(auditKey), values.name!, roles as Role[], 'cli'),
    );
    process.stdout.write(
      values.json
        ? `${JSON.stringify(user)}\n`
        : `created ${user.name} (${user.roles.join(', ')})\nAPI key (shown once): ${user.apiKey}\n`,
    );
  } finally {
    await dataSource.destroy();
  }
}

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [command, sub, ...rest] = argv;
  if (command === 'migrate') return migrate();
  if (command === 'db' && sub === 'create-roles') return createRoles();
  if (command === 'user' && sub === 'add') return addUser(rest);
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
