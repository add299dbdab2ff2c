import { createTransport } from 'nodemailer';
import { within } from './deadline';

/** One part a process needs to do its work (PostgreSQL, Redis, the mail relay), and how to tell it answers. */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when the part answers; rejects (its message says why) when it does not. */
  check(): Promise<void>;
}

export type PartHealth = { readonly status: 'up' } | { readonly status: 'down'; readonly message: string };

/**
 * Whether every part answered, in the shape GET /health has always had: `info` the parts that
 * answered, `error` those that did not, `details` all of them.
 */
export interface ReadinessReport {
  readonly status: 'ok' | 'error';
  readonly info: Readonly<Record<string, PartHealth>>;
  readonly error: Readonly<Record<string, PartHealth>>;
  readonly details: Readonly<Record<string, PartHealth>>;
}

/** How long each part has to answer. */
export const READINESS_TIMEOUT_MS = 2_000;

/** Asks every part at once, each within `timeoutMs`. */
export async function checkReadiness(
  checks: readonly ReadinessCheck[],
  timeoutMs = READINESS_TIMEOUT_MS,
): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async ({ name, check }): Promise<[string, PartHealth]> => {
      try {
        await within(check(), timeoutMs, `${name} did not answer within ${timeoutMs} ms`);
        return [name, { status: 'up' }];
      } catch (error) {
        return [name, { status: 'down', message: error instanceof Error ? error.message : String(error) }];
      }
    }),
  );
  const details = Object.fromEntries(results);
  const up = results.filter(([, health]) => health.status === 'up');
  const down = results.filter(([, health]) => health.status === 'down');
  return {
    status: down.length === 0 ? 'ok' : 'error',
    info: Object.fromEntries(up),
    error: Object.fromEntries(down),
    details,
  };
}

/** PostgreSQL answers a query. */
export function postgresCheck(database: { ping(): Promise<unknown> }): ReadinessCheck {
  return { name: 'postgres', check: async () => void (await database.ping()) };
}

/** Redis answers PING. */
export function redisCheck(redis: { ping(): Promise<unknown> }): ReadinessCheck {
  return { name: 'redis', check: async () => void (await redis.ping()) };
}

/** The mail relay, as the broker reaches it (SMTP_URL). */
export interface SmtpRelay {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly requireTls: boolean;
  readonly auth?: { readonly user: string; readonly pass: string };
}

/**
 * The mail relay accepts a connection, greets, answers EHLO, and (as sending does) STARTTLS and
 * the credentials when it is given them: nodemailer's verify(), on a connection of its own, each
 * step within `timeoutMs`. No message is sent.
 */
export function smtpCheck(relay: SmtpRelay, timeoutMs = READINESS_TIMEOUT_MS): ReadinessCheck {
  return {
    name: 'smtp',
    check: async () => {
      const transport = createTransport({
        host: relay.host,
        port: relay.port,
        secure: relay.secure,
        requireTLS: relay.requireTls,
        auth: relay.auth ? { user: relay.auth.user, pass: relay.auth.pass } : undefined,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        dnsTimeout: timeoutMs,
        socketTimeout: timeoutMs,
        tls: { minVersion: 'TLSv1.2' },
        logger: false,
      });
      try {
        await transport.verify();
      } finally {
        transport.close();
      }
    },
  };
}
