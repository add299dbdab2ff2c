import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConflictException, Logger } from '@nestjs/common';
import * as openpgp from 'openpgp';
import type { EntityManager } from 'typeorm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '@tlp-broker/config';
import { TeamKeyEntity } from '@tlp-broker/persistence';
import type { TeamKeyRepository } from '@tlp-broker/persistence';
import { fakeAudit } from '../../../test/support/mocks';
import { MAX_KEY_BLOCK_CHARS } from './limits';
import { GeneratedKeyPair, generateKeyPair, TeamKeyUnlockError } from './seal';
import { TeamKeyService } from './team-key.service';

// `link` puts a generated key file in place; a test makes another process win that race.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, link: vi.fn(actual.link) };
});

const PASSPHRASE = 'correct horse battery staple';
const USER_ID = { name: 'Test CSIRT', email: 'csirt@team.example' };

/** The team key the tests find in a file or in PostgreSQL, and a second one some other process made. */
let teamKey: GeneratedKeyPair;
let otherKey: GeneratedKeyPair;
let dir: string;

beforeAll(async () => {
  [teamKey, otherKey] = await Promise.all([
    generateKeyPair(USER_ID, PASSPHRASE),
    generateKeyPair(USER_ID, PASSPHRASE, new Date('2024-01-01T00:00:00Z')),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'tlpb-team-key-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.restoreAllMocks();
});

function row(pair: GeneratedKeyPair, fields: Partial<TeamKeyEntity> = {}): TeamKeyEntity {
  return Object.assign(new TeamKeyEntity(), {
    fingerprint: pair.fingerprint,
    publicArmored: pair.publicArmored,
    privateArmored: pair.privateArmored,
    source: 'generated',
    active: true,
    createdAt: new Date(),
    retiredAt: null,
    ...fields,
  });
}

/** The transaction the repository's lock is held in: the rotation's audit entry must be written in it. */
const lockTx = { transaction: 'team-key lock' } as unknown as EntityManager;

/** A TeamKeyRepository whose active row is `active` until the service saves another. */
function fakeRepository(active: TeamKeyEntity | null, rows: TeamKeyEntity[] = []) {
  const state = { active };
  const locked = {
    active: vi.fn(async () => state.active),
    save: vi.fn(async (key: TeamKeyEntity) => {
      state.active = key;
    }),
  };
  const repository = {
    withLock: vi.fn(async <T>(work: (repo: typeof locked, manager: EntityManager) => Promise<T>) =>
      work(locked, lockTx),
    ),
    activeFingerprint: vi.fn(async () => state.active?.fingerprint ?? null),
    all: vi.fn(async () => rows),
  };
  return { repository, locked, state };
}

function setup(options: { file?: string; passphrase?: string; active?: TeamKeyEntity | null; rows?: TeamKeyEntity[] }) {
  const config = {
    teamKey: { file: options.file, passphrase: options.passphrase ?? PASSPHRASE, userId: USER_ID },
  } as unknown as AppConfig;
  const { repository, locked, state } = fakeRepository(options.active ?? null, options.rows);
  const audit = fakeAudit();
  const service = new TeamKeyService(config, repository as unknown as TeamKeyRepository, audit);
  return { service, repository, locked, state, audit };
}

let files = 0;
/** A path in the temporary directory that nothing uses yet. */
function freshPath(): string {
  return join(dir, `team-key-${++files}.asc`);
}

async function keyFile(armored: string): Promise<string> {
  const file = freshPath();
  await writeFile(file, armored, { mode: 0o600 });
  return file;
}

describe('TeamKeyService with TEAM_KEY_FILE', () => {
  it('signs with the key in the file and records only its public part as the active key', async () => {
    const { service, locked } = setup({ file: await keyFile(teamKey.privateArmored), active: row(otherKey) });
    await service.onModuleInit();
    const { key, info } = await service.current();
    expect(key.isDecrypted()).toBe(true);
    expect(info.fingerprint).toBe(teamKey.fingerprint);
    expect(info.armored).toBe(key.toPublic().armor());
    expect(info.algorithm).toBe('eddsaLegacy ed25519Legacy');
    expect(locked.save).toHaveBeenCalledTimes(1);
    expect(locked.save.mock.calls[0][0]).toMatchObject({
      fingerprint: teamKey.fingerprint,
      privateArmored: null,
      source: 'file',
      active: true,
      retiredAt: null,
    });
    const recorded = await openpgp.readKey({ armoredKey: locked.save.mock.calls[0][0].publicArmored });
    expect(recorded.isPrivate()).toBe(false);
  });

  it('records nothing when the file holds the key already active', async () => {
    const { service, locked } = setup({
      file: await keyFile(teamKey.privateArmored),
      active: row(teamKey, { privateArmored: null, source: 'file' }),
    });
    await service.onModuleInit();
    expect(locked.save).not.toHaveBeenCalled();
    expect((await service.current()).info.fingerprint).toBe(teamKey.fingerprint);
  });

  it('generates the key into a missing file readable by the owner only, and records it', async () => {
    const file = freshPath();
    const { service, locked } = setup({ file });
    await service.onModuleInit();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const written = await openpgp.readPrivateKey({ armoredKey: await readFile(file, 'utf8') });
    expect(written.isDecrypted()).toBe(false);
    const { info } = await service.current();
    expect(info.fingerprint).toBe(written.getFingerprint().toUpperCase());
    expect(locked.save.mock.calls[0][0]).toMatchObject({ fingerprint: info.fingerprint, source: 'file' });
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    const restarted = setup({ file, active: locked.save.mock.calls[0][0] });
    await restarted.service.onModuleInit();
    expect((await restarted.service.current()).info.fingerprint).toBe(info.fingerprint);
  });

  it('uses the key another process put in place first when both generate one at once', async () => {
    const { link } = await import('node:fs/promises');
    const actual = await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises');
    const file = freshPath();
    vi.mocked(link).mockImplementationOnce(async (from, to) => {
      await actual.writeFile(to, otherKey.privateArmored, { mode: 0o600 });
      return actual.link(from, to);
    });
    const { service } = setup({ file });
    await service.onModuleInit();
    expect((await service.current()).info.fingerprint).toBe(otherKey.fingerprint);
    expect(await readFile(file, 'utf8')).toBe(otherKey.privateArmored);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a wrong passphrase with TeamKeyUnlockError naming the file and the cause', async () => {
    const file = await keyFile(teamKey.privateArmored);
    const { service, locked } = setup({ file, passphrase: 'wrong passphrase' });
    const error = await service.onModuleInit().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TeamKeyUnlockError);
    expect((error as Error).message).toContain(`TEAM_KEY_FILE ${file}: the passphrase does not unlock the key`);
    expect((error as Error).message).toContain('(check TEAM_KEY_PASSPHRASE)');
    expect(locked.save).not.toHaveBeenCalled();
    await expect(service.current()).rejects.toThrow('team key not loaded yet');
  });

  it('refuses a file that is not a private key, and one larger than any key, before unlocking', async () => {
    const notAKey = await keyFile(teamKey.publicArmored);
    await expect(setup({ file: notAKey }).service.onModuleInit()).rejects.toThrow(
      new RegExp(`^TEAM_KEY_FILE ${notAKey}: not a readable OpenPGP private key`),
    );
    const huge = await keyFile('x'.repeat(MAX_KEY_BLOCK_CHARS + 1));
    const error = await setup({ file: huge })
      .service.onModuleInit()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TeamKeyUnlockError);
    expect((error as Error).message).toContain(`TEAM_KEY_FILE ${huge} is larger than any OpenPGP private key`);
  });

  it('says so when the file cannot be read or cannot be written', async () => {
    const directory = join(dir, 'a-directory');
    await mkdir(directory);
    await expect(setup({ file: directory }).service.onModuleInit()).rejects.toThrow(
      `TEAM_KEY_FILE ${directory} cannot be read: `,
    );
    const nowhere = join(dir, 'missing-directory', 'team-key.asc');
    await expect(setup({ file: nowhere }).service.onModuleInit()).rejects.toThrow(
      `TEAM_KEY_FILE ${nowhere} cannot be written: `,
    );
  });

  it('does not rotate: the operator replaces the file', async () => {
    const { service, locked, audit } = setup({ file: await keyFile(teamKey.privateArmored) });
    await service.onModuleInit();
    locked.save.mockClear();
    await expect(service.rotate('user:u-1')).rejects.toBeInstanceOf(ConflictException);
    await expect(service.rotate('user:u-1')).rejects.toThrow('rotate it by replacing that file and restarting');
    expect(locked.save).not.toHaveBeenCalled();
    expect(audit.append).not.toHaveBeenCalled();
  });

  it('never looks for a rotation in PostgreSQL', async () => {
    const { service, repository } = setup({ file: await keyFile(teamKey.privateArmored) });
    await service.onModuleInit();
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 60_000);
    expect((await service.current()).info.fingerprint).toBe(teamKey.fingerprint);
    expect(repository.activeFingerprint).not.toHaveBeenCalled();
  });
});

