import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../test/support/test-database';
import { AuditLog } from './audit-log';
import { AuditTrailVerifier } from './audit-verify';

describe('AuditTrailVerifier on PostgreSQL', () => {
  const db = useTestDatabase();
  const key = Buffer.alloc(32, 7);

  it("verifies the trail on the broker's own connection, with the MAC key and signature check it is given", async () => {
    const audit = new AuditLog({ key });
    await db.dataSource.transaction(async (tx) => {
      for (const subjectId of ['a', 'b'])
        await audit.append(tx, {
          actor: 'user:test',
          action: 'test.done',
          subjectType: 'test',
          subjectId,
          details: {},
        });
    });
    const verifier = new AuditTrailVerifier(db.dataSource);
    const checkSignature = async () => ({ ok: false as const, detail: 'no checkpoint expected' });
    const report = await verifier.verify({ macKey: key, checkSignature });
    expect(report).toMatchObject({ intact: true, events: 2, macsChecked: true, checkpoints: 0, firstBroken: null });
    const wrongKey = await verifier.verify({ macKey: Buffer.alloc(32, 8), checkSignature });
    expect(wrongKey.intact).toBe(false);
    expect(wrongKey.firstBroken?.reason).toBe('mac');
  });
});
