import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { CaveatRepository } from './caveats.repository';
import { Transactions } from './transactions';

describe('Transactions on PostgreSQL', () => {
  const db = useTestDatabase();
  let transactions: Transactions;
  let caveats: CaveatRepository;

  beforeAll(() => {
    transactions = new Transactions(db.dataSource);
    caveats = new CaveatRepository(db.dataSource);
  });

  it('commits the writes of the work together and answers what the work returns', async () => {
    const answer = await transactions.run(async (tx) => {
      await caveats.insert({ name: 'committed-one', description: 'first write' }, tx);
      await caveats.insert({ name: 'committed-two', description: 'second write' }, tx);
      // Not visible outside before the commit.
      expect(await caveats.exists('committed-one')).toBe(false);
      return 'done';
    });
    expect(answer).toBe('done');
    expect(await caveats.registered(['committed-one', 'committed-two'])).toEqual(
      new Set(['committed-one', 'committed-two']),
    );
  });

  it('rolls every write back when the work fails, and passes its error on', async () => {
    const failure = new Error('the outbox row could not be written');
    await expect(
      transactions.run(async (tx) => {
        await caveats.insert({ name: 'rolled-back', description: 'written, then undone' }, tx);
        expect(await caveats.exists('rolled-back', tx)).toBe(true);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await caveats.exists('rolled-back')).toBe(false);
  });

  it('rolls back the first write when the second is refused by the database', async () => {
    await caveats.insert({ name: 'taken', description: 'registered before' });
    await expect(
      transactions.run(async (tx) => {
        await caveats.insert({ name: 'half-done', description: 'first write' }, tx);
        await tx.query(`INSERT INTO caveats (name, description) VALUES ('taken', 'a duplicate')`);
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await caveats.exists('half-done')).toBe(false);
  });
});
