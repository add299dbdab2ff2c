import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../../test/support/errors';
import { ConfigError, loadConfig, loadDatabaseUrl } from './config';

const PASSWORD = 's3cr3t-db-password';

/** The three variables without a default. */
const REQUIRED = {
  DATABASE_URL: `postgres://broker:${PASSWORD}@db.internal:5432/tlp_broker`,
  REDIS_URL: 'redis://cache.internal:6379/2',
  TEAM_KEY_PASSPHRASE: 'correct horse battery staple',
} as const;

const COMPLETE = {
  ...REQUIRED,
  NODE_ENV: 'production',
  REDIS_PREFIX: 'tlpb_prod-1',
  PORT: '8443',
  HOST: '0.0.0.0',
  PUBLIC_URL: 'https://broker.csirt.example/',
  TEAM_KEY_FILE: '/etc/tlp-broker/team.asc',
  TEAM_KEY_USER_ID: 'CSIRT Example <csirt@example.org>',
  TEAM_COMMUNITIES: 'eu-lea, fr-csirt',
  OUTBOX_POLL_MS: '500',
  RECONCILE_INTERVAL_MS: '15000',
  RECONCILE_AFTER_MS: '120000',
  DELIVERY_CONCURRENCY: '16',
  KEY_THREADS: '4',
  LOG_LEVEL: 'debug',
  LOG_FORMAT: 'text',
  SUBMISSION_REFERENCE_PREFIX: 'GN',
  INTAKE_IMAP_URL: 'imaps://imap.csirt.example',
  INTAKE_IMAP_USER: 'reports',
  INTAKE_IMAP_PASSWORD: 'mailbox secret',
  INTAKE_PROCESSED_FOLDER: 'Archive/Processed',
  PARTNER_FEED_CHECK_MS: '2000',
};

/** Runs `fn`, expects a ConfigError, and returns it. */
const configError = (fn: () => unknown): ConfigError => thrown(fn, ConfigError);

describe('team profile (TEAM_PROFILE_FILE)', () => {
  const file = (content: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'tlpb-profile-'));
    const path = join(dir, 'profile.json');
    writeFileSync(path, content);
    return path;
  };

  it('reads the file and keeps defaults for what it does not say', () => {
    const path = file(
      JSON.stringify({
        name: 'CSIRT Police',
        email: 'csirt@police.example',
        timeZone: 'Europe/Brussels',
        languages: ['fr', 'nl', 'en'],
        lastUpdated: '2026-11-02',
      }),
    );
    expect(loadConfig({ ...REQUIRED, TEAM_PROFILE_FILE: path }).profile).toMatchObject({
      name: 'CSIRT Police',
      email: 'csirt@police.example',
      timeZone: 'Europe/Brussels',
      languages: ['fr', 'nl', 'en'],
      securityTxtDays: 180,
      lastUpdated: '2026-11-02',
    });
  });

  it('refuses a bad time zone, an unknown field and a file that is not JSON, naming each', () => {
    expect(
      configError(() =>
        loadConfig({
          ...REQUIRED,
          TEAM_PROFILE_FILE: file(JSON.stringify({ timeZone: 'Paris/France', colour: 'blue' })),
        }),
      ).problems,
    ).toEqual([
      expect.stringMatching(/^TEAM_PROFILE_FILE timeZone must be an IANA time zone/),
      expect.stringMatching(/^TEAM_PROFILE_FILE \(file\) .*colour/),
    ]);
    expect(configError(() => loadConfig({ ...REQUIRED, TEAM_PROFILE_FILE: file('{ not json') })).problems).toEqual([
      expect.stringMatching(/^TEAM_PROFILE_FILE .* cannot be read as JSON/),
    ]);
  });

  it('keeps office hours on weekdays, closed on French public holidays, unless the file says otherwise', () => {
    expect(loadConfig(REQUIRED).profile.businessHours).toMatchObject({
      timeZone: 'Europe/Paris',
      week: { monday: [{ from: '09:00', to: '18:00' }], saturday: [] },
      holidays: { country: 'FR' },
    });
    const path = file(
      JSON.stringify({
        timeZone: 'Europe/Brussels',
        businessHours: { week: { monday: [{ from: '08:00', to: '17:00' }] }, holidays: { country: 'BE' } },
      }),
    );
    const profile = loadConfig({ ...REQUIRED, TEAM_PROFILE_FILE: path }).profile;
    expect(profile.businessHours).toMatchObject({
      timeZone: 'Europe/Brussels',
      week: { monday: [{ from: '08:00', to: '17:00' }], tuesday: [] },
      holidays: { country: 'BE' },
    });
    expect(profile.hours).toContain('Monday 08:00–17:00');
  });

  it('refuses business hours it cannot read, naming the field', () => {
    const path = file(JSON.stringify({ businessHours: { week: { monday: [{ from: '18:00', to: '08:00' }] } } }));
    expect(configError(() => loadConfig({ ...REQUIRED, TEAM_PROFILE_FILE: path })).problems).toEqual([
      expect.stringMatching(/^TEAM_PROFILE_FILE businessHours\.week\.monday\.0/),
    ]);
  });
});

