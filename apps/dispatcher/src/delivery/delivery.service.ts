import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { isOpenDeliveryState } from '@tlp-broker/domain';
import { DeliveryRepository } from '@tlp-broker/persistence';
import { DeliveryJobsService } from './delivery-jobs.service';
import { DeliveryPreparationService } from './delivery-preparation.service';
import { describeError, DeliveryRecorderService } from './delivery-recorder.service';
import { DeliverySenderService } from './delivery-sender.service';
import { DeliveryOutcome, isCancellation } from './outgoing';
import { RateLimiter } from './rate-limiter';
import { releasedAt } from './outgoing';
import { Metrics } from '@tlp-broker/observability';

export type { DeliveryOutcome } from './outgoing';

/**
 * Carries out one delivery: an item version (an allow decision) or a recall notice. It is checked
 * again and built (DeliveryPreparationService), marked `sending`, handed to its channel
 * (DeliverySenderService) and recorded (DeliveryRecorderService); recall notices that finishing
 * queued are put on the delivery queue.
 */
/** Channels a delivery is pushed to (rate-limited per channel). */
const PUSHED: ReadonlySet<string> = new Set(['email', 'webhook', 'pager']);

@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);

  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly preparation: DeliveryPreparationService,
    private readonly sender: DeliverySenderService,
    private readonly recorder: DeliveryRecorderService,
    private readonly rateLimiter: RateLimiter,
    private readonly jobs: DeliveryJobsService,
    private readonly metrics: Metrics,
  ) {}

  async deliver(deliveryId: string): Promise<DeliveryOutcome> {
    const delivery = await this.deliveries.findById(deliveryId);
    if (!delivery) throw new UnrecoverableError(`delivery ${deliveryId} not found`);
    if (!isOpenDeliveryState(delivery.state)) return 'already-done';

    const context = await this.preparation.context(delivery);
    const prepared = await this.preparation.prepare(context);
    const channel = context.target.channel;
    if (isCancellation(prepared)) {
      await this.recorder.close(deliveryId, 'cancelled', prepared.cancel, { code: prepared.code });
      this.metrics.deliveryFinished(channel.kind, 'cancelled', null);
      this.logger.warn(`${delivery.kind} delivery ${deliveryId} cancelled at send time: ${prepared.cancel}`);
      return 'cancelled';
    }
    // Pushed channels are rate-limited per channel; over the limit, the job waits (no attempt counted).
    if (PUSHED.has(channel.kind)) await this.rateLimiter.acquire(channel.id);
    if (!(await this.recorder.markSending(deliveryId))) return 'already-done';
    const messageId = await this.sender.send(deliveryId, prepared, context.teamKey);
    const finished = await this.recorder.finish({
      deliveryId,
      kind: delivery.kind,
      out: prepared,
      messageId,
      now: context.now,
    });
    await this.jobs.enqueue(finished.recalls);
    if (finished.outcome !== 'already-done') {
      const state = finished.outcome === 'delivered' && channel.kind === 'email' ? 'sent' : finished.outcome;
      this.metrics.deliveryFinished(channel.kind, state, delivery.kind === 'item' ? releasedAt(context.version) : null);
    }
    return finished.outcome;
  }

  /** A failed attempt that will be retried. */
  recordFailure(deliveryId: string, error: unknown): Promise<void> {
    return this.recorder.recordFailure(deliveryId, error);
  }

  /** No attempt is left, or no retry can help: the delivery is dead and visible as such. */
  async markDead(deliveryId: string, error: unknown): Promise<void> {
    await this.recorder.close(deliveryId, 'dead', describeError(error), {});
    const overview = await this.deliveries.overview(deliveryId);
    if (overview) this.metrics.deliveryFinished(overview.channelKind, 'dead', null);
    this.logger.error(`delivery ${deliveryId} is dead: ${describeError(error)}`);
  }
}
