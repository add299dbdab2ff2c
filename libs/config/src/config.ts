import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ITEM_KINDS, ItemKind, SEVERITIES, Severity, UrgencyRule } from '@tlp-broker/domain';
import { loadTeamProfile, TeamProfile } from './team-profile';
import { AuditKey, deriveAuditKey } from './audit-key';
import { StartupError } from './startup';

/**
 * Key threads by default: one per core but one, left to the dispatcher's main thread and the
 * database (a thread keeps eight key tasks in flight, so one is enough on two cores), at most four.
 */
function defaultKeyThreads(): number {
  return Math.min(4, Math.max(1, availableParallelism() - 1));
}

/**
 * The broker's settings, read from the environment once at start. This is the only place that
 * reads `process.env`; everything else receives an `AppConfig`.
 */
const urlWithProtocol = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    );

const userId = z
  .string()
  .trim()
  .regex(/^[^<>]+ <[^<>@\s]+@[^<>@\s]+>$/, 'must look like "Team Name <team@example.org>"');

const envSchema = z.object({
  NODE_ENV: z.enum(['production', 'development', 'test']).default('development'),
  DATABASE_URL: urlWithProtocol(['postgres:', 'postgresql:']),
  REDIS_URL: urlWithProtocol(['redis:', 'rediss:']),
  REDIS_PREFIX: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "-" and "_" only')
    .default('tlpb'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  // Checked with NODE_ENV, HOST and PORT in publicUrlSetting.
  PUBLIC_URL: z.string().trim().optional(),
  TEAM_KEY_FILE: z.string().trim().min(1).optional(),
  TEAM_KEY_PASSPHRASE: z.string().min(12, 'must be at least 12 characters'),
  TEAM_KEY_USER_ID: userId.default('tlp-broker team <csirt@example.org>'),
  TEAM_PROFILE_FILE: z.string().trim().optional(),
  TEAM_COMMUNITIES: z
    .string()
    .trim()
    .regex(
      /^[a-z0-9][a-z0-9-]{0,62}(\s*,\s*[a-z0-9][a-z0-9-]{0,62})*$/,
      'must be a comma-separated list of community names such as "eu-lea,fr-csirt"',
    )
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
  AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(30),
  AUTH_FAILURE_WINDOW_MS: z.coerce.number().int().min(100).max(86_400_000).default(60_000),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(1_440).default(30),
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(720).default(12),
  SIGN_IN_FAILURE_LIMIT: z.coerce.number().int().min(1).max(1_000).default(5),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  URGENT_ITEM_TYPES: wordList(ITEM_KINDS).default('alert'),
  ACK_DEADLINES: durations().prefault('critical=15m,high=60m,other=60m'),
  DUTY_OFFICER_AFTER: durations().prefault('critical=30m,high=120m,other=120m'),
  DUTY_OFFICER_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  DUTY_OFFICER_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  ESCALATION_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(5_000),
  URGENT_SEVERITIES: wordList(SEVERITIES).default('critical,high'),
  APPROVAL_REQUIRED_FOR: z
    .string()
    .trim()
    .regex(
      /^none$|^(red|amber-strict|caveats)(\s*,\s*(red|amber-strict|caveats))*$/,
      'must be a comma-separated list of: red, amber-strict, caveats — or none',
    )
    .default('red,amber-strict,caveats'),
  KEY_REQUIRE_EMAIL_MATCH: z.enum(['true', 'false'], { message: 'must be true or false' }).default('true'),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  RECONCILE_AFTER_MS: z.coerce.number().int().min(100).max(86_400_000).default(60_000),
  DELIVERY_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  DELIVERY_BACKOFF_MS: z.coerce.number().int().min(10).max(600_000).default(1_000),
  DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  KEY_THREADS: z.coerce.number().int().min(0).max(32).default(defaultKeyThreads()),
  JOB_LOCK_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  AUDIT_KEY: z
    .string()
    .min(32, 'must be at least 32 characters of a random secret (e.g. openssl rand -base64 32)')
    .optional(),
  AUDIT_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(50).max(86_400_000).default(60_000),
  AUDIT_CHECKPOINT_FILE: z.string().trim().min(1).optional(),
  SUBMISSION_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(64 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  SUBMISSION_REFERENCE_PREFIX: z
    .string()
    .trim()
    .regex(/^[A-Z][A-Z0-9]{0,9}$/, 'capital letters and digits, starting with a letter (e.g. PJ)')
    .default('PJ'),
  INTAKE_IMAP_URL: urlWithProtocol(['imap:', 'imaps:']).optional(),
  INTAKE_IMAP_USER: z.string().min(1).optional(),
  INTAKE_IMAP_PASSWORD: z.string().min(1).optional(),
  INTAKE_IMAP_MAILBOX: z.string().trim().min(1).default('INBOX'),
  INTAKE_PROCESSED_FOLDER: z.string().trim().min(1).default('Processed'),
  INTAKE_QUARANTINE_FOLDER: z.string().trim().min(1).default('Quarantine'),
  INTAKE_POLL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  INTAKE_MAX_MESSAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(64 * 1024 * 1024)
    .default(25 * 1024 * 1024),
  INTAKE_MAX_ATTACHMENT_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(64 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  INTAKE_MAX_MIME_DEPTH: z.coerce.number().int().min(2).max(50).default(8),
  INTAKE_OPENPGP_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(20_000),
  PARTNER_FEED_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  PARTNER_FEED_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(256 * 1024 * 1024)
    .default(32 * 1024 * 1024),
  PARTNER_FEED_CHECK_MS: z.coerce.number().int().min(10).max(600_000).default(5_000),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  LOG_FORMAT: z.enum(['json', 'text']).default('json'),
  METRICS_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters of a random secret (e.g. openssl rand -hex 32)')
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without blanks (it travels in an Authorization header)')
    .optional(),
  DISPATCHER_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  DISPATCHER_HTTP_HOST: z.string().trim().min(1).default('127.0.0.1'),
  CLOCK_START: z.iso
    .datetime({
      offset: true,
      message: 'must be an ISO 8601 date and time with its offset, e.g. 2026-12-05T23:40:00+01:00',
    })
    .optional(),
});

/** Per severity (`other`: an urgent item of another severity, or none): `critical=15m,high=60m,other=60m`. */
function durations() {
  const entry = /^(critical|high|medium|low|other)=(\d{1,6})(s|m|h)$/;
  return z
    .string()
    .trim()
    .refine((value) => {
      const entries = value.split(',').map((part) => part.trim());
      return entries.every((part) => entry.test(part)) && entries.some((part) => part.startsWith('other='));
    }, 'must list durations per severity, such as critical=15m,high=60m,other=60m (s, m or h; "other" is required)')
    .transform((value) => {
      const unit = { s: 1_000, m: 60_000, h: 3_600_000 } as const;
      const result: Partial<Record<Severity | 'other', number>> = {};
      for (const part of value.split(',')) {
        const [, severity, amount, suffix] = entry.exec(part.trim())!;
        result[severity as Severity | 'other'] = Number(amount) * unit[suffix as keyof typeof unit];
      }
      return result as Partial<Record<Severity, number>> & { other: number };
    });
}

/** A comma-separated list of some of `allowed`, or `none`. */
function wordList(allowed: readonly string[]) {
  const word = allowed.map((value) => value.replace(/[-+]/g, '\\$&')).join('|');
  return z
    .string()
    .trim()
    .regex(
      new RegExp(`^none$|^(${word})(\\s*,\\s*(${word}))*$`),
      `must be a comma-separated list of: ${allowed.join(', ')} — or none`,
    );
}

/** Milliseconds by severity; `other` for the rest. */
export type Deadlines = Readonly<Partial<Record<Severity, number>> & { other: number }>;

export interface AppConfig {
  readonly env: 'production' | 'development' | 'test';
  /** CLOCK_START: the instant the broker's clock starts at (tests and the demonstration only); null: the real time. */
  readonly clockStart: Date | null;
  readonly databaseUrl: string;
  readonly redis: { readonly url: string; readonly prefix: string };
  /** The team's RFC 2350 profile (TEAM_PROFILE_FILE), also the source of security.txt. */
  readonly profile: TeamProfile;
  /**
   * `publicUrl`: where partners reach the broker, without a trailing slash. Every absolute link the
   * broker signs or hands out (security.txt, the team profile, TAXII discovery, the public feeds)
   * starts with it; none is ever built from a request's Host or X-Forwarded-* headers.
   */
  readonly http: { readonly port: number; readonly host: string; readonly publicUrl: string };
  /**
   * Submissions: the most bytes of content kept once decompressed (SUBMISSION_MAX_BYTES), and the
   * prefix of the references given back to senders (SUBMISSION_REFERENCE_PREFIX: PJ-2026-000123).
   */
  readonly submissions: { readonly maxBytes: number; readonly referencePrefix: string };
  /**
   * The team mailbox read for reports (null when INTAKE_IMAP_URL is not set): where processed and
   * unprocessable messages are moved (never deleted), how often it is polled when IDLE is not
   * available, and the bounds on what is read: a message's size, an attachment's, MIME nesting,
   * and the time any one OpenPGP message may take to read.
   */
  readonly intake: {
    readonly imap: {
      readonly url: string;
      readonly user?: string;
      readonly password?: string;
      readonly mailbox: string;
      readonly processedFolder: string;
      readonly quarantineFolder: string;
      readonly pollMs: number;
    } | null;
    readonly maxMessageBytes: number;
    readonly maxAttachmentBytes: number;
    readonly maxMimeDepth: number;
    readonly openPgpTimeoutMs: number;
  };
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
  /**
   * Partners' own feeds the dispatcher polls (under the webhook address policy, WEBHOOK_ALLOW_LIST):
   * how long one request may take, the most bytes one answer may have, and how often the dispatcher
   * looks for feeds that are due (each feed has its own interval).
   */
  readonly partnerFeeds: { readonly timeoutMs: number; readonly maxBytes: number; readonly checkMs: number };
  /** At most `limit` e-mails or webhook calls per channel in any `windowMs`: a partner's server is never flooded. */
  readonly rateLimit: { readonly limit: number; readonly windowMs: number };
  /** Requests a partner credential may make per window, across every pull form. */
  readonly partnerRateLimit: { readonly limit: number; readonly windowMs: number };
  /** Failed authentications allowed per source address and per API-key prefix in a window, before 429. */
  readonly authFailureLimit: { readonly limit: number; readonly windowMs: number };
  /**
   * Console sessions: one ends `idleMs` after its last request, and `maxMs` after sign-in however
   * active it is. Failed sign-ins allowed per name and per source address in a window, before 429.
   */
  readonly sessions: { readonly idleMs: number; readonly maxMs: number };
  readonly signInFailureLimit: { readonly limit: number; readonly windowMs: number };
  /** Which items need a second person's approval before they leave (four eyes). */
  readonly approval: { readonly red: boolean; readonly amberStrict: boolean; readonly caveats: boolean };
  /** Which items are urgent (URGENT_ITEM_TYPES, URGENT_SEVERITIES): outside a partner's hours they reach its on-call channels. */
  readonly urgency: UrgencyRule;
  /**
   * How long, by severity, a recipient of an urgent item has to acknowledge it before it is re-sent
   * to its on-call channels (ACK_DEADLINES), and before the team's duty officer is told (DUTY_OFFICER_AFTER).
   */
  readonly acknowledgements: { readonly escalateAfter: Deadlines; readonly dutyOfficerAfter: Deadlines };
  /**
   * How often the dispatcher looks for escalation steps due (ESCALATION_POLL_MS), and the hook the
   * team's duty officer is told through (DUTY_OFFICER_URL and its HMAC secret DUTY_OFFICER_SECRET;
   * null: no one is told, and each notice says so in the audit trail).
   */
  readonly escalation: {
    readonly pollMs: number;
    readonly dutyOfficer: { readonly url: string; readonly secret: string } | null;
  };
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
    /** Worker threads that read recipients' keys and address messages to them (0: the main thread does). */
    readonly keyThreads: number;
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
  /**
   * Watching it run: the bearer token Prometheus scrapes GET /metrics with (METRICS_TOKEN; null: on
   * the API only administrators' sessions, on the dispatcher only when it listens on loopback), and
   * where the dispatcher serves its metrics and health checks (port 0: any free port, logged).
   */
  readonly observability: {
    readonly metricsToken: string | null;
    readonly dispatcherHttp: { readonly host: string; readonly port: number };
  };
  /**
   * The audit trail: the key that authenticates each event (AUDIT_KEY, else derived from
   * TEAM_KEY_PASSPHRASE; never stored in PostgreSQL), and how often the dispatcher signs the chain
   * head with the team key (a checkpoint), also appended to `checkpointFile` when set.
   */
  readonly audit: AuditKey & { readonly checkpointIntervalMs: number; readonly checkpointFile: string | undefined };
}

function smtpSettings(
  url: string | undefined,
  requireTls: boolean,
  mailFrom: string | undefined,
  teamUserId: string,
): AppConfig['smtp'] {
  if (!url) return null;
  const parsed = new URL(url);
  const secure = parsed.protocol === 'smtps:';
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 587,
    secure,
    requireTls,
    auth: parsed.username
      ? { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) }
      : undefined,
    // The sender defaults to the team key's user id: the address partners already know.
    from: (({ name, email }) => ({ name, address: email }))(splitUserId(mailFrom ?? teamUserId)),
  };
}

function words<T extends string>(value: string): T[] {
  return value === 'none' ? [] : (value.split(',').map((entry) => entry.trim()) as T[]);
}

function approvalRules(value: string): AppConfig['approval'] {
  const listed = new Set(
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  );
  return { red: listed.has('red'), amberStrict: listed.has('amber-strict'), caveats: listed.has('caveats') };
}

/** Failed sign-ins are counted over 15 minutes. */
const SIGN_IN_FAILURE_WINDOW_MS = 15 * 60_000;

const PUBLIC_URL_EXAMPLE = 'e.g. https://broker.csirt.example';

function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/**
 * PUBLIC_URL, checked and normalised (no trailing slash). It is required in production: signed
 * documents and links handed to partners must never be built from what a request claims (its Host
 * or X-Forwarded-* headers). In development and test it defaults to where the API listens. Plain
 * http is refused in production except on a loopback address (a broker behind a local proxy, or run
 * on one machine, as the demonstration and docker-compose.yml do).
 */
function publicUrlSetting(
  value: string | undefined,
  env: AppConfig['env'],
  host: string,
  port: number,
): { url: string } | { problem: string } {
  if (value === undefined) {
    if (env === 'production') {
      return {
        problem: `PUBLIC_URL is required in production: the URL partners reach the broker at (${PUBLIC_URL_EXAMPLE}); links in signed documents and feeds are never taken from a request`,
      };
    }
    // A wildcard address is where the API listens, not where anyone reaches it.
    const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
    value = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: `PUBLIC_URL must be an absolute http(s) URL (${PUBLIC_URL_EXAMPLE})` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { problem: `PUBLIC_URL must be an http(s) URL (${PUBLIC_URL_EXAMPLE})` };
  if (url.username || url.password) return { problem: 'PUBLIC_URL must not carry a user name or password' };
  if (value.includes('?') || value.includes('#'))
    return { problem: 'PUBLIC_URL must not have a query (?…) or a fragment (#…)' };
  if (env === 'production' && url.protocol === 'http:' && !isLoopback(url.hostname)) {
    return {
      problem:
        'PUBLIC_URL must start with https:// in production (plain http only on a loopback address such as 127.0.0.1)',
    };
  }
  return { url: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

/** A variable set to nothing but blanks counts as not set (then its default applies, or it is reported missing). */
function withoutBlanks(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== ''),
  );
}

export class ConfigError extends StartupError {
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

type Environment = z.infer<typeof envSchema>;

/** The variables checked against the schema: every one missing or malformed is named at once. */
function parseEnvironment(env: Readonly<Record<string, string | undefined>>): Environment {
  const blankAsMissing = withoutBlanks(env);
  const parsed = envSchema.safeParse(blankAsMissing);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const missing = issue.code === 'invalid_type' && blankAsMissing[name] === undefined;
      return missing ? `${name} is required` : `${name} ${issue.message}`;
    }),
  );
}

