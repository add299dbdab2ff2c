import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '@tlp-broker/config';
import type { LiveSession, NewSession, SessionRepository } from '@tlp-broker/persistence';
import { tx } from '../../../../test/support/mocks';
import { Clock } from '@tlp-broker/config';
import { SessionService } from './sessions.service';

const MINUTE = 60_000;
const SIGNED_IN = new Date('2026-05-04T08:00:00Z');
const config = { sessions: { idleMs: 30 * MINUTE, maxMs: 12 * 60 * MINUTE } } as AppConfig;
const member = { id: 'u-1', name: 'alice', roles: ['analyst' as const], status: 'active' as const, totpEnrolled: true };

/** A clock the test moves, and sessions kept in a map by token hash, as the repository would. */
function sessions() {
  const clock = { time: SIGNED_IN, now: () => clock.time };
  const rows = new Map<string, LiveSession>();
  const repository = {
    insert: vi.fn(async (session: NewSession) => {
      const row = { ...session, id: `s-${rows.size + 1}`, lastSeenAt: session.createdAt, pendingTotpSecret: null };
      rows.set(session.tokenHash, { ...row, user: { ...member } });
      return row;
    }),
    findLive: vi.fn(async (hash: string) => rows.get(hash) ?? null),
    touch: vi.fn(async (id: string, at: Date) => {
      for (const [hash, row] of rows) if (row.id === id) rows.set(hash, { ...row, lastSeenAt: at });
      return true;
    }),
  };
  const service = new SessionService(config, repository as unknown as SessionRepository, clock as unknown as Clock);
  const later = (ms: number) => (clock.time = new Date(clock.time.getTime() + ms));
  return { service, repository, rows, clock, later };
}

describe('SessionService', () => {
  it('opens a full session for a member with an authenticator, storing only the hash of a random cookie value', async () => {
    const s = sessions();
    const { token, session } = await s.service.open(member, tx);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = s.repository.insert.mock.calls[0][0];
    expect(s.repository.insert).toHaveBeenCalledWith(expect.anything(), tx);
    expect(stored).toEqual({
      userId: 'u-1',
      tokenHash: createHash('sha256').update(token).digest('hex'),
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      stage: 'full',
      createdAt: SIGNED_IN,
      expiresAt: new Date('2026-05-04T20:00:00Z'),
    });
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(stored.csrfToken).not.toBe(token);
    expect(s.service.view(session)).toEqual({
      user: { id: 'u-1', name: 'alice', roles: ['analyst'] },
      stage: 'full',
      totpEnrolled: true,
      csrfToken: stored.csrfToken,
      expiresAt: '2026-05-04T20:00:00.000Z',
      idleExpiresAt: '2026-05-04T08:30:00.000Z',
    });
    expect(s.service.principal(session)).toEqual({ kind: 'staff', userId: 'u-1', name: 'alice', roles: ['analyst'] });
  });

  it('opens a session in stage enrol for a member without an authenticator', async () => {
    const s = sessions();
    const { session } = await s.service.open({ ...member, totpEnrolled: false }, tx);
    expect(session.stage).toBe('enrol');
    expect(s.service.view(session)).toMatchObject({ stage: 'enrol', totpEnrolled: false });
  });

  it('ends a session after the idle time-out without a request', async () => {
    const s = sessions();
    const { token } = await s.service.open(member, tx);
    s.later(30 * MINUTE - 1);
    expect(await s.service.authenticate(token)).not.toBeNull();
    s.later(30 * MINUTE);
    expect(await s.service.authenticate(token)).toBeNull();
  });

  it('keeps an active session going, writing its activity at most every 30 s', async () => {
    const s = sessions();
    const { token } = await s.service.open(member, tx);
    s.later(10_000);
    expect((await s.service.authenticate(token))?.lastSeenAt).toEqual(SIGNED_IN);
    expect(s.repository.touch).not.toHaveBeenCalled();
    s.later(20_000);
    const touched = await s.service.authenticate(token);
    expect(s.repository.touch).toHaveBeenCalledTimes(1);
    expect(touched?.lastSeenAt).toEqual(s.clock.time);
    expect(s.service.view(touched!).idleExpiresAt).toBe('2026-05-04T08:30:30.000Z');
    for (let i = 0; i < 4; i++) {
      s.later(25 * MINUTE);
      expect(await s.service.authenticate(token)).not.toBeNull();
    }
  });

  it('ends a session at its absolute end however active it is, and never reports an idle end after it', async () => {
    const s = sessions();
    const { token } = await s.service.open(member, tx);
    let last: LiveSession | null = null;
    for (let elapsed = 0; elapsed < 12 * 60 * MINUTE - 20 * MINUTE; elapsed += 20 * MINUTE) {
      s.later(20 * MINUTE);
      last = await s.service.authenticate(token);
      expect(last).not.toBeNull();
    }
    expect(s.service.view(last!).idleExpiresAt).toBe('2026-05-04T20:00:00.000Z');
    s.later(20 * MINUTE);
    expect(await s.service.authenticate(token)).toBeNull();
  });

  it("refuses a suspended member's session, and a malformed cookie value without a lookup", async () => {
    const s = sessions();
    const { token } = await s.service.open(member, tx);
    for (const [hash, row] of s.rows) s.rows.set(hash, { ...row, user: { ...row.user, status: 'suspended' } });
    expect(await s.service.authenticate(token)).toBeNull();
    s.repository.findLive.mockClear();
    for (const wrong of ['', 'short', `${token}x`, `${token.slice(0, 42)}!`])
      expect(await s.service.authenticate(wrong)).toBeNull();
    expect(s.repository.findLive).not.toHaveBeenCalled();
  });

  it('finds nothing for a cookie value it did not hand out', async () => {
    const s = sessions();
    await s.service.open(member, tx);
    expect(await s.service.authenticate('A'.repeat(43))).toBeNull();
  });
});
