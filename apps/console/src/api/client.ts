import createClient, { Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

/** The broker's view types, as the OpenAPI document describes them. */
export type Schemas = components['schemas'];

/** A field the API named in its answer, with its words. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** An answer other than 2xx, with the API's message and the fields it named. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: FieldProblem[] = [],
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }

  /** The API's words about `field` (and the fields inside it), if any. */
  forField(field: string): string | null {
    const found = this.details.filter(
      (d) => d.field === field || d.field.startsWith(`${field}.`) || d.field.startsWith(`${field}[`),
    );
    return found.length ? found.map((d) => d.message).join('; ') : null;
  }
}

let csrfToken: string | null = null;
let onSignedOut: (() => void) | null = null;

/** The session's CSRF token, sent with every request that changes something. */
export function useCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the API answers 401: the session ended (time-out, sign-out elsewhere). */
export function whenSignedOut(callback: (() => void) | null): void {
  onSignedOut = callback;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const session: Middleware = {
  onRequest({ request }) {
    if (UNSAFE.has(request.method) && csrfToken) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
  onResponse({ response, request }) {
    if (response.status === 401 && !new URL(request.url).pathname.startsWith('/auth/')) onSignedOut?.();
    return response;
  },
};

/** The client generated from the broker's OpenAPI document: the console's only way to the API. */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(session);

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The answer's data, or an ApiError with the API's message and fields. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { message?: unknown; details?: unknown; retryAfter?: unknown };
  const message = Array.isArray(body.message) ? body.message.join('; ') : String(body.message ?? response.statusText);
  const details = Array.isArray(body.details) ? (body.details as FieldProblem[]) : [];
  const retryAfter = typeof body.retryAfter === 'number' ? body.retryAfter : null;
  throw new ApiError(response.status, message, details, retryAfter);
}
