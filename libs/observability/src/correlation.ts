import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * The correlation id of the work in progress: one per HTTP request, carried with what the request
 * published (the outbox row, then its jobs), so that every log line about one piece of work can be
 * found together, whichever process wrote it.
 */
const storage = new AsyncLocalStorage<string>();

/** What an incoming `X-Request-Id` may be to be taken as it is: a plain token, never log or header injection. */
export const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Runs `fn` with `id` as the correlation id of everything it does, awaited or not (a new one when
 * `id` is missing: work that nobody asked for by request still gets one). Returns what `fn` returns.
 */
export function runWithCorrelation<T>(id: string | null | undefined, fn: () => T): T {
  return storage.run(id || newCorrelationId(), fn);
}

/** The correlation id of the work in progress, or undefined outside any. */
export function currentCorrelationId(): string | undefined {
  return storage.getStore();
}

/** A fresh correlation id: a random UUID (version 4). */
export function newCorrelationId(): string {
  return randomUUID();
}

/**
 * The correlation id for an incoming request: the caller's `X-Request-Id` when it is a safe token
 * (8 to 128 letters, digits, `.`, `_`, `:` or `-`), so a proxy's or a client's id runs through;
 * otherwise (missing, repeated, or anything else) a new one.
 */
export function acceptCorrelationId(header: string | readonly string[] | null | undefined): string {
  return typeof header === 'string' && SAFE_CORRELATION_ID.test(header) ? header : newCorrelationId();
}
