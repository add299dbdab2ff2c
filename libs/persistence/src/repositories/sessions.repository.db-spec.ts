import { createHash, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { isUniqueViolation } from '../unique-violation';
import { SessionRepository } from './sessions.repository';
import { TestRows } from './test-rows.db-fixtures';

const newHash = () => createHash('sha256').update(randomBytes(32)).digest('hex');
const HOUR = 3_600_000;

describe('SessionRepository on PostgreSQL', () => {
  const db = useTestDatabase();
  const rows = new TestRows(db);
  let sessions: SessionRepository;

  beforeAll(() => {
    sessions = new SessionRepository(db.dataSource);
  });

  /** The database's own view of a session's times and state. */
  async function stored(id: string) {
    const [row]: {
      last_seen_at: Date;
      revoked_at: Date | null;
      stage: string;
      pending_totp_secret: string | null;
    }[] = await db.superuser.query(
      'SELECT last_seen_at, revoked_at, stage, pending_totp_secret FROM sessions WHERE id = $1',
      [id],
    );
    return row;
  }

  it('stores a session under its token hash and finds it with its member in one query', async () => {
    const userId = await rows.user('alice', ['analyst', 'approver']);
    const tokenHash = newHash();
    const createdAt = new Date('2026-05-04T08:00:00.123Z');
    const inserted = await sessions.insert({
      userId,
      tokenHash,
      csrfToken: 'csrf-1',
      stage: 'enrol',
      createdAt,
      expiresAt: new Date(createdAt.getTime() + 12 * HOUR),
    });
    expect(await sessions.findLive(tokenHash)).toEqual({
      id: inserted.id,
      csrfToken: 'csrf-1',
      stage: 'enrol',
      pendingTotpSecret: null,
      createdAt,
      lastSeenAt: createdAt,
      expiresAt: new Date('2026-05-04T20:00:00.123Z'),
      user: {
        id: userId,
        name: expect.stringMatching(/^alice /),
        roles: ['analyst', 'approver'],
        status: 'active',
        totpEnrolled: false,
      },
    });
    expect(await sessions.findLive(newHash())).toBeNull();
  });

  it('shows the member as they are now: status, and whether they enrolled an authenticator', async () => {
    const userId = await rows.user();
    const tokenHash = newHash();
    await rows.session(userId, tokenHash);
    await db.superuser.query(
      `UPDATE users SET status = 'suspended', totp_secret = 'JBSWY3DPEHPK3PXP', totp_enrolled_at = now() WHERE id = $1`,
      [userId],
    );
    expect((await sessions.findLive(tokenHash))?.user).toMatchObject({ status: 'suspended', totpEnrolled: true });
  });

  it('refuses a second session under the same token hash, and a hash that is not a SHA-256', async () => {
    const userId = await rows.user();
    const tokenHash = newHash();
    const session = {
      userId,
      tokenHash,
      csrfToken: 'c',
      stage: 'full' as const,
      createdAt: new Date(),
      expiresAt: new Date(),
    };
    await sessions.insert(session);
    expect(isUniqueViolation(await sessions.insert(session).catch((error: unknown) => error))).toBe(true);
    await expect(sessions.insert({ ...session, tokenHash: 'the-token-itself' })).rejects.toThrow(/check constraint/);
  });

  it('writes activity at most every 30 seconds', async () => {
    const userId = await rows.user();
    const id = await rows.session(userId, newHash(), { lastSeen: '20 seconds' });
    const before = (await stored(id)).last_seen_at;
    expect(await sessions.touch(id, new Date())).toBe(false);
    expect((await stored(id)).last_seen_at).toEqual(before);
    // One millisecond more: the row was arranged with microseconds, which a Date drops.
    const later = new Date(before.getTime() + 30_001);
    expect(await sessions.touch(id, later)).toBe(true);
    expect((await stored(id)).last_seen_at).toEqual(later);
  });

  it('ends one session, keeping the time it first ended, and finds it no more', async () => {
    const userId = await rows.user();
    const tokenHash = newHash();
    const id = await rows.session(userId, tokenHash);
    const other = await rows.session(userId, newHash());
    const at = new Date('2026-05-04T09:00:00Z');
    await sessions.revoke(id, at);
    await sessions.revoke(id, new Date('2026-05-04T10:00:00Z'));
    expect((await stored(id)).revoked_at).toEqual(at);
    expect(await sessions.findLive(tokenHash)).toBeNull();
    expect(await sessions.touch(id, new Date(Date.now() + 3_600_000))).toBe(false);
    expect((await stored(other)).revoked_at).toBeNull();
  });

  it('ends every live session of a member, and only theirs', async () => {
    const alice = await rows.user();
    const bob = await rows.user();
    const live = [await rows.session(alice, newHash()), await rows.session(alice, newHash(), { stage: 'enrol' })];
    const ended = await rows.session(alice, newHash(), { revoked: true });
    const endedAt = (await stored(ended)).revoked_at;
    const bobs = await rows.session(bob, newHash());
    expect(await sessions.revokeAllForUser(alice, new Date())).toBe(2);
    for (const id of live) expect((await stored(id)).revoked_at).toBeInstanceOf(Date);
    expect((await stored(ended)).revoked_at).toEqual(endedAt);
    expect((await stored(bobs)).revoked_at).toBeNull();
  });

  it('keeps a pending TOTP secret until enrolment completes, then becomes a full session', async () => {
    const userId = await rows.user();
    const tokenHash = newHash();
    const id = await rows.session(userId, tokenHash, { stage: 'enrol' });
    await sessions.setPendingTotpSecret(id, 'FIRSTSECRETAAAAA');
    await sessions.setPendingTotpSecret(id, 'SECONDSECRETBBBB');
    expect((await sessions.findLive(tokenHash))?.pendingTotpSecret).toBe('SECONDSECRETBBBB');
    await db.dataSource.transaction((tx) => sessions.completeEnrolment(id, tx));
    expect(await stored(id)).toMatchObject({ stage: 'full', pending_totp_secret: null });
  });

  it('takes part in the caller transaction: nothing stays when it rolls back', async () => {
    const userId = await rows.user();
    const tokenHash = newHash();
    await expect(
      db.dataSource.transaction(async (tx) => {
        await sessions.insert(
          { userId, tokenHash, csrfToken: 'c', stage: 'full', createdAt: new Date(), expiresAt: new Date() },
          tx,
        );
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await sessions.findLive(tokenHash)).toBeNull();
  });
});