function listSetting(value: string | undefined): string[] {
  return value
    ? value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean)
    : [];
}

/** Which items are urgent, their acknowledgement deadlines, and whom escalation reaches. */
function urgentItemSettings(e: Environment): Pick<AppConfig, 'urgency' | 'acknowledgements' | 'escalation'> {
  return {
    urgency: { kinds: words<ItemKind>(e.URGENT_ITEM_TYPES), severities: words<Severity>(e.URGENT_SEVERITIES) },
    acknowledgements: { escalateAfter: e.ACK_DEADLINES, dutyOfficerAfter: e.DUTY_OFFICER_AFTER },
    escalation: {
      pollMs: e.ESCALATION_POLL_MS,
      dutyOfficer:
        e.DUTY_OFFICER_URL && e.DUTY_OFFICER_SECRET ? { url: e.DUTY_OFFICER_URL, secret: e.DUTY_OFFICER_SECRET } : null,
    },
  };
}

/** Settings that are wrong together: a test clock in production, a duty officer hook without its secret. */
function combinationProblems(e: Environment): string[] {
  return [
    ...(e.CLOCK_START !== undefined && e.NODE_ENV === 'production'
      ? ['CLOCK_START is refused in production: the broker keeps the real time there']
      : []),
    ...((e.DUTY_OFFICER_URL === undefined) !== (e.DUTY_OFFICER_SECRET === undefined)
      ? ['DUTY_OFFICER_URL and DUTY_OFFICER_SECRET go together: the hook is called with an HMAC signature']
      : []),
  ];
}

