import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { isUniqueViolation } from '../unique-violation';
import { CaveatRepository } from './caveats.repository';

describe('CaveatRepository on PostgreSQL', () => {
  const db = useTestDatabase();
  let caveats: CaveatRepository;

  beforeAll(() => {
    caveats = new CaveatRepository(db.dataSource);
  });

  it('stores caveats, lists them by name and tells which of some names are registered', async () => {
    const before = (await caveats.list()).map((caveat) => caveat.name);
    await caveats.insert({ name: 'zz-test-caveat', description: 'last by name' });
    await caveats.insert({ name: 'aa-test-caveat', description: 'first by name' });
    const names = (await caveats.list()).map((caveat) => caveat.name);
    expect(names).toEqual([...before, 'aa-test-caveat', 'zz-test-caveat'].sort());
    expect(await caveats.exists('aa-test-caveat')).toBe(true);
    expect(await caveats.exists('missing')).toBe(false);
    expect(await caveats.registered(['aa-test-caveat', 'missing'])).toEqual(new Set(['aa-test-caveat']));
    expect(await caveats.registered([])).toEqual(new Set());
  });

  it('never overwrites a registered caveat: a second insert of the name fails as a unique violation', async () => {
    await caveats.insert({ name: 'once-only', description: 'the first' });
    const second = await caveats
      .insert({ name: 'once-only', description: 'the second' })
      .catch((error: unknown) => error);
    expect(isUniqueViolation(second)).toBe(true);
    expect((await caveats.list()).find((caveat) => caveat.name === 'once-only')?.description).toBe('the first');
  });

  it('takes part in the caller transaction: nothing stays when it rolls back', async () => {
    await expect(
      db.dataSource.transaction(async (tx) => {
        await caveats.insert({ name: 'rolled-back', description: 'x' }, tx);
        expect(await caveats.exists('rolled-back', tx)).toBe(true);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await caveats.exists('rolled-back')).toBe(false);
  });
});
