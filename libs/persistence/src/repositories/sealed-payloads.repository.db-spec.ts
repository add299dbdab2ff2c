import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { SealedPayloadRepository } from './sealed-payloads.repository';
import { TestRows } from './test-rows.db-fixtures';

const db = useTestDatabase();
let sealed: SealedPayloadRepository;
let versionId: string;

beforeAll(async () => {
  sealed = new SealedPayloadRepository(db.dataSource);
  const fixtures = new TestRows(db);
  versionId = await fixtures.version(await fixtures.item(), 1);
});

describe('SealedPayloadRepository on PostgreSQL', () => {
  it('keeps a version sealed once per form, bytes intact', async () => {
    const payload = {
      itemVersionId: versionId,
      form: 'document' as const,
      teamKeyFingerprint: 'TEAMFP',
      sessionKeyAlgorithm: 'aes256' as const,
      sessionKey: Buffer.from([0, 1, 2, 255]),
      encryptedData: Buffer.from('sealed bytes'),
    };
    expect(await sealed.exists(versionId, 'document')).toBe(false);
    await sealed.insert(payload);
    expect(await sealed.exists(versionId, 'document')).toBe(true);
    expect(await sealed.exists(versionId, 'mime')).toBe(false);
    expect(await sealed.get(versionId, 'document')).toMatchObject(payload);
    await expect(sealed.get(versionId, 'mime')).rejects.toThrow();
    await expect(sealed.insert(payload)).rejects.toThrow(/duplicate key/);
  });

  it('takes part in the caller transaction: nothing stays when it rolls back', async () => {
    await expect(
      db.dataSource.transaction(async (tx) => {
        await sealed.insert(
          {
            itemVersionId: versionId,
            form: 'mime',
            teamKeyFingerprint: 'TEAMFP',
            sessionKeyAlgorithm: 'aes256',
            sessionKey: Buffer.from([1]),
            encryptedData: Buffer.from('x'),
          },
          tx,
        );
        expect(await sealed.exists(versionId, 'mime', tx)).toBe(true);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await sealed.exists(versionId, 'mime')).toBe(false);
  });
});