/** Validates the settings; throws a ConfigError naming every missing or malformed variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): AppConfig {
  const e = parseEnvironment(env);
  const team = splitUserId(e.TEAM_KEY_USER_ID);
  const profile = loadTeamProfile(e.TEAM_PROFILE_FILE, team);
  const publicUrl = publicUrlSetting(e.PUBLIC_URL, e.NODE_ENV, e.HOST, e.PORT);
  const problems = [
    ...('problems' in profile ? profile.problems : []),
    ...('problem' in publicUrl ? [publicUrl.problem] : []),
    ...combinationProblems(e),
  ];
  if (problems.length > 0 || 'problems' in profile || 'problem' in publicUrl) throw new ConfigError(problems);
  return {
    env: e.NODE_ENV,
    clockStart: e.CLOCK_START === undefined ? null : new Date(e.CLOCK_START),
    profile: profile.profile,
    databaseUrl: e.DATABASE_URL,
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    http: { port: e.PORT, host: e.HOST, publicUrl: publicUrl.url },
    submissions: { maxBytes: e.SUBMISSION_MAX_BYTES, referencePrefix: e.SUBMISSION_REFERENCE_PREFIX },
    intake: intakeSettings(e),
    team: { communities: e.TEAM_COMMUNITIES ? e.TEAM_COMMUNITIES.split(',').map((community) => community.trim()) : [] },
    smtp: smtpSettings(e.SMTP_URL, e.SMTP_REQUIRE_TLS === 'true', e.MAIL_FROM, e.TEAM_KEY_USER_ID),
    webhooks: { allowList: listSetting(e.WEBHOOK_ALLOW_LIST), timeoutMs: e.WEBHOOK_TIMEOUT_MS },
    partnerFeeds: {
      timeoutMs: e.PARTNER_FEED_TIMEOUT_MS,
      maxBytes: e.PARTNER_FEED_MAX_BYTES,
      checkMs: e.PARTNER_FEED_CHECK_MS,
    },
    rateLimit: { limit: e.CHANNEL_RATE_LIMIT, windowMs: e.CHANNEL_RATE_WINDOW_MS },
    partnerRateLimit: { limit: e.PARTNER_RATE_LIMIT, windowMs: e.PARTNER_RATE_WINDOW_MS },
    authFailureLimit: { limit: e.AUTH_FAILURE_LIMIT, windowMs: e.AUTH_FAILURE_WINDOW_MS },
    sessions: { idleMs: e.SESSION_IDLE_MINUTES * 60_000, maxMs: e.SESSION_MAX_HOURS * 3_600_000 },
    signInFailureLimit: { limit: e.SIGN_IN_FAILURE_LIMIT, windowMs: SIGN_IN_FAILURE_WINDOW_MS },
    approval: approvalRules(e.APPROVAL_REQUIRED_FOR),
    ...urgentItemSettings(e),
    keys: { requireEmailMatch: e.KEY_REQUIRE_EMAIL_MATCH === 'true' },
    teamKey: { file: e.TEAM_KEY_FILE, passphrase: e.TEAM_KEY_PASSPHRASE, userId: splitUserId(e.TEAM_KEY_USER_ID) },
    dispatch: {
      outboxPollMs: e.OUTBOX_POLL_MS,
      reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
      reconcileAfterMs: e.RECONCILE_AFTER_MS,
      deliveryConcurrency: e.DELIVERY_CONCURRENCY,
      keyThreads: e.KEY_THREADS,
      jobLockMs: e.JOB_LOCK_MS,
      attempts: e.DELIVERY_ATTEMPTS,
      backoffMs: e.DELIVERY_BACKOFF_MS,
    },
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
    observability: {
      metricsToken: e.METRICS_TOKEN ?? null,
      dispatcherHttp: { host: e.DISPATCHER_HTTP_HOST, port: e.DISPATCHER_HTTP_PORT },
    },
    audit: {
      ...deriveAuditKey(e.AUDIT_KEY, e.TEAM_KEY_PASSPHRASE),
      checkpointIntervalMs: e.AUDIT_CHECKPOINT_INTERVAL_MS,
      checkpointFile: e.AUDIT_CHECKPOINT_FILE,
    },
  };
}

/** The team mailbox (none without INTAKE_IMAP_URL) and the bounds on what is read from it. */
function intakeSettings(e: Environment): AppConfig['intake'] {
  return {
    imap: e.INTAKE_IMAP_URL
      ? {
          url: e.INTAKE_IMAP_URL,
          user: e.INTAKE_IMAP_USER,
          password: e.INTAKE_IMAP_PASSWORD,
          mailbox: e.INTAKE_IMAP_MAILBOX,
          processedFolder: e.INTAKE_PROCESSED_FOLDER,
          quarantineFolder: e.INTAKE_QUARANTINE_FOLDER,
          pollMs: e.INTAKE_POLL_MS,
        }
      : null,
    maxMessageBytes: e.INTAKE_MAX_MESSAGE_BYTES,
    maxAttachmentBytes: e.INTAKE_MAX_ATTACHMENT_BYTES,
    maxMimeDepth: e.INTAKE_MAX_MIME_DEPTH,
    openPgpTimeoutMs: e.INTAKE_OPENPGP_TIMEOUT_MS,
  };
}