describe('TeamKeyService with the key in PostgreSQL', () => {
  it('unlocks the stored active key under the lock, generating nothing', async () => {
    const { service, repository, locked } = setup({ active: row(teamKey) });
    await service.onModuleInit();
    expect(repository.withLock).toHaveBeenCalledTimes(1);
    expect(locked.save).not.toHaveBeenCalled();
    expect((await service.current()).info.fingerprint).toBe(teamKey.fingerprint);
  });

  it('generates the key once, passphrase-protected, into the repository under its lock when there is none', async () => {
    const { service, repository, locked } = setup({ active: null });
    await service.onModuleInit();
    expect(repository.withLock).toHaveBeenCalledTimes(1);
    expect(locked.save).toHaveBeenCalledTimes(1);
    const saved = locked.save.mock.calls[0][0];
    expect(saved).toMatchObject({ source: 'generated', active: true, retiredAt: null });
    const stored = await openpgp.readPrivateKey({ armoredKey: saved.privateArmored! });
    expect(stored.isDecrypted()).toBe(false);
    await openpgp.decryptKey({ privateKey: stored, passphrase: PASSPHRASE });
    expect(stored.users[0].userID?.userID).toBe('Test CSIRT <csirt@team.example>');
    expect((await service.current()).info.fingerprint).toBe(saved.fingerprint);
  });

  it('refuses a wrong passphrase with TeamKeyUnlockError naming the stored key and the cause', async () => {
    const { service } = setup({ active: row(teamKey), passphrase: 'wrong passphrase' });
    const error = await service.onModuleInit().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TeamKeyUnlockError);
    expect((error as Error).message).toMatch(
      /^the team key stored in the database: the passphrase does not unlock the key \(.+\) \(check TEAM_KEY_PASSPHRASE\)$/,
    );
  });

  it('refuses to start when the active key came from a file that is no longer configured', async () => {
    const { service, locked } = setup({ active: row(teamKey, { privateArmored: null, source: 'file' }) });
    await expect(service.onModuleInit()).rejects.toThrow(
      `the active team key ${teamKey.fingerprint} was loaded from a file; set TEAM_KEY_FILE to that file`,
    );
    expect(locked.save).not.toHaveBeenCalled();
  });

  it('rotates: a new active key, the previous one named in the audit entry written under the lock', async () => {
    const { service, locked, audit } = setup({ active: row(teamKey) });
    await service.onModuleInit();
    const { previous, current } = await service.rotate('user:u-1');
    expect(previous).toBe(teamKey.fingerprint);
    expect(current.fingerprint).not.toBe(teamKey.fingerprint);
    expect(locked.save).toHaveBeenCalledTimes(1);
    expect(locked.save.mock.calls[0][0]).toMatchObject({
      fingerprint: current.fingerprint,
      source: 'generated',
      active: true,
    });
    expect(audit.append).toHaveBeenCalledWith(lockTx, {
      actor: 'user:u-1',
      action: 'team-key.rotated',
      subjectType: 'team-key',
      subjectId: current.fingerprint,
      details: { previous: teamKey.fingerprint, current: current.fingerprint },
    });
    expect((await service.current()).info).toEqual(current);
  });

  it('rotates with no previous key to name', async () => {
    const { service, state, audit } = setup({ active: row(teamKey) });
    await service.onModuleInit();
    state.active = null;
    const { previous, current } = await service.rotate('user:u-1');
    expect(previous).toBe('');
    expect(audit.append.mock.calls[0][1].details).toEqual({ previous: null, current: current.fingerprint });
  });

  it('picks up a key another process rotated to, once its check interval is over', async () => {
    const { service, repository, state } = setup({ active: row(teamKey) });
    await service.onModuleInit();
    state.active = row(otherKey);
    expect((await service.current()).info.fingerprint).toBe(teamKey.fingerprint);
    expect(repository.activeFingerprint).not.toHaveBeenCalled();

    const later = Date.now() + 3_000;
    vi.spyOn(Date, 'now').mockReturnValue(later);
    const { key, info } = await service.current();
    expect(info.fingerprint).toBe(otherKey.fingerprint);
    expect(key.isDecrypted()).toBe(true);
    await service.current();
    expect(repository.activeFingerprint).toHaveBeenCalledTimes(1);
  });

  it('keeps its key when the active one is unchanged, or has no private part it could use', async () => {
    const unchanged = setup({ active: row(teamKey) });
    await unchanged.service.onModuleInit();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 3_000);
    expect((await unchanged.service.current()).info.fingerprint).toBe(teamKey.fingerprint);
    expect(unchanged.repository.withLock).toHaveBeenCalledTimes(1);
    clock.mockRestore();

    const fromFile = setup({ active: row(teamKey) });
    await fromFile.service.onModuleInit();
    fromFile.state.active = row(otherKey, { privateArmored: null, source: 'file' });
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 3_000);
    expect((await fromFile.service.current()).info.fingerprint).toBe(teamKey.fingerprint);
  });
});

