import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sleep, totpCode } from '@tlp-broker/harness';
import type { Role } from '@tlp-broker/domain';
import { countRows, startBroker, TestBroker } from './support/broker';
import { runCli } from './support/cli';
import { TEST_REDIS_URL } from './support/databases';
import { http, HttpResult } from './support/http';

const REFUSED = { statusCode: 401, error: 'Unauthorized', message: 'name, password or code is wrong' };
const FAILURE_LIMIT = 3;

/** A team member as the console knows them: the password, and once enrolled the authenticator's secret. */
interface Member {
  readonly id: string;
  readonly name: string;
  password: string;
  secret: string | null;
  /** The last time step a code was used for: the broker takes each step once. */
  lastStep: number;
}

/** A signed-in session: the cookie value and what the broker said of it. */
interface Session {
  readonly cookie: string;
  readonly csrfToken: string;
  readonly body: Record<string, any>;
}

/**
 * The console's sign-in against a whole broker: a member made by an administrator signs in with
 * a password, enrols an authenticator, and from then on signs in with password and code; the
 * session cookie then opens the same routes as the member's API key, with a CSRF token for every
 * change; failures all look alike, are audited and throttled; sessions end when idle, signed out,
 * or signed out everywhere.
 */
describe('console sign-in: password, TOTP and cookie sessions', () => {
  let broker: TestBroker;
  let itemId: string;
  let count = 0;

  beforeAll(async () => {
    broker = await startBroker({ dispatcher: false, env: { SIGN_IN_FAILURE_LIMIT: String(FAILURE_LIMIT) } });
    const item = await http(broker.url, 'POST', '/items', {
      key: broker.analystKey,
      json: { type: 'alert', title: 'Phishing wave', body: 'Details', tlp: 'TLP:CLEAR' },
    });
    expect(item.status).toBe(201);
    itemId = item.body.id;
  });

  afterAll(async () => {
    await broker?.close();
  });

  // Every request comes from 127.0.0.1: each test starts with no failed sign-in counted against it.
  beforeEach(async () => {
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const keys = await redis.keys(`${broker.redisPrefix}:sign-in-fail:*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
  });

  async function newMember(roles: Role[] = ['analyst']): Promise<Member> {
    const name = `member-${++count}`;
    const password = `a console password for ${name}`;
    const created = await http(broker.url, 'POST', '/users', { key: broker.adminKey, json: { name, roles, password } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { id: created.body.id, name, password, secret: null, lastStep: 0 };
  }

  /** A code of a time step not used yet: this one or the next (the broker allows one step of drift). */
  async function nextCode(member: Member): Promise<string> {
    for (;;) {
      const now = Date.now();
      const step = Math.floor(now / 30_000);
      const usable = [step, step + 1].find((candidate) => candidate > member.lastStep);
      if (usable !== undefined) {
        member.lastStep = usable;
        return totpCode(member.secret!, usable * 30_000);
      }
      await sleep((step + 1) * 30_000 - now + 100);
    }
  }

  const signInRequest = (json: Record<string, unknown>) => http(broker.url, 'POST', '/auth/sign-in', { json });

  function sessionOf(result: HttpResult<any>): Session {
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    const [setCookie] = result.headers.getSetCookie();
    const cookie = /^tlpb_session=([A-Za-z0-9_-]{43});/.exec(setCookie)?.[1];
    expect(cookie).toBeDefined();
    return { cookie: cookie!, csrfToken: result.body.csrfToken, body: result.body };
  }

  async function signIn(member: Member): Promise<Session> {
    const code = member.secret === null ? undefined : await nextCode(member);
    return sessionOf(await signInRequest({ name: member.name, password: member.password, code }));
  }

  /** A request made with the session cookie, and the CSRF token unless told otherwise. */
  function asSession(
    session: Session,
    method: string,
    path: string,
    options: { json?: unknown; csrf?: string | null } = {},
  ) {
    const csrf = options.csrf === undefined ? session.csrfToken : options.csrf;
    const headers: Record<string, string> = { cookie: `theme=dark; tlpb_session=${session.cookie}` };
    if (csrf !== null) headers['x-csrf-token'] = csrf;
    return http(broker.url, method, path, { headers, json: options.json });
  }

  /** A member who has enrolled an authenticator, and the session they enrolled it in. */
  async function enrolledMember(roles: Role[] = ['analyst']): Promise<{ member: Member; session: Session }> {
    const member = await newMember(roles);
    const session = await signIn(member);
    const enrolment = await asSession(session, 'POST', '/auth/totp/enrolment');
    expect(enrolment.status).toBe(200);
    member.secret = enrolment.body.secret;
    const confirmed = await asSession(session, 'POST', '/auth/totp/confirm', {
      json: { code: await nextCode(member) },
    });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    return { member, session };
  }

  async function auditEvents(action: string, name?: string) {
    return (await broker.db.query(
      `SELECT actor, subject_id, details FROM audit_events WHERE action = $1 AND ($2::text IS NULL OR details->>'name' = $2)
        ORDER BY seq`,
      [action, name ?? null],
    )) as { actor: string; subject_id: string; details: Record<string, unknown> }[];
  }

  describe('a new member, from the first sign-in to signing in with a code', () => {
    let member: Member;
    let enrolling: Session;
    let full: Session;

    it('signs in with the password alone into a session that must enrol an authenticator', async () => {
      member = await newMember();
      const result = await signInRequest({ name: member.name, password: member.password });
      enrolling = sessionOf(result);
      const [setCookie] = result.headers.getSetCookie();
      const attributes = setCookie.split(';').map((part) => part.trim());
      expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/', 'Secure']));
      expect(enrolling.body).toEqual({
        user: { id: member.id, name: member.name, roles: ['analyst'] },
        stage: 'enrol',
        totpEnrolled: false,
        csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        expiresAt: expect.any(String),
        idleExpiresAt: expect.any(String),
      });
      const expiresIn = Date.parse(enrolling.body.expiresAt) - Date.now();
      expect(expiresIn).toBeGreaterThan(11.9 * 3_600_000);
      expect(expiresIn).toBeLessThanOrEqual(12 * 3_600_000);
      const idleIn = Date.parse(enrolling.body.idleExpiresAt) - Date.now();
      expect(idleIn).toBeGreaterThan(29 * 60_000);
      expect(idleIn).toBeLessThanOrEqual(30 * 60_000);
      const [stored] = await broker.db.query('SELECT token_hash FROM sessions WHERE user_id = $1', [member.id]);
      expect(stored.token_hash).toBe(createHash('sha256').update(enrolling.cookie).digest('hex'));
      expect((await auditEvents('auth.signed-in', member.name)).at(-1)?.details).toMatchObject({ stage: 'enrol' });
    });

    it('may do nothing but enrol until then', async () => {
      expect((await asSession(enrolling, 'GET', '/auth/session')).body).toEqual(enrolling.body);
      const items = await asSession(enrolling, 'GET', `/items/${itemId}`);
      expect(items.status).toBe(403);
      expect(items.body.message).toMatch(/^enrol an authenticator first/);
      const before = await countRows(broker, 'SELECT count(*) FROM items');
      const post = await asSession(enrolling, 'POST', '/items', {
        json: { type: 'alert', title: 'Not yet', body: 'x', tlp: 'TLP:CLEAR' },
      });
      expect(post.status).toBe(403);
      expect(await countRows(broker, 'SELECT count(*) FROM items')).toBe(before);
    });

    it('enrols an authenticator with a code computed from the secret handed out', async () => {
      expect((await asSession(enrolling, 'POST', '/auth/totp/enrolment', { csrf: null })).status).toBe(403);
      const enrolment = await asSession(enrolling, 'POST', '/auth/totp/enrolment');
      expect(enrolment.status).toBe(200);
      expect(enrolment.body.uri).toBe(
        `otpauth://totp/tlp-broker:${member.name}?secret=${enrolment.body.secret}&issuer=tlp-broker&algorithm=SHA1&digits=6&period=30`,
      );
      member.secret = enrolment.body.secret;
      const wrongCode = totpCode(member.secret!, Date.now() + 5 * 60_000);
      const wrong = await asSession(enrolling, 'POST', '/auth/totp/confirm', { json: { code: wrongCode } });
      expect(wrong.status).toBe(400);
      expect(wrong.body.details).toEqual([{ field: 'code', message: expect.any(String) }]);
      const confirmed = await asSession(enrolling, 'POST', '/auth/totp/confirm', {
        json: { code: await nextCode(member) },
      });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toMatchObject({ stage: 'full', totpEnrolled: true, csrfToken: enrolling.csrfToken });
      expect((await asSession(enrolling, 'GET', `/items/${itemId}`)).status).toBe(200);
      expect((await asSession(enrolling, 'POST', '/auth/totp/enrolment')).status).toBe(409);
      expect(await auditEvents('auth.totp-enrolled')).toContainEqual(
        expect.objectContaining({ actor: `user:${member.id}`, subject_id: member.id }),
      );
    });

    it('signs out: the cookie is cleared and opens nothing any more', async () => {
      const out = await asSession(enrolling, 'POST', '/auth/sign-out');
      expect(out.status).toBe(204);
      expect(out.headers.getSetCookie()[0]).toMatch(/^tlpb_session=;.*Max-Age=0/);
      expect((await asSession(enrolling, 'GET', '/auth/session')).status).toBe(401);
      expect((await asSession(enrolling, 'GET', `/items/${itemId}`)).status).toBe(401);
    });

    it('needs the code once enrolled, and signs in with password and code', async () => {
      const withoutCode = await signInRequest({ name: member.name, password: member.password });
      expect(withoutCode.status).toBe(401);
      expect(withoutCode.body).toEqual(REFUSED);
      expect(withoutCode.headers.getSetCookie()).toEqual([]);
      full = await signIn(member);
      expect(full.body).toMatchObject({ stage: 'full', totpEnrolled: true });
      expect((await asSession(full, 'GET', '/auth/session')).body.stage).toBe('full');
    });

    it('refuses a code used once already', async () => {
      const used = totpCode(member.secret!, member.lastStep * 30_000);
      const replayed = await signInRequest({ name: member.name, password: member.password, code: used });
      expect(replayed.status).toBe(401);
      expect(replayed.body).toEqual(REFUSED);
      expect((await auditEvents('auth.sign-in-failed', member.name)).at(-1)?.details).toMatchObject({
        reason: 'code-reused',
      });
    });
  });

  it('opens the staff routes with the cookie, and changes nothing without the CSRF token', async () => {
    const { member, session } = await enrolledMember(['analyst']);
    const read = await asSession(session, 'GET', `/items/${itemId}`);
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(itemId);
    expect((await asSession(session, 'GET', '/users')).status).toBe(403);
    const item = { type: 'alert', title: 'Signed in', body: 'Details', tlp: 'TLP:CLEAR' };
    const before = await countRows(broker, 'SELECT count(*) FROM items');
    for (const csrf of [null, 'x'.repeat(43)]) {
      const refused = await asSession(session, 'POST', '/items', { json: item, csrf });
      expect(refused.status).toBe(403);
      expect(refused.body.message).toBe('the X-CSRF-Token header is missing or wrong');
    }
    expect(await countRows(broker, 'SELECT count(*) FROM items')).toBe(before);
    const created = await asSession(session, 'POST', '/items', { json: item });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const [row] = await broker.db.query('SELECT created_by FROM items WHERE id = $1', [created.body.id]);
    expect(row.created_by).toBe(member.id);
  });

  it('answers a wrong password exactly as an unknown name, and audits both with their reason', async () => {
    const { member } = await enrolledMember();
    const wrong = await signInRequest({ name: member.name, password: 'not the password at all', code: '123456' });
    const unknown = await signInRequest({ name: 'nobody-here', password: 'not the password at all' });
    for (const result of [wrong, unknown]) {
      expect(result.status).toBe(401);
      expect(result.body).toEqual(REFUSED);
      expect(result.headers.getSetCookie()).toEqual([]);
    }
    expect((await auditEvents('auth.sign-in-failed', member.name)).at(-1)).toMatchObject({
      actor: 'anonymous',
      subject_id: member.id,
      details: { name: member.name, reason: 'wrong-password', address: expect.stringMatching(/127\.0\.0\.1/) },
    });
    expect((await auditEvents('auth.sign-in-failed', 'nobody-here')).at(-1)?.details).toMatchObject({
      reason: 'unknown-name',
    });
  });

  it('takes sign-in only as JSON, which a form on another site cannot send', async () => {
    const member = await newMember();
    const form = await http(broker.url, 'POST', '/auth/sign-in', {
      raw: `name=${member.name}&password=${encodeURIComponent(member.password)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(form.headers.getSetCookie()).toEqual([]);
    expect(await auditEvents('auth.signed-in', member.name)).toEqual([]);
  });

  it(`answers 429 with Retry-After after ${FAILURE_LIMIT} failures, before checking the password`, async () => {
    const member = await newMember();
    for (let i = 0; i < FAILURE_LIMIT; i++) {
      const result = await signInRequest({ name: member.name, password: `wrong password number ${i}` });
      expect(result.status).toBe(401);
    }
    const throttled = await signInRequest({ name: member.name, password: member.password });
    expect(throttled.status).toBe(429);
    const retryAfter = Number(throttled.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(throttled.body.retryAfter).toBe(retryAfter);
    expect(throttled.headers.getSetCookie()).toEqual([]);
    const failures = await auditEvents('auth.sign-in-failed', member.name);
    expect(failures.map((event) => event.details.reason)).toEqual(Array(FAILURE_LIMIT).fill('wrong-password'));
    expect(await auditEvents('auth.signed-in', member.name)).toEqual([]);
  });

  it('ends every session of the member on sign-out-everywhere', async () => {
    const { member, session: first } = await enrolledMember();
    const second = await signIn(member);
    expect((await asSession(first, 'GET', '/auth/session')).status).toBe(200);
    expect((await asSession(second, 'POST', '/auth/sign-out-everywhere', { csrf: null })).status).toBe(403);
    expect((await asSession(first, 'GET', '/auth/session')).status).toBe(200);
    expect((await asSession(second, 'POST', '/auth/sign-out-everywhere')).status).toBe(204);
    for (const session of [first, second]) expect((await asSession(session, 'GET', '/auth/session')).status).toBe(401);
    expect(await auditEvents('auth.signed-out-everywhere')).toContainEqual(
      expect.objectContaining({ subject_id: member.id, details: { sessionsEnded: 2 } }),
    );
  });

  it('ends a session idle for longer than SESSION_IDLE_MINUTES, and one past its absolute end', async () => {
    const { member, session: idle } = await enrolledMember();
    const old = await signIn(member);
    await broker.db.query(`UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE token_hash = $1`, [
      createHash('sha256').update(idle.cookie).digest('hex'),
    ]);
    await broker.db.query(`UPDATE sessions SET expires_at = now() WHERE token_hash = $1`, [
      createHash('sha256').update(old.cookie).digest('hex'),
    ]);
    for (const session of [idle, old]) {
      expect((await asSession(session, 'GET', '/auth/session')).status).toBe(401);
      expect((await asSession(session, 'GET', `/items/${itemId}`)).status).toBe(401);
    }
  });

  it('lets an administrator list members and reset an authenticator, ending their sessions', async () => {
    const { member, session } = await enrolledMember(['analyst', 'approver']);
    const listed = await http(broker.url, 'GET', '/users', { key: broker.adminKey });
    expect(listed.status).toBe(200);
    expect(listed.body).toContainEqual({
      id: member.id,
      name: member.name,
      roles: ['analyst', 'approver'],
      status: 'active',
      totpEnrolled: true,
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(listed.body)).not.toMatch(/scrypt|password|secret/i);
    expect((await http(broker.url, 'GET', '/users', { key: broker.analystKey })).status).toBe(403);
    const reset = await http(broker.url, 'POST', `/users/${member.id}/totp/reset`, { key: broker.adminKey });
    expect(reset.status).toBe(200);
    expect(reset.body.totpEnrolled).toBe(false);
    expect((await asSession(session, 'GET', '/auth/session')).status).toBe(401);
    member.secret = null;
    expect((await signIn(member)).body.stage).toBe('enrol');
    expect(await auditEvents('user.totp-reset')).toContainEqual(expect.objectContaining({ subject_id: member.id }));
  });

  it('refuses a password shorter than 12 characters, naming it, and creates nobody', async () => {
    const before = await countRows(broker, 'SELECT count(*) FROM users');
    const short = await http(broker.url, 'POST', '/users', {
      key: broker.adminKey,
      json: { name: 'short-password', roles: ['analyst'], password: 'eleven char' },
    });
    expect(short.status).toBe(400);
    expect(short.body.details).toEqual([{ field: 'password', message: expect.stringMatching(/^password must be/) }]);
    expect(await countRows(broker, 'SELECT count(*) FROM users')).toBe(before);
  });

  it('sets passwords from the command line, read from standard input', async () => {
    const env = { DATABASE_URL: broker.env.DATABASE_URL, TEAM_KEY_PASSPHRASE: broker.env.TEAM_KEY_PASSPHRASE };
    const member: Member = {
      id: '',
      name: 'cli-member',
      password: 'first password from stdin',
      secret: null,
      lastStep: 0,
    };
    const added = await runCli(
      ['user', 'add', '--name', member.name, '--roles', 'analyst', '--password-stdin'],
      env,
      `${member.password}\n`,
    );
    expect(added.code, added.stderr).toBe(0);
    const session = await signIn(member);
    expect(session.body.stage).toBe('enrol');
    const changed = await runCli(
      ['user', 'set-password', '--name', member.name, '--password-stdin'],
      env,
      'second password from stdin\n',
    );
    expect(changed.code, changed.stderr).toBe(0);
    expect((await asSession(session, 'GET', '/auth/session')).status).toBe(401);
    expect((await signInRequest({ name: member.name, password: member.password })).status).toBe(401);
    member.password = 'second password from stdin';
    expect((await signIn(member)).body.stage).toBe('enrol');
    const tooShort = await runCli(['user', 'set-password', '--name', member.name, '--password-stdin'], env, 'short\n');
    expect(tooShort.code).toBe(2);
    expect(tooShort.stderr).toContain('must be 12 to 1024 characters long');
  });
});