/** For commands that only touch the database (migrations, user administration). */
export function loadDatabaseUrl(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const parsed = envSchema.pick({ DATABASE_URL: true }).safeParse({ DATABASE_URL: env.DATABASE_URL || undefined });
  if (!parsed.success) {
    throw new ConfigError([
      env.DATABASE_URL ? `DATABASE_URL ${parsed.error.issues[0]?.message}` : 'DATABASE_URL is required',
    ]);
  }
  return parsed.data.DATABASE_URL;
}

const databaseRolesSchema = z.object({
  DATABASE_URL: urlWithProtocol(['postgres:', 'postgresql:']),
  MIGRATION_DATABASE_URL: urlWithProtocol(['postgres:', 'postgresql:']).optional(),
  SUPERUSER_DATABASE_URL: urlWithProtocol(['postgres:', 'postgresql:']).optional(),
});

function problemsOf(
  issues: readonly { path: readonly PropertyKey[]; code: string; message: string }[],
  given: Record<string, string>,
): string[] {
  return issues.map((issue) => {
    const name = issue.path.join('.');
    return issue.code === 'invalid_type' && given[name] === undefined
      ? `${name} is required`
      : `${name} ${issue.message}`;
  });
}

/**
 * The database connections of the command line: `appUrl` (DATABASE_URL) is the role the API and
 * dispatcher run as; `migrationUrl` (MIGRATION_DATABASE_URL, default DATABASE_URL) the role that
 * owns the schema and runs the migrations; `superuserUrl` (SUPERUSER_DATABASE_URL) creates both roles.
 */