describe('TeamKeyService decryption keys', () => {
  it('gives the active key, then retired keys unlocked once from PostgreSQL, leaving out those it cannot unlock', async () => {
    const [fromFile, otherPassphrase] = await Promise.all([
      generateKeyPair(USER_ID, PASSPHRASE),
      generateKeyPair(USER_ID, 'another passphrase'),
    ]);
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { service } = setup({
      active: row(teamKey),
      rows: [
        row(otherKey, { active: false }),
        row(fromFile, { active: false, privateArmored: null, source: 'file' }),
        row(otherPassphrase, { active: false }),
        row(teamKey),
      ],
    });
    await service.onModuleInit();
    const keys = await service.decryptionKeys();
    expect(keys.map((key) => key.getFingerprint().toUpperCase())).toEqual([teamKey.fingerprint, otherKey.fingerprint]);
    expect(keys.every((key) => key.isDecrypted())).toBe(true);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toContain(otherPassphrase.fingerprint);
    const again = await service.decryptionKeys();
    expect(again[1]).toBe(keys[1]);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});

describe('TeamKeyService lists and names', () => {
  it('lists every key, active first then newest, with its algorithm, public armor and retirement', async () => {
    const retiredAt = new Date('2025-06-01T00:00:00Z');
    const { service } = setup({
      rows: [
        row(otherKey, { privateArmored: null, source: 'file', active: true }),
        row(teamKey, { active: false, retiredAt }),
      ],
    });
    const keys = await service.all();
    expect(keys.map((key) => [key.fingerprint, key.active, key.source, key.retiredAt])).toEqual([
      [otherKey.fingerprint, true, 'file', null],
      [teamKey.fingerprint, false, 'generated', retiredAt],
    ]);
    expect(keys[0].createdAt).toEqual(new Date('2024-01-01T00:00:00Z'));
    expect(keys[1].armored).toBe(teamKey.publicArmored);
    expect(keys[1].algorithm).toBe('eddsaLegacy ed25519Legacy');

    const { service: retiredOnly } = setup({
      rows: [row(otherKey, { active: false }), row(teamKey, { active: false })],
    });
    expect((await retiredOnly.all()).map((key) => key.fingerprint)).toEqual([
      teamKey.fingerprint,
      otherKey.fingerprint,
    ]);
  });

  it('names the publisher as TEAM_KEY_USER_ID does', () => {
    expect(setup({}).service.publisherName()).toBe('Test CSIRT');
  });
});