describe('URGENT_ITEM_TYPES and URGENT_SEVERITIES', () => {
  it('reads lists, or none', () => {
    expect(
      loadConfig({ ...REQUIRED, URGENT_ITEM_TYPES: 'alert, advisory', URGENT_SEVERITIES: 'none' }).urgency,
    ).toEqual({ kinds: ['alert', 'advisory'], severities: [] });
  });

  it('refuses what is not an item type or a severity, naming the variable', () => {
    const problems = configError(() =>
      loadConfig({ ...REQUIRED, URGENT_ITEM_TYPES: 'alert,memo', URGENT_SEVERITIES: 'urgent' }),
    ).problems.join(' ');
    expect(problems).toContain('URGENT_ITEM_TYPES must be a comma-separated list of: alert, advisory');
    expect(problems).toContain('URGENT_SEVERITIES must be a comma-separated list of: low, medium, high, critical');
  });
});

describe('ACK_DEADLINES and DUTY_OFFICER_AFTER', () => {
  it('reads durations per severity in seconds, minutes or hours', () => {
    const config = loadConfig({ ...REQUIRED, ACK_DEADLINES: 'critical=3s, other=2m', DUTY_OFFICER_AFTER: 'other=1h' });
    expect(config.acknowledgements).toEqual({
      escalateAfter: { critical: 3_000, other: 120_000 },
      dutyOfficerAfter: { other: 3_600_000 },
    });
  });

  it('refuses a list without "other", or with a severity or unit it does not know', () => {
    for (const value of ['critical=15m', 'urgent=15m,other=1h', 'critical=15 minutes,other=1h'])
      expect(configError(() => loadConfig({ ...REQUIRED, ACK_DEADLINES: value })).problems.join(' ')).toContain(
        'ACK_DEADLINES must list durations per severity',
      );
  });
});

describe('DUTY_OFFICER_URL', () => {
  it('is read with its secret, and refused without it', () => {
    const config = loadConfig({
      ...REQUIRED,
      DUTY_OFFICER_URL: 'https://pager.csirt.example/duty',
      DUTY_OFFICER_SECRET: 'a secret of sixteen+',
      ESCALATION_POLL_MS: '1000',
    });
    expect(config.escalation).toEqual({
      pollMs: 1_000,
      dutyOfficer: { url: 'https://pager.csirt.example/duty', secret: 'a secret of sixteen+' },
    });
    expect(
      configError(() => loadConfig({ ...REQUIRED, DUTY_OFFICER_URL: 'https://pager.csirt.example/duty' })).problems,
    ).toEqual([expect.stringContaining('DUTY_OFFICER_URL and DUTY_OFFICER_SECRET go together')]);
  });
});

