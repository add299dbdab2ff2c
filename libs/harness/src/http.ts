/** What the broker answered: status, JSON (or text) body, headers. */
export interface HttpResult<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface RequestOptions {
  /** A bearer API key. */
  readonly key?: string;
  /** Sent as application/json. */
  readonly json?: unknown;
  /** Sent as is (Content-Type application/json unless `headers` says otherwise). */
  readonly raw?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One request to the broker's HTTP API; never throws on an HTTP status. */
export async function request<T = unknown>(
  base: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.raw !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = options.raw;
  }
  const response = await fetch(`${base}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text.length > 0) parsed = JSON.parse(text);
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/** A request that must succeed: any status but 2xx throws, with the broker's answer. */
export async function call<T = unknown>(
  base: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const result = await request<T>(base, method, path, options);
  if (result.status < 200 || result.status > 299) {
    throw new Error(
      `${method} ${path}: ${result.status} ${typeof result.body === 'string' ? result.body : JSON.stringify(result.body)}`,
    );
  }
  return result.body;
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Polls until `check` returns a value, or throws after `timeoutMs` (with `what` and the last error). */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
  intervalMs = 50,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await sleep(intervalMs);
  }
  throw new Error(`${what} not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}
