import { createServer, Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkReadiness, postgresCheck, redisCheck, smtpCheck } from './readiness';

describe('checkReadiness', () => {
  it('is ok when every part answers, listing them', async () => {
    const report = await checkReadiness([
      postgresCheck({ ping: async () => undefined }),
      redisCheck({ ping: async () => 'PONG' }),
    ]);
    expect(report).toEqual({
      status: 'ok',
      info: { postgres: { status: 'up' }, redis: { status: 'up' } },
      error: {},
      details: { postgres: { status: 'up' }, redis: { status: 'up' } },
    });
  });

  it('names the part that failed and why, and the part that did not answer in time', async () => {
    const started = Date.now();
    const report = await checkReadiness(
      [
        postgresCheck({ ping: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) }),
        redisCheck({ ping: () => new Promise(() => undefined) }),
        { name: 'smtp', check: async () => undefined },
      ],
      200,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(report.status).toBe('error');
    expect(report.error).toEqual({
      postgres: { status: 'down', message: 'connect ECONNREFUSED 127.0.0.1:5432' },
      redis: { status: 'down', message: 'redis did not answer within 200 ms' },
    });
    expect(report.info).toEqual({ smtp: { status: 'up' } });
    expect(Object.keys(report.details).sort()).toEqual(['postgres', 'redis', 'smtp']);
  });
});

describe('smtpCheck', () => {
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  /** A relay that greets and answers EHLO, then QUIT. */
  async function relay(greeting = true): Promise<number> {
    server = createServer((socket) => {
      if (greeting) socket.write('220 relay.test ESMTP\r\n');
      socket.on('data', (data) => {
        const line = data.toString();
        if (/^EHLO/i.test(line)) socket.write('250-relay.test\r\n250 8BITMIME\r\n');
        else if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
        else socket.write('502 not here\r\n');
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as { port: number }).port;
  }

  it('is up when the relay greets and answers EHLO', async () => {
    const port = await relay();
    const report = await checkReadiness([smtpCheck({ host: '127.0.0.1', port, secure: false, requireTls: false })]);
    expect(report.details.smtp).toEqual({ status: 'up' });
  });

  it('is down when the relay never greets, within its time-out', async () => {
    const port = await relay(false);
    const started = Date.now();
    const report = await checkReadiness([
      smtpCheck({ host: '127.0.0.1', port, secure: false, requireTls: false }, 300),
    ]);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(report.error.smtp).toMatchObject({ status: 'down', message: expect.any(String) });
  });

  it('is down when a relay required to offer STARTTLS does not', async () => {
    const port = await relay();
    const report = await checkReadiness([smtpCheck({ host: '127.0.0.1', port, secure: false, requireTls: true })]);
    expect(report.error.smtp).toMatchObject({ status: 'down' });
  });
});
