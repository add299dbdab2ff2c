import { Logger } from '@nestjs/common';
import { afterAll, afterEach, describe, expect, inject, it, vi } from 'vitest';
import { createApiApp } from '../apps/api/src/bootstrap';
import { createDispatcher } from '../apps/dispatcher/src/bootstrap';
import { loadConfig } from '@tlp-broker/config';
import { DatabaseRoleError, withClient } from '@tlp-broker/persistence';
import { startBroker, TestBroker } from './support/broker';
import { runCli } from './support/cli';
import {
  createDatabase,
  databaseUrl,
  dropDatabase,
  roleDatabaseUrl,
  TEST_ADMIN_URL,
  TEST_APP_ROLE,
  TEST_OWNER_ROLE,
  TEST_REDIS_URL,
  uniqueName,
} from './support/databases';

/**
 * The broker's database roles: the API and dispatcher run as a role that can add to the audit
 * trail and read it, nothing more; migrations run as the owner role, and set the application
 * role's privileges every time.
 */

const databases: string[] = [];
afterAll(async () => {
  for (const name of databases) await dropDatabase(name);
});

describe('the application role', () => {
  let broker: TestBroker | null = null;
  afterEach(async () => {
    await broker?.close();
    broker = null;
  });

  it('is what the broker runs as, and it may add to and read the audit tables, nothing more', async () => {
    broker = await startBroker({ dispatcher: false });
    expect(new URL(broker.env.DATABASE_URL).username).toBe(TEST_APP_ROLE);
    await withClient(broker.env.DATABASE_URL, async (app) => {
      expect((await app.query('SELECT count(*)::int AS n FROM audit_events')).rows[0].n).toBeGreaterThan(0);
      expect((await app.query(`UPDATE users SET status = status`)).rowCount).toBeGreaterThan(0);
      for (const table of ['audit_events', 'audit_checkpoints']) {
        await expect(app.query(`UPDATE ${table} SET hash = hash`)).rejects.toThrow(
          `permission denied for table ${table}`,
        );
        await expect(app.query(`DELETE FROM ${table}`)).rejects.toThrow(`permission denied for table ${table}`);
        await expect(app.query(`TRUNCATE ${table}`)).rejects.toThrow(`permission denied for table ${table}`);
        await expect(app.query(`ALTER TABLE ${table} DISABLE TRIGGER ALL`)).rejects.toThrow(
          `must be owner of table ${table}`,
        );
        await expect(app.query(`DROP TABLE ${table}`)).rejects.toThrow(`must be owner of table ${table}`);
      }
      await expect(app.query(`SET session_replication_role = replica`)).rejects.toThrow(
        /permission denied to set parameter/,
      );
      await expect(app.query(`SELECT setval(pg_get_serial_sequence('audit_events', 'seq'), 1)`)).rejects.toThrow(
        /permission denied for sequence/,
      );
      await expect(app.query(`CREATE TABLE shadow_audit (id int)`)).rejects.toThrow(
        /permission denied for schema public/,
      );
      await expect(app.query(`INSERT INTO typeorm_migrations (timestamp, name) VALUES (1, 'x')`)).rejects.toThrow(
        /permission denied for table typeorm_migrations/,
      );
    });
  });
});

describe('start-up with a role that could rewrite the audit trail', () => {
  const settings = (url: string, env: Record<string, string>) =>
    loadConfig({
      DATABASE_URL: url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: uniqueName('tlpb-test').replace(/_/g, '-'),
      TEAM_KEY_PASSPHRASE: 'role check test passphrase',
      PUBLIC_URL: 'https://broker.test.example',
      LOG_LEVEL: 'error',
      ...env,
    });
  const startupError = (start: () => Promise<{ close(): Promise<void> }>) =>
    start().then(
      (app) => app.close().then(() => null),
      (error: unknown) => error,
    );

  afterEach(() => vi.restoreAllMocks());

  it('is refused in production, naming the role and what it may do; the application role starts', async () => {
    const name = uniqueName('tlpb_test');
    databases.push(name);
    await createDatabase(name, inject('templateDatabase'));
    const production = { NODE_ENV: 'production' };

    const asSuperuser = await startupError(() => createApiApp(settings(databaseUrl(name), production)));
    expect(asSuperuser).toBeInstanceOf(DatabaseRoleError);
    expect(String(asSuperuser)).toMatch(/database role postgres \(DATABASE_URL\) is a superuser/);
    const dispatcherAsSuperuser = await startupError(() => createDispatcher(settings(databaseUrl(name), production)));
    expect(dispatcherAsSuperuser).toBeInstanceOf(DatabaseRoleError);

    const asOwner = await startupError(() =>
      createApiApp(settings(roleDatabaseUrl(TEST_OWNER_ROLE, name), production)),
    );
    expect(asOwner).toBeInstanceOf(DatabaseRoleError);
    expect(String(asOwner)).toMatch(
      /tlpb_test_owner \(DATABASE_URL\) owns audit_events, may UPDATE, DELETE, TRUNCATE audit_events, owns audit_checkpoints/,
    );

    expect(
      await startupError(() => createApiApp(settings(roleDatabaseUrl(TEST_APP_ROLE, name), production))),
    ).toBeNull();
  });

  it('is allowed outside production, with a warning', async () => {
    const name = uniqueName('tlpb_test');
    databases.push(name);
    await createDatabase(name, inject('templateDatabase'));
    const warn = vi.spyOn(Logger.prototype, 'warn');
    expect(await startupError(() => createApiApp(settings(databaseUrl(name), { NODE_ENV: 'development' })))).toBeNull();
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/database role postgres \(DATABASE_URL\) is a superuser: it could rewrite the audit trail/),
    );
  });
});

