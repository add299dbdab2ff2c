import { KitError } from './settings';

/** One entry of the partner's JSON feed (`GET /feed`), as the broker serves it. */
export interface FeedEntry {
  readonly id: string;
  readonly entry: 'item' | 'recall';
  readonly itemId: string;
  readonly version: number;
  readonly type: string;
  readonly tlp: string;
  readonly pap: string | null;
  readonly keyFingerprint: string | null;
  readonly publishedAt: string;
  /** When the entry was added to the feed, with microseconds: the kit's cursor. */
  readonly deliveredAt: string;
  /** Armored OpenPGP message, signed by the team (and encrypted to the channel's key). */
  readonly message: string;
}

interface FeedPage {
  readonly entries: FeedEntry[];
  readonly next: string | null;
}

export interface TeamKey {
  readonly fingerprint: string;
  readonly armored: string;
  readonly active: boolean;
  readonly createdAt: string;
}

/** The broker's answer to a refused request, in one line. */
export class BrokerError extends KitError {
  constructor(
    readonly status: number,
    what: string,
    detail: string,
  ) {
    super(`${what}: the broker answered ${status}${detail ? ` (${detail})` : ''}`);
  }
}

const TIMEOUT_MS = 30_000;
/** The broker's rate limit (PARTNER_RATE_LIMIT per key) is waited out, twice at most, a minute at most each time. */
const MAX_RATE_WAITS = 2;
const MAX_RATE_WAIT_S = 60;

/** The broker's HTTP API, as a partner's channel key opens it. */
export class BrokerClient {
  constructor(
    private readonly base: string,
    private readonly apiKey: string,
  ) {}

  /**
   * Every entry added to the feed after `since` (every entry when null), oldest first. The feed
   * serves pages newest first; they are all read before any is applied, so that the cursor only
   * ever moves forward over entries applied in order.
   */
  async entriesSince(since: string | null): Promise<FeedEntry[]> {
    const entries: FeedEntry[] = [];
    let before: string | null = null;
    do {
      const query = new URLSearchParams({ limit: '500' });
      if (since) query.set('since', since);
      if (before) query.set('before', before);
      const page: FeedPage = await this.json(`/feed?${query}`, 'reading the feed');
      entries.push(...page.entries);
      before = page.next;
    } while (before);
    return entries.reverse();
  }

  /** The newest entry of the feed (null when it is empty): the API key opens it, or this throws. */
  async newestEntry(): Promise<FeedEntry | null> {
    const page: FeedPage = await this.json('/feed?limit=1', 'reading the feed');
    return page.entries[0] ?? null;
  }

  /** One entry by its delivery id; null when it has left the feed (retracted or withdrawn since). */
  async entry(deliveryId: string): Promise<FeedEntry | null> {
    try {
      return await this.json<FeedEntry>(`/feed/${encodeURIComponent(deliveryId)}`, `reading delivery ${deliveryId}`);
    } catch (error) {
      if (error instanceof BrokerError && error.status === 404) return null;
      throw error;
    }
  }

  acknowledge(deliveryId: string): Promise<Record<string, unknown>> {
    return this.json(`/feed/${encodeURIComponent(deliveryId)}/ack`, `acknowledging delivery ${deliveryId}`, {
      method: 'POST',
    });
  }

  submit(message: string): Promise<Record<string, unknown>> {
    return this.json('/submissions', 'sending the submission', {
      method: 'POST',
      body: JSON.stringify({ message }),
    });
  }

  /** The kit the broker hands out; null when it says nothing (an older broker, or not built there). */
  kitRelease(): Promise<{ version: string; url: string } | null> {
    return this.json<{ version: string; url: string }>('/partner-kit', 'reading the partner kit', {}, false).catch(
      () => null,
    );
  }

  teamKeys(): Promise<TeamKey[]> {
    return this.json('/team/keys', 'reading the team keys', {}, false);
  }

  text(path: string, what: string): Promise<string> {
    return this.request(path, what, {}, false).then((response) => response.text());
  }

  private async json<T>(path: string, what: string, init: RequestInit = {}, authenticated = true): Promise<T> {
    const response = await this.request(path, what, init, authenticated);
    return (await response.json()) as T;
  }

  /** A request, waited out and sent again (at most twice) while the broker says too many came from this key. */
  private async request(path: string, what: string, init: RequestInit, authenticated: boolean): Promise<Response> {
    for (let attempt = 1; ; attempt += 1) {
      const response = await this.send(path, what, init, authenticated);
      if (response.status !== 429 || attempt > MAX_RATE_WAITS) {
        if (!response.ok) throw new BrokerError(response.status, what, await problemOf(response));
        return response;
      }
      await response.body?.cancel();
      const seconds = Math.min(Number(response.headers.get('retry-after')) || 1, MAX_RATE_WAIT_S);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    }
  }

  private async send(path: string, what: string, init: RequestInit, authenticated: boolean): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (authenticated) headers.Authorization = `Bearer ${this.apiKey}`;
    if (init.body) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(new URL(path.replace(/^\//, ''), `${this.base.replace(/\/+$/, '')}/`), {
        ...init,
        headers,
        redirect: 'error',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new KitError(`${what}: cannot reach ${this.base} (${causeOf(error)})`);
    }
    return response;
  }
}

function causeOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : null;
  return cause ?? (error instanceof Error ? error.message : String(error));
}

/** The broker's error message (`message`, or TAXII's `description`), never more than a line. */
async function problemOf(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { message?: unknown; reason?: unknown };
    const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
    return [typeof message === 'string' ? message : '', typeof body.reason === 'string' ? `reason ${body.reason}` : '']
      .filter(Boolean)
      .join(', ')
      .slice(0, 300);
  } catch {
    return text.replace(/\s+/g, ' ').slice(0, 200);
  }
}
