import { describe, expect, it } from 'vitest';
import { thrown } from '../../../test/support/errors';
import { ConfigError, loadConfig } from './config';

const REQUIRED = {
  DATABASE_URL: 'postgres://broker@db.internal:5432/tlp_broker',
  REDIS_URL: 'redis://cache.internal:6379/2',
  TEAM_KEY_PASSPHRASE: 'correct horse battery staple',
} as const;

const problems = (env: Record<string, string>): string[] => thrown(() => loadConfig(env), ConfigError).problems;

/** PUBLIC_URL: the only source of the absolute links the broker signs and hands to partners. */
describe('PUBLIC_URL', () => {
  it('is required in production: start-up is refused with a message naming it', () => {
    expect(problems({ ...REQUIRED, NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^PUBLIC_URL is required in production: .*never taken from a request/),
    ]);
    expect(problems({ ...REQUIRED, NODE_ENV: 'production', PUBLIC_URL: '   ' })).toEqual([
      expect.stringMatching(/^PUBLIC_URL is required in production/),
    ]);
  });

  it('defaults in development and test to where the API listens, never to a request', () => {
    expect(loadConfig({ ...REQUIRED }).http.publicUrl).toBe('http://127.0.0.1:3000');
    expect(loadConfig({ ...REQUIRED, NODE_ENV: 'test', HOST: 'localhost', PORT: '8080' }).http.publicUrl).toBe(
      'http://localhost:8080',
    );
    // A wildcard address is where the API listens, not an address anyone reaches it at.
    expect(loadConfig({ ...REQUIRED, HOST: '0.0.0.0', PORT: '3001' }).http.publicUrl).toBe('http://127.0.0.1:3001');
    expect(loadConfig({ ...REQUIRED, HOST: '::' }).http.publicUrl).toBe('http://[::1]:3000');
  });

  it.each([
    ['https://broker.csirt.example', 'https://broker.csirt.example'],
    ['https://broker.csirt.example/', 'https://broker.csirt.example'],
    ['https://Broker.CSIRT.example:443//', 'https://broker.csirt.example'],
    ['https://csirt.example/broker/', 'https://csirt.example/broker'],
    ['https://broker.csirt.example:8443', 'https://broker.csirt.example:8443'],
    ['http://127.0.0.1:3000/', 'http://127.0.0.1:3000'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['http://[::1]:3000', 'http://[::1]:3000'],
  ])('accepts %s in production as %s', (value, expected) => {
    expect(loadConfig({ ...REQUIRED, NODE_ENV: 'production', PUBLIC_URL: value }).http.publicUrl).toBe(expected);
  });

  it.each<[string, RegExp]>([
    ['broker.csirt.example', /^PUBLIC_URL must be an absolute http\(s\) URL/],
    ['/broker', /^PUBLIC_URL must be an absolute http\(s\) URL/],
    ['ftp://broker.csirt.example', /^PUBLIC_URL must be an http\(s\) URL/],
    ['https://broker.csirt.example/?x=1', /^PUBLIC_URL must not have a query/],
    ['https://broker.csirt.example/#top', /^PUBLIC_URL must not have a query .* or a fragment/],
    ['https://broker.csirt.example/?', /^PUBLIC_URL must not have a query/],
    ['https://user:pass@broker.csirt.example', /^PUBLIC_URL must not carry a user name or password/],
    ['http://broker.csirt.example', /^PUBLIC_URL must start with https:\/\/ in production/],
    ['http://10.0.0.5:3000', /^PUBLIC_URL must start with https:\/\/ in production/],
  ])('refuses %j in production, naming it', (value, pattern) => {
    const found = problems({ ...REQUIRED, NODE_ENV: 'production', PUBLIC_URL: value });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(pattern);
  });

  it('allows plain http outside production (a test or development broker)', () => {
    expect(
      loadConfig({ ...REQUIRED, NODE_ENV: 'development', PUBLIC_URL: 'http://broker.lan:3000' }).http.publicUrl,
    ).toBe('http://broker.lan:3000');
  });
});

describe('SUBMISSION_MAX_BYTES', () => {
  it('defaults to 10 MB and reads a number of bytes', () => {
    expect(loadConfig({ ...REQUIRED }).submissions.maxBytes).toBe(10 * 1024 * 1024);
    expect(loadConfig({ ...REQUIRED, SUBMISSION_MAX_BYTES: '65536' }).submissions.maxBytes).toBe(65_536);
  });

  it.each(['0', '100', '1e12', 'ten'])('refuses %j, naming it', (value) => {
    expect(problems({ ...REQUIRED, SUBMISSION_MAX_BYTES: value })).toEqual([
      expect.stringMatching(/^SUBMISSION_MAX_BYTES /),
    ]);
  });
});
