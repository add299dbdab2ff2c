import { Client } from 'pg';
import { StartupError } from '@tlp-broker/config';
import { DataSource } from 'typeorm';
import { createDataSource } from './data-source';

/**
 * Two database roles: the owner (owns the schema, runs the migrations: MIGRATION_DATABASE_URL)
 * and the application (the API and dispatcher: DATABASE_URL), which reads and writes the
 * application's tables but may only INSERT and SELECT the audit tables: no UPDATE, DELETE or
 * TRUNCATE, no ownership, so it cannot disable their triggers either. What a compromised
 * application process can do to the audit trail is then only to add to it.
 */

/** Tables the application may only add to and read. */
export const APPEND_ONLY_TABLES = ['audit_events', 'audit_checkpoints'] as const;

export class DatabaseRoleError extends StartupError {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseRoleError';
  }
}

interface RoleInUrl {
  readonly name: string;
  readonly password: string | null;
  readonly database: string;
}

function roleInUrl(url: string, setting: string): RoleInUrl {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.username);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!name) throw new DatabaseRoleError(`${setting} must name its role (postgres://ROLE@host:port/database)`);
  if (!database) throw new DatabaseRoleError(`${setting} must name the database (postgres://ROLE@host:port/DATABASE)`);
  return { name, password: parsed.password ? decodeURIComponent(parsed.password) : null, database };
}

/** The same server and credentials, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** Serialises role creation across processes (two test runs starting together). */
const ROLES_LOCK_KEY = 0x746c726c; // "tlrl"

/** One connection for `work`, closed after it whatever happens (administration outside the pool). */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function isDuplicate(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  // duplicate_object (role exists), duplicate_database, unique_violation (two CREATE ROLE at once)
  return code === '42710' || code === '42P04' || code === '23505';
}

/**
 * Creates (or brings up to date) the owner and application roles named in the two URLs, with
 * the passwords those URLs carry, and the database, owned by the owner. Run with a superuser's
 * connection; safe to run again and from two processes at once. Objects of an existing database
 * that another role owns (an installation migrated as the superuser) are handed to the owner, and
 * when the schema is migrated the application role's privileges are set at once.
 */
export async function createDatabaseRoles(urls: {
  superuserUrl: string;
  migrationUrl: string;
  appUrl: string;
}): Promise<string[]> {
  const owner = roleInUrl(urls.migrationUrl, 'MIGRATION_DATABASE_URL');
  const app = roleInUrl(urls.appUrl, 'DATABASE_URL');
  if (owner.name === app.name) {
    throw new DatabaseRoleError(
      `MIGRATION_DATABASE_URL and DATABASE_URL name the same role (${app.name}): the application needs a role of its own`,
    );
  }
  if (owner.database !== app.database) {
    throw new DatabaseRoleError(
      `MIGRATION_DATABASE_URL and DATABASE_URL name different databases (${owner.database}, ${app.database})`,
    );
  }
  const done: string[] = [];
  await withClient(urls.superuserUrl, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [ROLES_LOCK_KEY]);
    try {
      for (const role of [owner, app]) done.push(await ensureRole(client, role));
      done.push(await ensureDatabase(client, owner.database, owner.name));
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [ROLES_LOCK_KEY]);
    }
  });
  await withClient(withDatabase(urls.superuserUrl, owner.database), async (client) => {
    const id = (name: string) => client.escapeIdentifier(name);
    await client.query('BEGIN');
    await client.query(`ALTER SCHEMA public OWNER TO ${id(owner.name)}`);
    // Before PostgreSQL 15 every role may create tables in public: the application creates nothing.
    await client.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    await client.query(`GRANT USAGE ON SCHEMA public TO ${id(app.name)}`);
    const handed = await handOver(client, owner.name);
    if (handed > 0) done.push(`${handed} existing object(s) of ${owner.database} handed to ${owner.name}`);
    await client.query('COMMIT');
  });
  const migrated = await withClient(withDatabase(urls.superuserUrl, owner.database), async (client) => {
    const { rows } = await client.query(`SELECT to_regclass('public.typeorm_migrations') IS NOT NULL AS migrated`);
    return rows[0].migrated as boolean;
  });
  if (migrated) {
    await withClient(urls.migrationUrl, (client) => grantApplicationRole(client, app.name));
    done.push(`privileges of ${app.name} set on the migrated schema`);
  }
  return done;
}

