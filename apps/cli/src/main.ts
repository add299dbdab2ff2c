import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ConfigError, loadDatabaseUrl, loadDemoSettings } from '@tlp-broker/config';
import { AuditLog, createDataSource, createUser, Role, ROLES } from '@tlp-broker/persistence';
import { runDemo } from './demo';

const USAGE = `tlp-broker command line

  migrate                                 apply pending database migrations
  user add --name NAME --roles R[,R...]   create a team member and print its API key (roles: ${ROLES.join(', ')})
  demo [--keep-running]                   run the demonstration on its own database (tlp_broker_demo)

Settings: DATABASE_URL (postgres://user@host:port/database);
for demo: DEMO_DATABASE_URL, DEMO_REDIS_URL, DEMO_PORT (defaults: local PostgreSQL and Redis, port 3000)`;

async function migrate(): Promise<void> {
  const dataSource = await createDataSource(loadDatabaseUrl()).initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    process.stdout.write(applied.length === 0 ? 'schema up to date\n' : applied.map((m) => `applied ${m.name}\n`).join(''));
  } finally {
    await dataSource.destroy();
  }
}

async function addUser(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { name: { type: 'string' }, roles: { type: 'string' }, json: { type: 'boolean' } } });
  if (!values.name) throw new UsageError('user add: --name is required');
  const roles = (values.roles ?? '').split(',').map((role) => role.trim()).filter(Boolean);
  const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (roles.length === 0 || unknown.length > 0) throw new UsageError(`user add: --roles must list roles among ${ROLES.join(', ')}`);
  const dataSource = await createDataSource(loadDatabaseUrl()).initialize();
  try {
    const user = await dataSource.transaction((manager) => createUser(manager, new AuditLog(), values.name!, roles as Role[], 'cli'));
    process.stdout.write(values.json ? `${JSON.stringify(user)}\n` : `created ${user.name} (${user.roles.join(', ')})\nAPI key (shown once): ${user.apiKey}\n`);
  } finally {
    await dataSource.destroy();
  }
}

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [command, sub, ...rest] = argv;
  if (command === 'migrate') return migrate();
  if (command === 'user' && sub === 'add') return addUser(rest);
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
  process.stderr.write(`tlp-broker: ${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