describe('db create-roles and migrate', () => {
  /** What the application role may do with each table (true: granted). */
  const privileges = (name: string, table: string) =>
    withClient(databaseUrl(name), async (admin) => {
      const { rows } = await admin.query(
        `SELECT p AS privilege, has_table_privilege($1, $2, p) AS granted FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS p`,
        [TEST_APP_ROLE, table],
      );
      return Object.fromEntries(
        rows.map((row: { privilege: string; granted: boolean }) => [row.privilege, row.granted]),
      );
    });
  const ALL = { SELECT: true, INSERT: true, UPDATE: true, DELETE: true, TRUNCATE: false };
  const APPEND_ONLY = { SELECT: true, INSERT: true, UPDATE: false, DELETE: false, TRUNCATE: false };
  const roleEnv = (name: string) => ({
    MIGRATION_DATABASE_URL: roleDatabaseUrl(TEST_OWNER_ROLE, name),
    DATABASE_URL: roleDatabaseUrl(TEST_APP_ROLE, name),
  });

  it('set up a new database: the owner owns and migrates it, the application role gets what it needs', async () => {
    const name = uniqueName('tlpb_test');
    databases.push(name);
    const created = await runCli(['db', 'create-roles'], { SUPERUSER_DATABASE_URL: TEST_ADMIN_URL, ...roleEnv(name) });
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain(`database ${name} created, owned by ${TEST_OWNER_ROLE}`);

    const migrated = await runCli(['migrate'], roleEnv(name));
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toContain('applied AuditAuthentication1764610000000');
    expect(migrated.stdout).toContain(`privileges of the application role ${TEST_APP_ROLE} set`);

    expect(await privileges(name, 'items')).toEqual(ALL);
    expect(await privileges(name, 'audit_events')).toEqual(APPEND_ONLY);
    expect(await privileges(name, 'audit_checkpoints')).toEqual(APPEND_ONLY);
    expect(await privileges(name, 'typeorm_migrations')).toEqual({
      SELECT: true,
      INSERT: false,
      UPDATE: false,
      DELETE: false,
      TRUNCATE: false,
    });
  });

  it('hand an installation migrated as the superuser to the owner, and cover tables a later migration adds', async () => {
    const name = uniqueName('tlpb_test');
    databases.push(name);
    await createDatabase(name);
    // The single-role setup: everything migrated as, and owned by, the superuser.
    const single = await runCli(['migrate'], { DATABASE_URL: databaseUrl(name) });
    expect(single.code, single.stderr).toBe(0);

    const created = await runCli(['db', 'create-roles'], { SUPERUSER_DATABASE_URL: TEST_ADMIN_URL, ...roleEnv(name) });
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(new RegExp(`\\d+ existing object\\(s\\) of ${name} handed to ${TEST_OWNER_ROLE}`));
    const owners = await withClient(databaseUrl(name), async (admin) =>
      (
        await admin.query(
          `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace = 'public'::regnamespace`,
        )
      ).rows.map((row: { owner: string }) => row.owner),
    );
    expect(owners).toEqual([TEST_OWNER_ROLE]);
    expect(await privileges(name, 'audit_events')).toEqual(APPEND_ONLY);

    await withClient(roleDatabaseUrl(TEST_OWNER_ROLE, name), (owner) =>
      owner.query('CREATE TABLE later_feature (id int)'),
    );
    expect(await privileges(name, 'later_feature')).toEqual({
      SELECT: false,
      INSERT: false,
      UPDATE: false,
      DELETE: false,
      TRUNCATE: false,
    });
    const again = await runCli(['migrate'], roleEnv(name));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(
      `schema up to date\nprivileges of the application role ${TEST_APP_ROLE} set (audit tables: INSERT and SELECT only)\n`,
    );
    expect(await privileges(name, 'later_feature')).toEqual(ALL);
    expect(await privileges(name, 'audit_events')).toEqual(APPEND_ONLY);
  });

  it('refuse to give the application the owner role, or to run without a superuser connection', async () => {
    const name = uniqueName('tlpb_test');
    const same = await runCli(['db', 'create-roles'], {
      SUPERUSER_DATABASE_URL: TEST_ADMIN_URL,
      MIGRATION_DATABASE_URL: roleDatabaseUrl(TEST_OWNER_ROLE, name),
      DATABASE_URL: roleDatabaseUrl(TEST_OWNER_ROLE, name),
    });
    expect(same.code).toBe(1);
    expect(same.stderr).toMatch(/MIGRATION_DATABASE_URL is required/);
    const noSuperuser = await runCli(['db', 'create-roles'], roleEnv(name));
    expect(noSuperuser.code).toBe(1);
    expect(noSuperuser.stderr).toMatch(/SUPERUSER_DATABASE_URL is required/);
  });
});