export function loadDatabaseRoleUrls(env: Readonly<Record<string, string | undefined>> = process.env): {
  appUrl: string;
  migrationUrl: string;
  superuserUrl: string | undefined;
} {
  const given = withoutBlanks(env);
  const parsed = databaseRolesSchema.safeParse(given);
  if (!parsed.success) throw new ConfigError(problemsOf(parsed.error.issues, given));
  return {
    appUrl: parsed.data.DATABASE_URL,
    migrationUrl: parsed.data.MIGRATION_DATABASE_URL ?? parsed.data.DATABASE_URL,
    superuserUrl: parsed.data.SUPERUSER_DATABASE_URL,
  };
}

/**
 * The audit key for the command line: null when neither AUDIT_KEY nor TEAM_KEY_PASSPHRASE is set
 * (the caller decides whether it can do without: verifying can, appending events cannot).
 */
export function loadAuditKey(env: Readonly<Record<string, string | undefined>> = process.env): AuditKey | null {
  const given = withoutBlanks(env);
  if (given.AUDIT_KEY === undefined && given.TEAM_KEY_PASSPHRASE === undefined) return null;
  const parsed = envSchema
    .pick({ AUDIT_KEY: true, TEAM_KEY_PASSPHRASE: true })
    .partial({ TEAM_KEY_PASSPHRASE: true })
    .safeParse(given);
  if (!parsed.success) throw new ConfigError(problemsOf(parsed.error.issues, given));
  return deriveAuditKey(parsed.data.AUDIT_KEY, parsed.data.TEAM_KEY_PASSPHRASE ?? '');
}

const demoSchema = z.object({
  DEMO_DATABASE_URL: urlWithProtocol(['postgres:', 'postgresql:']).default(
    'postgres://postgres@127.0.0.1:5432/tlp_broker_demo',
  ),
  DEMO_REDIS_URL: urlWithProtocol(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  DEMO_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
});

/** Where the demonstration runs its broker. */
export function loadDemoSettings(env: Readonly<Record<string, string | undefined>> = process.env): {
  databaseUrl: string;
  redisUrl: string;
  port: number;
} {
  const blankAsMissing = withoutBlanks(env);
  const parsed = demoSchema.safeParse(blankAsMissing);
  if (!parsed.success)
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  return {
    databaseUrl: parsed.data.DEMO_DATABASE_URL,
    redisUrl: parsed.data.DEMO_REDIS_URL,
    port: parsed.data.DEMO_PORT,
  };
}
