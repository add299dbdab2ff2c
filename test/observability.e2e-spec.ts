import { randomBytes } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '@tlp-broker/harness';
import type { Role } from '@tlp-broker/domain';
import { createDispatcher } from '../apps/dispatcher/src/bootstrap';
import { DispatcherHttpServer } from '../apps/dispatcher/src/observability/dispatcher-http.server';
import { QUEUE_DASHBOARD_CSP } from '../apps/api/src/observability/queue-dashboard';
import { startBroker, TestBroker } from './support/broker';
import { http } from './support/http';

const METRICS_TOKEN = randomBytes(32).toString('hex');
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The value of one sample in Prometheus text, or undefined. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

/**
 * Watching a whole broker run, as its operators do: Prometheus reads /metrics with its token,
 * probes ask /health/live and /health/ready, a request's correlation id is answered and kept with
 * what it published, and administrators (only they) open the queue dashboard.
 */
describe('watching the broker run', () => {
  let broker: TestBroker;
  let itemId: string;
  let members = 0;

  /** A console session (cookie value) of a new member who has enrolled an authenticator. */
  async function signedIn(roles: Role[]): Promise<string> {
    const name = `watcher-${++members}`;
    const password = `a console password for ${name}`;
    const created = await http(broker.url, 'POST', '/users', { key: broker.adminKey, json: { name, roles, password } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const signIn = await http(broker.url, 'POST', '/auth/sign-in', { json: { name, password } });
    const cookie = /^tlpb_session=([^;]+);/.exec(signIn.headers.getSetCookie()[0])![1];
    const headers = { cookie: `tlpb_session=${cookie}`, 'x-csrf-token': signIn.body.csrfToken };
    const enrolment = await http(broker.url, 'POST', '/auth/totp/enrolment', { headers });
    const confirmed = await http(broker.url, 'POST', '/auth/totp/confirm', {
      headers,
      json: { code: totpCode(enrolment.body.secret) },
    });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    return cookie;
  }

  const withSession = (cookie: string) => ({ headers: { cookie: `tlpb_session=${cookie}` } });
  const scrape = (headers: Record<string, string> = {}) => http<string>(broker.url, 'GET', '/metrics', { headers });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    broker = await startBroker({ dispatcher: true, env: { METRICS_TOKEN } });
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

  describe('GET /metrics on the API', () => {
    it('refuses a request without the token, with a wrong one, and with an API key', async () => {
      for (const headers of [{}, bearer(randomBytes(32).toString('hex')), bearer(broker.adminKey)]) {
        const refused = await scrape(headers);
        expect(refused.status).toBe(401);
        expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="tlp-broker metrics"');
        expect(refused.body).not.toContain('tlpb_');
      }
    });

    it('answers Prometheus with the token: requests by route pattern, never by the path asked for', async () => {
      expect((await http(broker.url, 'GET', `/items/${itemId}`, { key: broker.analystKey })).status).toBe(200);
      expect((await http(broker.url, 'GET', '/no/such/route/at/all')).status).toBe(404);
      const metrics = await scrape(bearer(METRICS_TOKEN));
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = metrics.body;
      expect(
        sample(text, 'tlpb_http_request_duration_seconds_count', 'method="GET",route="/items/:id",status="200"'),
      ).toBe(1);
      expect(
        sample(text, 'tlpb_http_request_duration_seconds_count', 'method="POST",route="/items",status="201"'),
      ).toBe(1);
      expect(
        sample(text, 'tlpb_http_request_duration_seconds_count', 'method="GET",route="unmatched",status="404"'),
      ).toBe(1);
      expect(text).not.toContain(itemId);
      expect(text).not.toContain('/no/such/route');
      expect(text).toMatch(/^tlpb_process_cpu_user_seconds_total /m);
    });

    it('shows each queue’s jobs by state and the age of its oldest waiting job', async () => {
      const text = (await scrape(bearer(METRICS_TOKEN))).body;
      for (const queue of ['routing', 'delivery', 'submission-messages']) {
        for (const state of ['waiting', 'active', 'delayed', 'prioritized', 'failed'])
          expect(sample(text, 'tlpb_queue_jobs', `queue="${queue}",state="${state}"`), `${queue} ${state}`).toEqual(
            expect.any(Number),
          );
        expect(sample(text, 'tlpb_queue_oldest_job_age_seconds', `queue="${queue}"`)).toBeGreaterThanOrEqual(0);
      }
    });

    it("answers an administrator's console session, and refuses another member's", async () => {
      const admin = await scrape(withSession(await signedIn(['admin'])).headers);
      expect(admin.status).toBe(200);
      expect(admin.body).toMatch(/^# TYPE tlpb_queue_jobs gauge$/m);
      expect((await scrape(withSession(await signedIn(['analyst'])).headers)).status).toBe(403);
    });
  });

  describe('correlation ids', () => {
    it('answers the X-Request-Id it was given, and keeps it with what the request published', async () => {
      const requestId = 'e2e-publish-00000001';
      const published = await http(broker.url, 'POST', '/items', {
        key: broker.analystKey,
        headers: { 'x-request-id': requestId },
        json: { type: 'advisory', title: 'Patch now', body: 'Details', tlp: 'TLP:CLEAR' },
      });
      expect(published.status).toBe(201);
      expect(published.headers.get('x-request-id')).toBe(requestId);
      const rows: { correlation_id: string | null; topic: string }[] = await broker.db.query(
        `SELECT o.correlation_id, o.topic FROM outbox o JOIN item_versions v ON v.id = o.item_version_id
          WHERE v.item_id = $1`,
        [published.body.id],
      );
      expect(rows).toEqual([{ correlation_id: requestId, topic: 'item-version.published' }]);
    });

    it('makes a new one for a request without, or with an id that is not a plain token', async () => {
      const without = await http(broker.url, 'GET', '/health/live');
      expect(without.headers.get('x-request-id')).toMatch(UUID_V4);
      const unsafe = await http(broker.url, 'GET', '/health/live', { headers: { 'x-request-id': 'a"><script>x' } });
      expect(unsafe.headers.get('x-request-id')).toMatch(UUID_V4);
      const [item] = await broker.db.query(
        `SELECT o.correlation_id FROM outbox o JOIN item_versions v ON v.id = o.item_version_id WHERE v.item_id = $1`,
        [itemId],
      );
      expect(item.correlation_id).toMatch(UUID_V4);
    });
  });

  describe('health checks', () => {
    it('says the process is alive, and ready when PostgreSQL and Redis answer', async () => {
      expect(await http(broker.url, 'GET', '/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });
      const ready = await http(broker.url, 'GET', '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({
        status: 'ok',
        info: { postgres: { status: 'up' }, redis: { status: 'up' } },
        error: {},
        details: { postgres: { status: 'up' }, redis: { status: 'up' } },
      });
      expect(await http(broker.url, 'GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    });
  });

  describe('the queue dashboard at /admin/queues', () => {
    let admin: string;

    beforeAll(async () => {
      admin = await signedIn(['admin']);
    });

    it('is refused without a console session, and to a member who is not an administrator', async () => {
      for (const path of ['/admin/queues', '/admin/queues/api/queues', '/admin/queues/static/images/logo.svg']) {
        const refused = await http(broker.url, 'GET', path);
        expect(refused.status, path).toBe(401);
        expect(refused.body.message).toMatch(/sign in to the console as an administrator/);
      }
      expect((await http(broker.url, 'GET', '/admin/queues', { key: broker.adminKey })).status).toBe(401);
      const analyst = await signedIn(['analyst']);
      expect((await http(broker.url, 'GET', '/admin/queues', withSession(analyst))).status).toBe(403);
      expect((await http(broker.url, 'GET', '/admin/queues/api/queues', withSession(analyst))).status).toBe(403);
    });

    it("shows an administrator the broker's three queues, under its own Content-Security-Policy", async () => {
      const page = await http<string>(broker.url, 'GET', '/admin/queues', withSession(admin));
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('content-security-policy')).toBe(QUEUE_DASHBOARD_CSP);
      expect(page.body).toContain('<base href="/admin/queues/"');
      const asset = /src="(static\/js\/main\.[^"]+\.js)"/.exec(page.body)![1];
      expect((await http(broker.url, 'GET', `/admin/queues/${asset}`, withSession(admin))).status).toBe(200);
      const queues = await http(broker.url, 'GET', '/admin/queues/api/queues', withSession(admin));
      expect(queues.status).toBe(200);
      expect(queues.body.queues.map((queue: { name: string }) => queue.name).sort()).toEqual([
        'delivery',
        'routing',
        'submission-messages',
      ]);
      expect(queues.body.queues.every((queue: { readOnlyMode: boolean }) => queue.readOnlyMode)).toBe(true);
    });

    it('is read-only: its actions are refused before it sees them', async () => {
      const retry = await http(broker.url, 'PUT', '/admin/queues/api/queues/delivery/retry/failed', {
        headers: { cookie: `tlpb_session=${admin}` },
      });
      expect(retry.status).toBe(405);
      const clean = await http(broker.url, 'PUT', '/admin/queues/api/queues/routing/clean/completed', {
        headers: { cookie: `tlpb_session=${admin}` },
      });
      expect(clean.status).toBe(405);
    });
  });

  describe("the dispatcher's own server", () => {
    let dispatcher: INestApplicationContext;
    let base: string;

    beforeAll(async () => {
      // One more dispatcher beside the broker's: a second machine's, as scaling out runs them.
      dispatcher = await createDispatcher(broker.config);
      base = dispatcher.get(DispatcherHttpServer).url;
    });

    afterAll(async () => {
      await dispatcher?.close();
    });

    it('listens on a free port of the loopback address when told port 0', () => {
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(base).not.toMatch(/:9464$/);
    });

    it('serves its metrics to the token only', async () => {
      expect((await http(base, 'GET', '/metrics')).status).toBe(401);
      const metrics = await http<string>(base, 'GET', '/metrics', { headers: bearer(METRICS_TOKEN) });
      expect(metrics.status).toBe(200);
      expect(metrics.body).toMatch(/^# TYPE tlpb_encryption_seconds histogram$/m);
      expect(metrics.body).toMatch(/^# TYPE tlpb_deliveries_total counter$/m);
      expect(metrics.body).toMatch(/^tlpb_process_resident_memory_bytes /m);
    });

    it('answers the probes: alive, and ready with PostgreSQL and Redis', async () => {
      expect(await http(base, 'GET', '/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });
      const ready = await http(base, 'GET', '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.details).toEqual({ postgres: { status: 'up' }, redis: { status: 'up' } });
      expect((await http(base, 'GET', '/items')).status).toBe(404);
      expect((await http(base, 'POST', '/metrics')).status).toBe(405);
    });
  });
});
