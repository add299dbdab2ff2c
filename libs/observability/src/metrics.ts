import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { HANDED_OVER_DELIVERY_STATES } from '@tlp-broker/domain';
import { within } from './deadline';
import { QUEUE_STATES, QueueReading, readQueue, WatchedQueue } from './queue-reading';

export interface MetricsOptions {
  /** The process's own figures (CPU, memory, event loop, handles) as `tlpb_process_*`, `tlpb_nodejs_*`. Default true. */
  readonly processMetrics?: boolean;
  /** The clock deliveries are timed against (ms since the epoch). */
  readonly now?: () => number;
  /** Told when the queues could not be read for a scrape (their gauges are then left out of it). */
  readonly onQueueReadingError?: (error: unknown) => void;
  /** How long the queues may take to answer a scrape. Default 5 s. */
  readonly queueReadingTimeoutMs?: number;
}

/** Reaching the partner: from the item's publication to its delivery (or to the mail relay taking it). */
const DELIVERY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];
const ENCRYPTION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const SEND_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const HANDED_OVER: ReadonlySet<string> = new Set(HANDED_OVER_DELIVERY_STATES);

/**
 * The broker's Prometheus metrics, in a registry of their own (one per process): what the
 * dispatcher did (decisions, deliveries, encryption and sending times), what the API answered,
 * and the queues as they are at each scrape. Labels only ever take values from a fixed vocabulary
 * (states, channel kinds, rule codes, route patterns), never ids.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly queues = new Map<string, WatchedQueue>();
  private reading: Promise<QueueReading[]> | null = null;
  private readonly now: () => number;

  private readonly queueJobs = new Gauge({
    name: 'tlpb_queue_jobs',
    help: 'Jobs in each queue by state, read at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
    collect: () => this.collectQueueJobs(),
  });
  private readonly oldestJobAge = new Gauge({
    name: 'tlpb_queue_oldest_job_age_seconds',
    help: 'Age of the oldest job waiting for a worker in each queue (0 when none waits), read at scrape time',
    labelNames: ['queue'] as const,
    registers: [this.registry],
    collect: () => this.collectOldestJobAge(),
  });
  private readonly deliveries = new Counter({
    name: 'tlpb_deliveries_total',
    help: 'Delivery attempts by the state they left the delivery in, and channel kind',
    labelNames: ['state', 'channel_kind'] as const,
    registers: [this.registry],
  });
  private readonly publishToDelivered = new Histogram({
    name: 'tlpb_publish_to_delivered_seconds',
    help: "Time from an item version's publication to its delivery (or its acceptance by the mail relay)",
    labelNames: ['channel_kind'] as const,
    buckets: DELIVERY_BUCKETS,
    registers: [this.registry],
  });
  private readonly decisions = new Counter({
    name: 'tlpb_decisions_total',
    help: 'Routing decisions stored, by the rule that decided',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });
  private readonly encryption = new Histogram({
    name: 'tlpb_encryption_seconds',
    help: 'Time to sign and encrypt an item version once (per form)',
    buckets: ENCRYPTION_BUCKETS,
    registers: [this.registry],
  });
  private readonly sending = new Histogram({
    name: 'tlpb_send_seconds',
    help: 'Time to hand one delivery to its channel (mail relay, webhook), failures included',
    labelNames: ['channel_kind'] as const,
    buckets: SEND_BUCKETS,
    registers: [this.registry],
  });
  private readonly httpRequests = new Histogram({
    name: 'tlpb_http_request_duration_seconds',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });

  constructor(private readonly options: MetricsOptions = {}) {
    this.now = options.now ?? Date.now;
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'tlpb_' });
  }

  /** The media type of `render()`: Prometheus's text exposition format. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric, in Prometheus's text exposition format (reads the watched queues). */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Reports these queues' depths and oldest waiting job at each scrape (`tlpb_queue_*`); the same queue twice counts once. */
  watchQueues(queues: readonly WatchedQueue[]): void {
    for (const queue of queues) this.queues.set(queue.name, queue);
  }

  /**
   * A delivery attempt ended in `state` (`delivered`, `sent`, `failed`, `dead`, `cancelled`…).
   * When it reached the recipient (`delivered`, `sent`) and the version's publication time is
   * known, the time from publication to now is observed too.
   */
  deliveryFinished(channelKind: string, state: string, publishedAt: Date | null): void {
    this.deliveries.inc({ state, channel_kind: channelKind });
    if (publishedAt === null || !HANDED_OVER.has(state)) return;
    const seconds = Math.max(0, (this.now() - publishedAt.getTime()) / 1000);
    this.publishToDelivered.observe({ channel_kind: channelKind }, seconds);
  }

  /** Decisions were stored: one rule code per decision (the rule that allowed or denied it). */
  decisionsMade(ruleCodes: readonly string[]): void {
    const counts = new Map<string, number>();
    for (const rule of ruleCodes) counts.set(rule, (counts.get(rule) ?? 0) + 1);
    for (const [rule, count] of counts) this.decisions.inc({ rule }, count);
  }

  observeEncryption(seconds: number): void {
    this.encryption.observe(seconds);
  }

  /** Runs `work` (signing and encrypting) and observes how long it took, whether it succeeded or not. */
  timeEncryption<T>(work: () => Promise<T>): Promise<T> {
    return timed(work, (seconds) => this.observeEncryption(seconds));
  }

  observeSend(channelKind: string, seconds: number): void {
    this.sending.observe({ channel_kind: channelKind }, seconds);
  }

  /** Runs `work` (handing a delivery to its channel) and observes how long it took, whether it succeeded or not. */
  timeSend<T>(channelKind: string, work: () => Promise<T>): Promise<T> {
    return timed(work, (seconds) => this.observeSend(channelKind, seconds));
  }

  /** `route`: the route's pattern (`/items/:id`), never the path asked for; `unmatched` when no route took it. */
  observeHttpRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.observe({ method, route, status: String(status) }, seconds);
  }

  private async collectQueueJobs(): Promise<void> {
    const readings = await this.readQueues();
    this.queueJobs.reset();
    for (const reading of readings)
      for (const state of QUEUE_STATES) this.queueJobs.set({ queue: reading.queue, state }, reading.counts[state]);
  }

  private async collectOldestJobAge(): Promise<void> {
    const readings = await this.readQueues();
    const now = this.now();
    this.oldestJobAge.reset();
    for (const { queue, oldestWaitingSince } of readings) {
      const age = oldestWaitingSince === null ? 0 : Math.max(0, (now - oldestWaitingSince) / 1000);
      this.oldestJobAge.set({ queue }, age);
    }
  }

  /** One reading of every queue per scrape, shared by the gauges that scrape collects at once. */
  private readQueues(): Promise<QueueReading[]> {
    const timeoutMs = this.options.queueReadingTimeoutMs ?? 5_000;
    this.reading ??= within(
      Promise.all([...this.queues.values()].map(readQueue)),
      timeoutMs,
      `the queues did not answer within ${timeoutMs} ms`,
    )
      .catch((error: unknown) => {
        this.options.onQueueReadingError?.(error);
        return [];
      })
      .finally(() => {
        this.reading = null;
      });
    return this.reading;
  }
}

async function timed<T>(work: () => Promise<T>, observe: (seconds: number) => void): Promise<T> {
  const start = process.hrtime.bigint();
  try {
    return await work();
  } finally {
    observe(Number(process.hrtime.bigint() - start) / 1e9);
  }
}
