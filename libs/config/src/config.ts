import { z } from 'zod';
import { loadTeamProfile, TeamProfile } from './team-profile';

/**
 * The broker's settings, read from the environment once at start. This is the only place that
 * reads `process.env`; everything else receives an `AppConfig`.
 */
const urlWithProtocol = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine((value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);

const userId = z
  .string()
  .trim()
  .regex(/^[^<>]+ <[^<>@\s]+@[^<>@\s]+>$/, 'must look like "Team Name <team@example.org>"');

const envSchema = z.object({
  NODE_ENV: z.enum(['production', 'development', 'test']).default('development'),
  DATABASE_URL: urlWithProtocol(['postgres:', 'postgresql:']),
  REDIS_URL: urlWithProtocol(['redis:', 'rediss:']),
  REDIS_PREFIX: z.string().trim().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "-" and "_" only').default('tlpb'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PUBLIC_URL: z
    .string()
    .trim()
    .url('must be the URL partners reach the broker at, e.g. https://broker.csirt.example')
    .refine((value) => /^https?:\/\//.test(value), 'must be an http(s) URL')
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
  TEAM_KEY_FILE: z.string().trim().min(1).optional(),
  TEAM_KEY_PASSPHRASE: z.string().min(12, 'must be at least 12 characters'),
  TEAM_KEY_USER_ID: userId.default('tlp-broker team <csirt@example.org>'),
  TEAM_PROFILE_FILE: z.string().trim().optional(),
  TEAM_COMMUNITIES: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}(\s*,\s*[a-z0-9][a-z0-9-]{0,62})*$/, 'must be a comma-separated list of community names such as "eu-lea,fr-csirt"')
    .optional(),
  SMTP_URL: urlWithProtocol(['smtp:', 'smtps:']).optional(),
  SMTP_REQUIRE_TLS: z.enum(['true', 'false'], { message: 'must be true or false' }).default('true'),
  MAIL_FROM: z
    .string()
    .trim()
    .regex(/^[^<>]+ <[^<>@\s]+@[^<>@\s]+>$/, 'must look like "Police CSIRT <csirt@example.org>"')
    .optional(),
  WEBHOOK_ALLOW_LIST: z.string().trim().optional(),
  CHANNEL_RATE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(120),
  CHANNEL_RATE_WINDOW_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  PARTNER_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(600),
  PARTNER_RATE_WINDOW_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  APPROVAL_REQUIRED_FOR: z
    .string()
    .trim()
    .regex(/^none$|^(red|amber-strict|caveats)(\s*,\s*(red|amber-strict|caveats))*$/, 'must be a comma-separated list of: red, amber-strict, caveats — or none')
    .default('red,amber-strict,caveats'),
  KEY_REQUIRE_EMAIL_MATCH: z.enum(['true', 'false'], { message: 'must be true or false' }).default('true'),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  RECONCILE_AFTER_MS: z.coerce.number().int().min(100).max(86_400_000).default(60_000),
  DELIVERY_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  DELIVERY_BACKOFF_MS: z.coerce.number().int().min(10).max(600_000).default(1_000),
  DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  JOB_LOCK_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  LOG_FORMAT: z.enum(['json', 'text']).default('json'),
});

export interface AppConfig {
  readonly env: 'production' | 'development' | 'test';
  readonly databaseUrl: string;
  readonly redis: { readonly url: string; readonly prefix: string };
  /** The team's RFC 2350 profile (TEAM_PROFILE_FILE), also the source of security.txt. */
  readonly profile: TeamProfile;
  /** `publicUrl`: where partners reach the broker (links in TAXII discovery, security.txt, feeds); else taken from each request. */
  readonly http: { readonly port: number; readonly host: string; readonly publicUrl: string | undefined };
  /** The team's own communities: how far it may pass on TLP:GREEN material received from partners. */
  readonly team: { readonly communities: readonly string[] };
  /**
   * The relay e-mail deliveries go through (smtp://user:pass@host:587 with STARTTLS, smtps://… for
   * TLS from the first byte); null when e-mail channels are not in use.
   */
  readonly smtp: {
    readonly host: string;
    readonly port: number;
    readonly secure: boolean;
    readonly requireTls: boolean;
    readonly auth?: { readonly user: string; readonly pass: string };
    readonly from: { readonly name: string; readonly address: string };
  } | null;
  readonly webhooks: { readonly allowList: readonly string[]; readonly timeoutMs: number };
  /** At most `limit` e-mails or webhook calls per channel in any `windowMs`: a partner's server is never flooded. */
  readonly rateLimit: { readonly limit: number; readonly windowMs: number };
  /** Requests a partner credential may make per window, across every pull form. */
  readonly partnerRateLimit: { readonly limit: number; readonly windowMs: number };
  /** Which items need a second person's approval before they leave (four eyes). */
  readonly approval: { readonly red: boolean; readonly amberStrict: boolean; readonly caveats: boolean };
  /** A person's key must carry a user ID with that person's e-mail address. */
  readonly keys: { readonly requireEmailMatch: boolean };
  readonly teamKey: {
    readonly file: string | undefined;
    readonly passphrase: string;
    readonly userId: { readonly name: string; readonly email: string };
  };
  readonly dispatch: {
    readonly outboxPollMs: number;
    readonly reconcileIntervalMs: number;
    readonly reconcileAfterMs: number;
    readonly deliveryConcurrency: number;
    /**
     * How long a worker's hold on a job lasts without renewal: a worker that dies mid-job (killed,
     * machine lost) leaves its jobs to the other workers after at most about twice this.
     */
    readonly jobLockMs: number;
    /** Attempts before a delivery is dead; retries back off exponentially from `backoffMs`, with jitter. */
    readonly attempts: number;
    readonly backoffMs: number;
  };
  readonly log: { readonly level: 'error' | 'warn' | 'log' | 'debug' | 'verbose'; readonly format: 'json' | 'text' };
}

