import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createApiApp } from '../apps/api/src/bootstrap';
import { AppConfig, loadConfig } from '@tlp-broker/config';
import { TeamKeyUnlockError } from '@tlp-broker/crypto';
import { createDataSource, PendingMigrationsError } from '@tlp-broker/persistence';
import { createDatabase, dropDatabase, TEST_REDIS_URL, uniqueName } from './support/databases';
import { http } from './support/http';

/** Start-up fails loudly on what would make the broker wrong, and the team key survives restarts. */
describe('start-up', () => {
  const databases: string[] = [];
  let keyDir: string;

  const freshDatabase = async (migrated: boolean) => {
    const name = uniqueName('tlpb_test');
    databases.push(name);
    return createDatabase(name, migrated ? inject('templateDatabase') : undefined);
  };

  const config = (databaseUrl: string, env: Record<string, string> = {}): AppConfig =>
    loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: uniqueName('tlpb-test').replace(/_/g, '-'),
      TEAM_KEY_PASSPHRASE: 'start-up test passphrase',
      LOG_LEVEL: 'error',
      ...env,
    });

  /** The error start-up fails with, or null when the API started (it is then stopped again). */
  const startupError = (settings: AppConfig): Promise<unknown> =>
    createApiApp(settings).then(
      (app) => app.close().then(() => null),
      (error: unknown) => error,
    );

  /** Starts the API, reads the team key fingerprint it serves, and stops it. */
  const servedFingerprint = async (settings: AppConfig): Promise<string> => {
    const app = await createApiApp(settings);
    try {
      await app.listen(0, '127.0.0.1');
      const response = await http((await app.getUrl()).replace('[::1]', '127.0.0.1'), 'GET', '/team/key');
      return response.body.fingerprint as string;
    } finally {
      await app.close();
    }
  };

  beforeAll(async () => {
    keyDir = await mkdtemp(join(tmpdir(), 'tlpb-team-key-'));
  });

  afterAll(async () => {
    for (const name of databases) await dropDatabase(name);
    await rm(keyDir, { recursive: true, force: true });
  });

  it('refuses to start on a database whose schema is not migrated', async () => {
    const url = await freshDatabase(false);
    const error = await startupError(config(url));
    expect(error).toBeInstanceOf(PendingMigrationsError);
    expect(String(error)).toMatch(/npm run migrate/);
  });

  it('generates the team key on first start, keeps it protected in PostgreSQL and reuses it after a restart', async () => {
    const url = await freshDatabase(true);
    const first = await servedFingerprint(config(url));
    const second = await servedFingerprint(config(url));
    expect(second).toBe(first);

    const db = await createDataSource(url).initialize();
    try {
      const rows: { fingerprint: string; private_armored: string; source: string; active: boolean }[] =
        await db.query('SELECT * FROM team_keys');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ fingerprint: first, source: 'generated', active: true });
      const stored = await openpgp.readPrivateKey({ armoredKey: rows[0].private_armored });
      expect(stored.isDecrypted()).toBe(false);
      // A v4 EdDSA key: the kind GnuPG 2.2 reads.
      expect(stored.keyPacket.version).toBe(4);
      expect(stored.getAlgorithmInfo()).toMatchObject({ algorithm: 'eddsaLegacy' });
    } finally {
      await db.destroy();
    }
  });

  it('refuses to start when the passphrase does not unlock the stored team key', async () => {
    const url = await freshDatabase(true);
    await servedFingerprint(config(url));
    const error = await startupError(config(url, { TEAM_KEY_PASSPHRASE: 'a different passphrase' }));
    expect(error).toBeInstanceOf(TeamKeyUnlockError);
    expect(String(error)).toMatch(/TEAM_KEY_PASSPHRASE/);
  });

  it('creates TEAM_KEY_FILE on first start, readable by its owner only, and loads it afterwards', async () => {
    const url = await freshDatabase(true);
    const file = join(keyDir, 'team-key.asc');
    const first = await servedFingerprint(config(url, { TEAM_KEY_FILE: file }));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const key = await openpgp.readPrivateKey({ armoredKey: await readFile(file, 'utf8') });
    expect(key.getFingerprint().toUpperCase()).toBe(first);
    expect(key.isDecrypted()).toBe(false);
    expect(await servedFingerprint(config(url, { TEAM_KEY_FILE: file }))).toBe(first);

    const db = await createDataSource(url).initialize();
    try {
      const rows: { fingerprint: string; private_armored: string | null; source: string }[] =
        await db.query('SELECT * FROM team_keys');
      // Only the public part is recorded: the operator keeps the private key file.
      expect(rows).toEqual([expect.objectContaining({ fingerprint: first, private_armored: null, source: 'file' })]);
    } finally {
      await db.destroy();
    }
  });

  it('refuses a TEAM_KEY_FILE that is not a private key', async () => {
    const url = await freshDatabase(true);
    const file = join(keyDir, 'not-a-key.asc');
    await writeFile(file, 'hello');
    expect(String(await startupError(config(url, { TEAM_KEY_FILE: file })))).toMatch(
      /TEAM_KEY_FILE .*not a readable OpenPGP private key/,
    );
  });

  it('refuses a TEAM_KEY_FILE that never ends (a device) or is larger than any key, without reading it whole', async () => {
    const url = await freshDatabase(true);
    const huge = join(keyDir, 'huge.asc');
    await writeFile(huge, Buffer.alloc(4 * 1024 * 1024, 'A'));
    for (const file of ['/dev/zero', huge]) {
      const started = performance.now();
      const error = await startupError(config(url, { TEAM_KEY_FILE: file }));
      expect(error).toBeInstanceOf(TeamKeyUnlockError);
      expect(String(error)).toMatch(new RegExp(`TEAM_KEY_FILE ${file} is larger than any OpenPGP private key`));
      expect(performance.now() - started).toBeLessThan(5_000);
    }
  });
});
