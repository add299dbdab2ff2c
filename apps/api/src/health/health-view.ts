/** One part the API needs, as a health check found it. */
export interface HealthPartView {
  status: 'up' | 'down';
  /** Why the part did not answer. */
  message?: string;
}

/**
 * A health check's answer: `ok`, or `error` with the parts that did not answer under `error`
 * (`info`: those that did; `details`: all of them). GET /health/live says `ok` alone.
 */
export interface HealthView {
  status: 'ok' | 'error';
  info?: Record<string, HealthPartView>;
  error?: Record<string, HealthPartView>;
  details?: Record<string, HealthPartView>;
}
