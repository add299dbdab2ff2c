import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../test/support/test-database';
import { AuditEntry, AuditLog, GENESIS } from './audit-log';
import { AuditTrailVerifier } from './audit-verify';

describe('AuditLog.appendAll on PostgreSQL', () => {
  const db = useTestDatabase();
  const key = Buffer.alloc(32, 3);
  const audit = new AuditLog({ key });
  const checkSignature = async () => ({ ok: false as const, detail: 'no checkpoint expected' });

  const entry = (subjectId: string, details: Record<string, unknown> = {}): AuditEntry => ({
    actor: 'dispatcher',
    action: 'delivery.delivered',
    subjectType: 'delivery',
    subjectId,
    details,
  });

  /** The whole trail, in seq order. */
  async function trail(): Promise<{ seq: number; subjectId: string; prevHash: string; hash: string }[]> {
    const rows: { seq: string; subject_id: string; prev_hash: string; hash: string }[] = await db.superuser.query(
      'SELECT seq, subject_id, prev_hash, hash FROM audit_events ORDER BY seq',
    );
    return rows.map((row) => ({
      seq: Number(row.seq),
      subjectId: row.subject_id,
      prevHash: row.prev_hash,
      hash: row.hash,
    }));
  }

  const verify = () => new AuditTrailVerifier(db.dataSource).verify({ macKey: key, checkSignature });

  it('chains several events appended together, between single appends, in the order given', async () => {
    await db.dataSource.transaction(async (tx) => {
      await audit.append(tx, entry('single-1'));
      const events = await audit.appendAll(tx, [
        entry('batch-1', { channel: 'feed', keyFingerprint: 'FPR', messageId: null }),
        entry('batch-2', { nested: { b: 2, a: 1 } }),
        entry('batch-3'),
      ]);
      expect(events.map((event) => event.subjectId)).toEqual(['batch-1', 'batch-2', 'batch-3']);
      expect(events[1].prevHash).toBe(events[0].hash);
      await audit.append(tx, entry('single-2'));
    });
    await db.dataSource.transaction((tx) => audit.appendAll(tx, [entry('batch-4'), entry('batch-5')]));

    const events = await trail();
    expect(events.map((event) => event.subjectId)).toEqual([
      'single-1',
      'batch-1',
      'batch-2',
      'batch-3',
      'single-2',
      'batch-4',
      'batch-5',
    ]);
    expect(events[0].prevHash).toBe(GENESIS);
    for (let i = 1; i < events.length; i += 1) expect(events[i].prevHash).toBe(events[i - 1].hash);
    expect(await verify()).toMatchObject({
      intact: true,
      events: 7,
      macsChecked: true,
      head: { seq: events[6].seq, hash: events[6].hash },
      firstBroken: null,
    });
  });

  it('keeps the chain whole when batches and single appends of several transactions run at once, and past one insert’s size', async () => {
    const before = (await trail()).length;
    const large = Array.from({ length: 1_203 }, (_, i) => entry(`large-${i}`, { index: i }));
    await Promise.all([
      db.dataSource.transaction((tx) => audit.appendAll(tx, large)),
      ...[0, 1, 2].map((n) =>
        db.dataSource.transaction(async (tx) => {
          await audit.appendAll(tx, [entry(`concurrent-${n}-a`), entry(`concurrent-${n}-b`)]);
          await audit.append(tx, entry(`concurrent-${n}-c`));
        }),
      ),
      db.dataSource.transaction((tx) => audit.append(tx, entry('alone'))),
    ]);

    const events = (await trail()).slice(before);
    expect(events).toHaveLength(1_203 + 9 + 1);
    // Each transaction's events stay together and in order: the lock is held until it commits.
    const subjects = events.map((event) => event.subjectId);
    const first = subjects.indexOf('large-0');
    expect(subjects.slice(first, first + 1_203)).toEqual(large.map((e) => e.subjectId));
    for (const n of [0, 1, 2]) {
      const at = subjects.indexOf(`concurrent-${n}-a`);
      expect(subjects.slice(at, at + 3)).toEqual([`concurrent-${n}-a`, `concurrent-${n}-b`, `concurrent-${n}-c`]);
    }
    expect(await verify()).toMatchObject({ intact: true, events: before + 1_213, firstBroken: null });
  });

  it('writes nothing for an empty list, and refuses to write outside a transaction', async () => {
    const before = await trail();
    expect(await db.dataSource.transaction((tx) => audit.appendAll(tx, []))).toEqual([]);
    await expect(audit.appendAll(db.dataSource.manager, [entry('outside')])).rejects.toThrow(/inside a transaction/);
    await expect(audit.append(db.dataSource.manager, entry('outside'))).rejects.toThrow(/inside a transaction/);
    expect(await trail()).toEqual(before);
    expect((await verify()).intact).toBe(true);
  });
});
