import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../test/support/test-database';
import { TeamKeyEntity } from './entities';
import { TeamKeyRepository } from './team-key.repository';

const db = useTestDatabase();
let repository: TeamKeyRepository;

beforeAll(() => {
  repository = new TeamKeyRepository(db.dataSource);
});

let keys = 0;
/** A generated key's row; the repository stores the armor as given, so any text will do. */
function generatedKey(fingerprint = `${++keys}`.padStart(40, 'F')): TeamKeyEntity {
  return Object.assign(new TeamKeyEntity(), {
    fingerprint,
    publicArmored: `public ${fingerprint}`,
    privateArmored: `protected private ${fingerprint}`,
    source: 'generated',
    active: true,
    retiredAt: null,
  });
}

/** What a starting process does under the lock: use the active key, or generate one when there is none. */
function activeOrGenerate(generated: string[]): Promise<string> {
  return repository.withLock(async (repo) => {
    const active = await repo.active();
    if (active) return active.fingerprint;
    // Generating takes a while: long enough for a second process to look for a key too.
    await sleep(150);
    const key = generatedKey();
    generated.push(key.fingerprint);
    await repo.save(key);
    return key.fingerprint;
  });
}

async function stored(): Promise<{ fingerprint: string; active: boolean; retired: boolean }[]> {
  return db.superuser.query(
    `SELECT fingerprint, active, retired_at IS NOT NULL AS retired FROM team_keys ORDER BY created_at, fingerprint`,
  );
}

describe('TeamKeyRepository on PostgreSQL', () => {
  it('lets two processes starting at once generate one team key between them', async () => {
    expect(await repository.activeFingerprint()).toBeNull();
    const generated: string[] = [];
    const [first, second] = await Promise.all([activeOrGenerate(generated), activeOrGenerate(generated)]);
    expect(generated).toHaveLength(1);
    expect(first).toBe(generated[0]);
    expect(second).toBe(generated[0]);
    expect(await stored()).toEqual([{ fingerprint: generated[0], active: true, retired: false }]);
    expect(await repository.activeFingerprint()).toBe(generated[0]);
  });

  it('retires the previous key when another is saved, keeping it with its armor', async () => {
    const before = await repository.activeFingerprint();
    const next = generatedKey();
    await repository.withLock((repo) => repo.save(next));
    expect(await repository.activeFingerprint()).toBe(next.fingerprint);
    const all = await repository.all();
    const previous = all.find((key) => key.fingerprint === before)!;
    expect(previous).toMatchObject({ active: false, publicArmored: `public ${before}` });
    expect(previous.retiredAt).toBeInstanceOf(Date);
    expect(all.at(-1)).toMatchObject({ fingerprint: next.fingerprint, active: true, retiredAt: null });
    expect(all.filter((key) => key.active)).toHaveLength(1);
  });

  it('records the active key again without retiring it', async () => {
    const active = (await repository.withLock((repo) => repo.active()))!;
    const count = (await repository.all()).length;
    await repository.withLock((repo) => repo.save(Object.assign(active, { publicArmored: 'refreshed armor' })));
    expect(await repository.withLock((repo) => repo.active())).toMatchObject({
      fingerprint: active.fingerprint,
      publicArmored: 'refreshed armor',
      retiredAt: null,
    });
    expect(await repository.all()).toHaveLength(count);
  });

  it('lists every key oldest first', async () => {
    const all = await repository.all();
    expect(all.map((key) => key.fingerprint)).toEqual((await stored()).map((key) => key.fingerprint));
    const times = all.map((key) => key.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(all.length).toBeGreaterThanOrEqual(2);
  });

  it('keeps nothing of work that fails under the lock, and lets the next caller in', async () => {
    const before = await stored();
    await expect(
      repository.withLock(async (repo, manager) => {
        const key = generatedKey();
        await repo.save(key);
        // The manager is the lock's transaction: what the caller writes with it commits or not with the key.
        expect(await manager.countBy(TeamKeyEntity, { fingerprint: key.fingerprint, active: true })).toBe(1);
        throw new Error('the audit entry could not be written');
      }),
    ).rejects.toThrow('the audit entry could not be written');
    expect(await stored()).toEqual(before);
    const next = generatedKey();
    await repository.withLock((repo) => repo.save(next));
    expect(await repository.activeFingerprint()).toBe(next.fingerprint);
  });
});