async function ensureRole(client: Client, role: RoleInUrl): Promise<string> {
  const { rows } = await client.query('SELECT rolsuper FROM pg_roles WHERE rolname = $1', [role.name]);
  if (rows[0]?.rolsuper)
    throw new DatabaseRoleError(`${role.name} is a superuser: the broker's roles must be ordinary roles`);
  const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS${role.password === null ? '' : ` PASSWORD ${client.escapeLiteral(role.password)}`}`;
  if (rows.length === 0) {
    try {
      await client.query(`CREATE ROLE ${client.escapeIdentifier(role.name)} ${attributes}`);
      return `role ${role.name} created`;
    } catch (error) {
      if (!isDuplicate(error)) throw error;
    }
  }
  await client.query(`ALTER ROLE ${client.escapeIdentifier(role.name)} ${attributes}`);
  return `role ${role.name} up to date`;
}

async function ensureDatabase(client: Client, database: string, owner: string): Promise<string> {
  const { rows } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  if (rows.length === 0) {
    try {
      await client.query(
        `CREATE DATABASE ${client.escapeIdentifier(database)} OWNER ${client.escapeIdentifier(owner)}`,
      );
      return `database ${database} created, owned by ${owner}`;
    } catch (error) {
      if (!isDuplicate(error)) throw error;
    }
  }
  await client.query(`ALTER DATABASE ${client.escapeIdentifier(database)} OWNER TO ${client.escapeIdentifier(owner)}`);
  return `database ${database} owned by ${owner}`;
}

/** Hands the tables, views, sequences and functions of schema public to the owner; returns how many changed hands. */
async function handOver(client: Client, owner: string): Promise<number> {
  const { rows } = await client.query(
    `SELECT format('ALTER %s %s OWNER TO %I', CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, c.oid::regclass, $1::text) AS statement
       FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
        AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = $1)
        -- A sequence behind a column moves with its table.
        AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype = 'e')
     UNION ALL
     SELECT format('ALTER FUNCTION %s OWNER TO %I', p.oid::regprocedure, $1::text)
       FROM pg_proc p
      WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = $1)
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e')`,
    [owner],
  );
  for (const row of rows as { statement: string }[]) await client.query(row.statement);
  return rows.length;
}

/**
 * The application role's privileges, set from scratch each time (so tables added by later
 * migrations are covered, and nothing granted by hand lingers): read and write every table, use
 * the sequences, only INSERT and SELECT the append-only tables, only read the migration history.
 * Run as the owner, in one transaction: the running application never sees a half-granted schema.
 */
export async function grantApplicationRole(
  client: { query(sql: string): Promise<unknown> },
  appRole: string,
): Promise<void> {
  const app = escapeIdentifier(appRole);
  await client.query('BEGIN');
  try {
    await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${app}`);
    await client.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${app}`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${app}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${app}`);
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${app}`);
    await client.query(`REVOKE UPDATE, DELETE ON ${APPEND_ONLY_TABLES.join(', ')} FROM ${app}`);
    await client.query(`REVOKE INSERT, UPDATE, DELETE ON typeorm_migrations FROM ${app}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    if ((error as { code?: string }).code === '42704') {
      throw new DatabaseRoleError(
        `the role ${appRole} (DATABASE_URL) does not exist: create it with tlp-broker db create-roles (see README, "Running it")`,
      );
    }
    throw error;
  }
}

function escapeIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Applies pending migrations as the owner role, then sets the application role's privileges
 * when the application runs as a role of its own (DATABASE_URL naming another role).
 */
export async function migrateDatabase(urls: {
  migrationUrl: string;
  appUrl: string;
}): Promise<{ applied: string[]; grantedTo: string | null }> {
  const dataSource: DataSource = await createDataSource(urls.migrationUrl).initialize();
  try {
    const applied = (await dataSource.runMigrations({ transaction: 'each' })).map((migration) => migration.name);
    const appRole = decodeURIComponent(new URL(urls.appUrl).username);
    const [{ role }] = (await dataSource.query('SELECT current_user AS role')) as { role: string }[];
    if (!appRole || appRole === role) return { applied, grantedTo: null };
    const runner = dataSource.createQueryRunner();
    try {
      await grantApplicationRole(runner, appRole);
    } finally {
      await runner.release();
    }
    return { applied, grantedTo: appRole };
  } finally {
    await dataSource.destroy();
  }
}

/**
 * What the connected role could do to the audit trail beyond adding to it: be a superuser
 * (disable triggers, replication mode), own an audit table (disable its trigger, drop it), or
 * hold UPDATE, DELETE or TRUNCATE on it. Empty when the role is as it should be.
 */
export async function auditPrivilegeProblems(dataSource: DataSource): Promise<{ role: string; problems: string[] }> {
  const [who] = (await dataSource.query(
    'SELECT current_user AS role, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user',
  )) as { role: string; superuser: boolean }[];
  const problems: string[] = [];
  if (who.superuser) problems.push('is a superuser');
  for (const table of APPEND_ONLY_TABLES) {
    const [row] = (await dataSource.query(
      `SELECT pg_has_role(current_user, c.relowner, 'MEMBER') AS owner,
              has_table_privilege(c.oid, 'UPDATE') AS update, has_table_privilege(c.oid, 'DELETE') AS delete,
              has_table_privilege(c.oid, 'TRUNCATE') AS truncate
         FROM pg_class c WHERE c.oid = to_regclass($1)`,
      [`public.${table}`],
    )) as { owner: boolean; update: boolean; delete: boolean; truncate: boolean }[];
    if (!row || who.superuser) continue;
    if (row.owner) problems.push(`owns ${table}`);
    const rights = (['update', 'delete', 'truncate'] as const)
      .filter((right) => row[right])
      .map((right) => right.toUpperCase());
    if (rights.length > 0) problems.push(`may ${rights.join(', ')} ${table}`);
  }
  return { role: who.role, problems };
}