function smtpSettings(url: string | undefined, requireTls: boolean, mailFrom: string | undefined, teamUserId: string): AppConfig['smtp'] {
  if (!url) return null;
  const parsed = new URL(url);
  const secure = parsed.protocol === 'smtps:';
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 587,
    secure,
    requireTls,
    auth: parsed.username ? { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } : undefined,
    // The sender defaults to the team key's user id: the address partners already know.
    from: (({ name, email }) => ({ name, address: email }))(splitUserId(mailFrom ?? teamUserId)),
  };
}

function approvalRules(value: string): AppConfig['approval'] {
  const listed = new Set(value.split(',').map((entry) => entry.trim()).filter(Boolean));
  return { red: listed.has('red'), amberStrict: listed.has('amber-strict'), caveats: listed.has('caveats') };
}

/** A variable set to nothing but blanks counts as not set (then its default applies, or it is reported missing). */
function withoutBlanks(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== ''));
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function splitUserId(value: string): { name: string; email: string } {
  const match = /^(.+) <(.+)>$/.exec(value);
  if (!match) throw new Error('unreachable: user id validated by schema');
  return { name: match[1].trim(), email: match[2] };
}

/** Validates the settings; throws a ConfigError naming every missing or malformed variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): AppConfig {
  const blankAsMissing = withoutBlanks(env);
  const parsed = envSchema.safeParse(blankAsMissing);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const missing = issue.code === 'invalid_type' && blankAsMissing[name] === undefined;
      return missing ? `${name} is required` : `${name} ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const team = splitUserId(e.TEAM_KEY_USER_ID);
  const profile = loadTeamProfile(e.TEAM_PROFILE_FILE, team);
  if ('problems' in profile) throw new ConfigError(profile.problems);
  return {
    env: e.NODE_ENV,
    profile: profile.profile,
    databaseUrl: e.DATABASE_URL,
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    http: { port: e.PORT, host: e.HOST, publicUrl: e.PUBLIC_URL },
    team: { communities: e.TEAM_COMMUNITIES ? e.TEAM_COMMUNITIES.split(',').map((community) => community.trim()) : [] },
    smtp: smtpSettings(e.SMTP_URL, e.SMTP_REQUIRE_TLS === 'true', e.MAIL_FROM, e.TEAM_KEY_USER_ID),
    webhooks: {
      allowList: e.WEBHOOK_ALLOW_LIST ? e.WEBHOOK_ALLOW_LIST.split(',').map((entry) => entry.trim()).filter(Boolean) : [],
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
    },
    rateLimit: { limit: e.CHANNEL_RATE_LIMIT, windowMs: e.CHANNEL_RATE_WINDOW_MS },
    partnerRateLimit: { limit: e.PARTNER_RATE_LIMIT, windowMs: e.PARTNER_RATE_WINDOW_MS },
    approval: approvalRules(e.APPROVAL_REQUIRED_FOR),
    keys: { requireEmailMatch: e.KEY_REQUIRE_EMAIL_MATCH === 'true' },
    teamKey: { file: e.TEAM_KEY_FILE, passphrase: e.TEAM_KEY_PASSPHRASE, userId: splitUserId(e.TEAM_KEY_USER_ID) },
    dispatch: {
      outboxPollMs: e.OUTBOX_POLL_MS,
      reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
      reconcileAfterMs: e.RECONCILE_AFTER_MS,
      deliveryConcurrency: e.DELIVERY_CONCURRENCY,
      jobLockMs: e.JOB_LOCK_MS,
      attempts: e.DELIVERY_ATTEMPTS,
      backoffMs: e.DELIVERY_BACKOFF_MS,
    },
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
  };
}

/** For commands that only touch the database (migrations, user administration). */
export function loadDatabaseUrl(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const parsed = envSchema.pick({ DATABASE_URL: true }).safeParse({ DATABASE_URL: env.DATABASE_URL || undefined });
  if (!parsed.success) {
    throw new ConfigError([env.DATABASE_URL ? `DATABASE_URL ${parsed.error.issues[0]?.message}` : 'DATABASE_URL is required']);
  }
  return parsed.data.DATABASE_URL;
}

const demoSchema = z.object({
  DEMO_DATABASE_URL: urlWithProtocol(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/tlp_broker_demo'),
  DEMO_REDIS_URL: urlWithProtocol(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  DEMO_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
});

/** Where the demonstration runs its broker. */
export function loadDemoSettings(env: Readonly<Record<string, string | undefined>> = process.env): { databaseUrl: string; redisUrl: string; port: number } {
  const blankAsMissing = withoutBlanks(env);
  const parsed = demoSchema.safeParse(blankAsMissing);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  return { databaseUrl: parsed.data.DEMO_DATABASE_URL, redisUrl: parsed.data.DEMO_REDIS_URL, port: parsed.data.DEMO_PORT };
}