describe('CLOCK_START', () => {
  it('starts the clock at the instant given, outside production', () => {
    const config = loadConfig({ ...REQUIRED, NODE_ENV: 'test', CLOCK_START: '2026-12-05T23:40:00+01:00' });
    expect(config.clockStart).toEqual(new Date('2026-12-05T22:40:00Z'));
    expect(loadConfig(REQUIRED).clockStart).toBeNull();
  });

  it('is refused in production, and when it is not an instant with its offset', () => {
    expect(configError(() => loadConfig({ ...COMPLETE, CLOCK_START: '2026-12-05T23:40:00Z' })).problems).toEqual([
      expect.stringContaining('CLOCK_START is refused in production'),
    ]);
    expect(configError(() => loadConfig({ ...REQUIRED, CLOCK_START: 'saturday night' })).problems.join(' ')).toContain(
      'CLOCK_START',
    );
  });
});

describe('loadConfig', () => {
  it('returns typed values from a complete environment', () => {
    expect(loadConfig(COMPLETE)).toEqual({
      env: 'production',
      clockStart: null,
      profile: expect.objectContaining({ timeZone: 'Europe/Paris', languages: ['fr', 'en'], securityTxtDays: 180 }),
      databaseUrl: REQUIRED.DATABASE_URL,
      redis: { url: REQUIRED.REDIS_URL, prefix: 'tlpb_prod-1' },
      http: { port: 8443, host: '0.0.0.0', publicUrl: 'https://broker.csirt.example' },
      submissions: { maxBytes: 10 * 1024 * 1024, referencePrefix: 'GN' },
      intake: {
        imap: {
          url: 'imaps://imap.csirt.example',
          user: 'reports',
          password: 'mailbox secret',
          mailbox: 'INBOX',
          processedFolder: 'Archive/Processed',
          quarantineFolder: 'Quarantine',
          pollMs: 60_000,
        },
        maxMessageBytes: 25 * 1024 * 1024,
        maxAttachmentBytes: 10 * 1024 * 1024,
        maxMimeDepth: 8,
        openPgpTimeoutMs: 20_000,
      },
      team: { communities: ['eu-lea', 'fr-csirt'] },
      smtp: null,
      webhooks: { allowList: [], timeoutMs: 10_000 },
      partnerFeeds: { timeoutMs: 15_000, maxBytes: 32 * 1024 * 1024, checkMs: 2_000 },
      rateLimit: { limit: 120, windowMs: 60_000 },
      partnerRateLimit: { limit: 600, windowMs: 60_000 },
      authFailureLimit: { limit: 30, windowMs: 60_000 },
      sessions: { idleMs: 30 * 60_000, maxMs: 12 * 3_600_000 },
      signInFailureLimit: { limit: 5, windowMs: 15 * 60_000 },
      approval: { red: true, amberStrict: true, caveats: true },
      urgency: { kinds: ['alert'], severities: ['critical', 'high'] },
      acknowledgements: {
        escalateAfter: { critical: 15 * 60_000, high: 60 * 60_000, other: 60 * 60_000 },
        dutyOfficerAfter: { critical: 30 * 60_000, high: 120 * 60_000, other: 120 * 60_000 },
      },
      escalation: { pollMs: 5_000, dutyOfficer: null },
      keys: { requireEmailMatch: true },
      teamKey: {
        file: '/etc/tlp-broker/team.asc',
        passphrase: 'correct horse battery staple',
        userId: { name: 'CSIRT Example', email: 'csirt@example.org' },
      },
      dispatch: {
        outboxPollMs: 500,
        reconcileIntervalMs: 15_000,
        reconcileAfterMs: 120_000,
        deliveryConcurrency: 16,
        keyThreads: 4,
        jobLockMs: 30_000,
        attempts: 8,
        backoffMs: 1_000,
      },
      log: { level: 'debug', format: 'text' },
      observability: { metricsToken: null, dispatcherHttp: { host: '127.0.0.1', port: 9464 } },
      audit: {
        key: expect.any(Buffer),
        source: 'TEAM_KEY_PASSPHRASE',
        checkpointIntervalMs: 60_000,
        checkpointFile: undefined,
      },
    });
  });

  it('fills in the defaults when only the required variables are set', () => {
    expect(loadConfig(REQUIRED)).toEqual({
      env: 'development',
      clockStart: null,
      profile: expect.objectContaining({ name: 'tlp-broker team', email: 'csirt@example.org', phone: null }),
      databaseUrl: REQUIRED.DATABASE_URL,
      redis: { url: REQUIRED.REDIS_URL, prefix: 'tlpb' },
      http: { port: 3000, host: '127.0.0.1', publicUrl: 'http://127.0.0.1:3000' },
      submissions: { maxBytes: 10 * 1024 * 1024, referencePrefix: 'PJ' },
      intake: {
        imap: null,
        maxMessageBytes: 25 * 1024 * 1024,
        maxAttachmentBytes: 10 * 1024 * 1024,
        maxMimeDepth: 8,
        openPgpTimeoutMs: 20_000,
      },
      team: { communities: [] },
      smtp: null,
      webhooks: { allowList: [], timeoutMs: 10_000 },
      partnerFeeds: { timeoutMs: 15_000, maxBytes: 32 * 1024 * 1024, checkMs: 5_000 },
      rateLimit: { limit: 120, windowMs: 60_000 },
      partnerRateLimit: { limit: 600, windowMs: 60_000 },
      authFailureLimit: { limit: 30, windowMs: 60_000 },
      sessions: { idleMs: 30 * 60_000, maxMs: 12 * 3_600_000 },
      signInFailureLimit: { limit: 5, windowMs: 15 * 60_000 },
      approval: { red: true, amberStrict: true, caveats: true },
      urgency: { kinds: ['alert'], severities: ['critical', 'high'] },
      acknowledgements: {
        escalateAfter: { critical: 15 * 60_000, high: 60 * 60_000, other: 60 * 60_000 },
        dutyOfficerAfter: { critical: 30 * 60_000, high: 120 * 60_000, other: 120 * 60_000 },
      },
      escalation: { pollMs: 5_000, dutyOfficer: null },
      keys: { requireEmailMatch: true },
      teamKey: {
        file: undefined,
        passphrase: REQUIRED.TEAM_KEY_PASSPHRASE,
        userId: { name: 'tlp-broker team', email: 'csirt@example.org' },
      },
      dispatch: {
        outboxPollMs: 250,
        reconcileIntervalMs: 30_000,
        reconcileAfterMs: 60_000,
        deliveryConcurrency: 8,
        keyThreads: Math.min(4, Math.max(1, availableParallelism() - 1)),
        jobLockMs: 30_000,
        attempts: 8,
        backoffMs: 1_000,
      },
      log: { level: 'log', format: 'json' },
      observability: { metricsToken: null, dispatcherHttp: { host: '127.0.0.1', port: 9464 } },
      audit: {
        key: expect.any(Buffer),
        source: 'TEAM_KEY_PASSPHRASE',
        checkpointIntervalMs: 60_000,
        checkpointFile: undefined,
      },
    });
  });

  it('reads the metrics token and where the dispatcher serves its metrics', () => {
    const token = 'f'.repeat(64);
    const config = loadConfig({
      ...REQUIRED,
      METRICS_TOKEN: token,
      DISPATCHER_HTTP_PORT: '0',
      DISPATCHER_HTTP_HOST: '0.0.0.0',
    });
    expect(config.observability).toEqual({ metricsToken: token, dispatcherHttp: { host: '0.0.0.0', port: 0 } });
  });

  it('treats an empty variable as unset (default applies)', () => {
    const config = loadConfig({ ...REQUIRED, PORT: '', NODE_ENV: '', LOG_FORMAT: '', TEAM_KEY_FILE: '' });
    expect(config.http.port).toBe(3000);
    expect(config.env).toBe('development');
    expect(config.log.format).toBe('json');
    expect(config.teamKey.file).toBeUndefined();
  });

  it('reads the console session time-outs in minutes and hours, and the sign-in failure limit', () => {
    const config = loadConfig({
      ...REQUIRED,
      SESSION_IDLE_MINUTES: '5',
      SESSION_MAX_HOURS: '2',
      SIGN_IN_FAILURE_LIMIT: '3',
    });
    expect(config.sessions).toEqual({ idleMs: 300_000, maxMs: 7_200_000 });
    expect(config.signInFailureLimit).toEqual({ limit: 3, windowMs: 900_000 });
  });

  it('accepts postgresql:// and rediss:// too', () => {
    const config = loadConfig({ ...REQUIRED, DATABASE_URL: 'postgresql://db/x', REDIS_URL: 'rediss://cache:6380' });
    expect(config.databaseUrl).toBe('postgresql://db/x');
    expect(config.redis.url).toBe('rediss://cache:6380');
  });

  it('trims blanks around URLs and the user id', () => {
    const config = loadConfig({
      ...REQUIRED,
      DATABASE_URL: `  ${REQUIRED.DATABASE_URL} `,
      TEAM_KEY_USER_ID: ' Team X <x@example.org> ',
    });
    expect(config.databaseUrl).toBe(REQUIRED.DATABASE_URL);
    expect(config.teamKey.userId).toEqual({ name: 'Team X', email: 'x@example.org' });
  });

  it('keeps the passphrase exactly as given, blanks included', () => {
    expect(loadConfig({ ...REQUIRED, TEAM_KEY_PASSPHRASE: ' twelve chars ' }).teamKey.passphrase).toBe(
      ' twelve chars ',
    );
  });

  it('ignores variables it does not know', () => {
    expect(() => loadConfig({ ...REQUIRED, PATH: '/usr/bin', HOME: '/root', SOMETHING_ELSE: 'x' })).not.toThrow();
  });

  it('reads process.env when given nothing', () => {
    const names = Object.keys(COMPLETE);
    const saved = new Map(names.map((name) => [name, process.env[name]]));
    try {
      for (const name of names) delete process.env[name];
      Object.assign(process.env, REQUIRED, { PORT: '4321' });
      expect(loadConfig().http.port).toBe(4321);
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  describe('missing variables', () => {
    it.each(['DATABASE_URL', 'REDIS_URL', 'TEAM_KEY_PASSPHRASE'] as const)('%s missing → "%s is required"', (name) => {
      const env: Record<string, string | undefined> = { ...REQUIRED };
      delete env[name];
      const error = configError(() => loadConfig(env));
      expect(error.problems).toEqual([`${name} is required`]);
      expect(error.message).toContain(`${name} is required`);
    });

    it.each(['DATABASE_URL', 'REDIS_URL', 'TEAM_KEY_PASSPHRASE'] as const)(
      '%s set to "" or undefined counts as missing',
      (name) => {
        expect(configError(() => loadConfig({ ...REQUIRED, [name]: '' })).problems).toEqual([`${name} is required`]);
        expect(configError(() => loadConfig({ ...REQUIRED, [name]: undefined })).problems).toEqual([
          `${name} is required`,
        ]);
      },
    );

    it('names every missing variable at once', () => {
      const error = configError(() => loadConfig({}));
      expect(error.name).toBe('ConfigError');
      expect(error.problems).toEqual(
        expect.arrayContaining([
          'DATABASE_URL is required',
          'REDIS_URL is required',
          'TEAM_KEY_PASSPHRASE is required',
        ]),
      );
      expect(error.problems).toHaveLength(3);
      expect(error.message).toMatch(/^Invalid configuration:/);
      for (const name of ['DATABASE_URL', 'REDIS_URL', 'TEAM_KEY_PASSPHRASE'])
        expect(error.message).toContain(`  - ${name} is required`);
    });
  });

  describe('malformed values', () => {
    it.each<[string, string, RegExp]>([
      ['DATABASE_URL', 'mysql://x', /^DATABASE_URL must be a URL starting with postgres:\/\/ or postgresql:\/\//],
      ['DATABASE_URL', 'not a url', /^DATABASE_URL must be a URL/],
      ['REDIS_URL', 'http://cache:6379', /^REDIS_URL must be a URL starting with redis:\/\/ or rediss:\/\//],
      ['REDIS_URL', 'cache:6379', /^REDIS_URL /],
      ['PORT', 'abc', /^PORT /],
      ['PORT', '70000', /^PORT /],
      ['PORT', '-1', /^PORT /],
      ['PORT', '80.5', /^PORT /],
      ['TEAM_KEY_USER_ID', 'nobody', /^TEAM_KEY_USER_ID must look like "Team Name <team@example.org>"/],
      ['TEAM_KEY_USER_ID', 'Team <not-an-email>', /^TEAM_KEY_USER_ID /],
      ['TEAM_KEY_USER_ID', '<team@example.org>', /^TEAM_KEY_USER_ID /],
      ['TEAM_KEY_PASSPHRASE', 'short', /^TEAM_KEY_PASSPHRASE must be at least 12 characters/],
      ['TEAM_KEY_PASSPHRASE', '12345678901', /^TEAM_KEY_PASSPHRASE must be at least 12 characters/],
      ['NODE_ENV', 'staging', /^NODE_ENV /],
      ['REDIS_PREFIX', 'tlp:broker', /^REDIS_PREFIX letters, digits/],
      ['OUTBOX_POLL_MS', '5', /^OUTBOX_POLL_MS /],
      ['RECONCILE_INTERVAL_MS', 'often', /^RECONCILE_INTERVAL_MS /],
      ['RECONCILE_AFTER_MS', '99', /^RECONCILE_AFTER_MS /],
      ['DELIVERY_CONCURRENCY', '0', /^DELIVERY_CONCURRENCY /],
      ['DELIVERY_CONCURRENCY', '257', /^DELIVERY_CONCURRENCY /],
      ['KEY_THREADS', '-1', /^KEY_THREADS /],
      ['LOG_LEVEL', 'trace', /^LOG_LEVEL /],
      ['LOG_FORMAT', 'xml', /^LOG_FORMAT /],
      ['AUTH_FAILURE_LIMIT', '0', /^AUTH_FAILURE_LIMIT /],
      ['AUTH_FAILURE_WINDOW_MS', 'a minute', /^AUTH_FAILURE_WINDOW_MS /],
      ['SESSION_IDLE_MINUTES', '0', /^SESSION_IDLE_MINUTES /],
      ['SESSION_MAX_HOURS', 'half a day', /^SESSION_MAX_HOURS /],
      ['SIGN_IN_FAILURE_LIMIT', '0', /^SIGN_IN_FAILURE_LIMIT /],
      ['METRICS_TOKEN', 'too-short-to-guard-anything', /^METRICS_TOKEN must be at least 32 characters/],
      ['METRICS_TOKEN', 'a token of many words that is long enough', /^METRICS_TOKEN must be printable ASCII/],
      ['DISPATCHER_HTTP_PORT', '65536', /^DISPATCHER_HTTP_PORT /],
    ])('%s=%j is refused, naming the variable', (name, value, pattern) => {
      const error = configError(() => loadConfig({ ...REQUIRED, [name]: value }));
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatch(pattern);
      expect(error.problems[0]).not.toMatch(/is required$/);
      expect(error.message).toContain(`  - ${name} `);
    });

    it('reads a variable of blanks only as unset: required ones are reported missing, others take their default', () => {
      const error = configError(() => loadConfig({ ...REQUIRED, DATABASE_URL: '   ' }));
      expect(error.problems).toEqual(['DATABASE_URL is required']);
      expect(loadConfig({ ...REQUIRED, PORT: '   ' }).http.port).toBe(3000);
    });

    it('refuses TEAM_COMMUNITIES that is not a list of community names', () => {
      const error = configError(() => loadConfig({ ...REQUIRED, TEAM_COMMUNITIES: 'EU LEA;fr' }));
      expect(error.problems[0]).toMatch(/^TEAM_COMMUNITIES must be a comma-separated list/);
    });

    it('names every malformed variable at once', () => {
      const error = configError(() =>
        loadConfig({
          DATABASE_URL: 'mysql://x',
          REDIS_URL: REQUIRED.REDIS_URL,
          PORT: 'abc',
          TEAM_KEY_USER_ID: 'nobody',
          TEAM_KEY_PASSPHRASE: 'short',
        }),
      );
      const named = error.problems.map((problem) => problem.split(' ')[0]).sort();
      expect(named).toEqual(['DATABASE_URL', 'PORT', 'TEAM_KEY_PASSPHRASE', 'TEAM_KEY_USER_ID']);
    });

    it('reports missing and malformed variables together', () => {
      const error = configError(() =>
        loadConfig({ DATABASE_URL: 'mysql://x', TEAM_KEY_PASSPHRASE: REQUIRED.TEAM_KEY_PASSPHRASE }),
      );
      expect(error.problems).toContain('REDIS_URL is required');
      expect(error.problems.some((problem) => problem.startsWith('DATABASE_URL must be a URL'))).toBe(true);
    });

    it('never repeats a secret in its error', () => {
      const passphrase = 'tooShort!';
      const error = configError(() =>
        loadConfig({ ...REQUIRED, TEAM_KEY_PASSPHRASE: passphrase, DATABASE_URL: `mysql://root:${PASSWORD}@db/x` }),
      );
      expect(error.message).not.toContain(passphrase);
      expect(error.message).not.toContain(PASSWORD);
    });

    it.each([
      ['PORT', '0'],
      ['PORT', '65535'],
      ['TEAM_KEY_PASSPHRASE', '123456789012'],
      ['OUTBOX_POLL_MS', '10'],
      ['DELIVERY_CONCURRENCY', '256'],
    ])('accepts the boundary %s=%s', (name, value) => {
      expect(() => loadConfig({ ...REQUIRED, [name]: value })).not.toThrow();
    });
  });
});

describe('loadDatabaseUrl', () => {
  it('returns DATABASE_URL alone, without needing the other variables', () => {
    expect(loadDatabaseUrl({ DATABASE_URL: REQUIRED.DATABASE_URL })).toBe(REQUIRED.DATABASE_URL);
    expect(loadDatabaseUrl({ DATABASE_URL: 'postgresql://localhost/db', PORT: 'abc' })).toBe(
      'postgresql://localhost/db',
    );
  });

  it('trims blanks around it', () => {
    expect(loadDatabaseUrl({ DATABASE_URL: ` ${REQUIRED.DATABASE_URL}\n` })).toBe(REQUIRED.DATABASE_URL);
  });

  it.each<[string, string | undefined]>([
    ['missing', undefined],
    ['empty', ''],
  ])('refuses it %s: "DATABASE_URL is required"', (_what, value) => {
    const error = configError(() => loadDatabaseUrl(value === undefined ? {} : { DATABASE_URL: value }));
    expect(error.problems).toEqual(['DATABASE_URL is required']);
    expect(error.message).toContain('DATABASE_URL is required');
  });

  it.each(['mysql://x', 'localhost:5432', 'http://db/x'])('refuses %j, naming the variable', (value) => {
    const error = configError(() => loadDatabaseUrl({ DATABASE_URL: value }));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^DATABASE_URL must be a URL starting with postgres:\/\/ or postgresql:\/\//);
  });

  it('does not repeat the password of a refused URL', () => {
    const error = configError(() => loadDatabaseUrl({ DATABASE_URL: `mysql://root:${PASSWORD}@db/x` }));
    expect(error.message).not.toContain(PASSWORD);
  });

  it('reads process.env when given nothing', () => {
    const saved = process.env.DATABASE_URL;
    try {
      process.env.DATABASE_URL = 'postgres://from-env/db';
      expect(loadDatabaseUrl()).toBe('postgres://from-env/db');
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  });
});
