import { Injectable, Logger } from '@nestjs/common';
import { isOpenDeliveryState } from '@tlp-broker/domain';
import { DecisionRepository, FeedHandoverRepository, ItemRepository } from '@tlp-broker/persistence';
import { DeliveryJobsService } from './delivery-jobs.service';
import { DeliveryPreparationService, SharedMessages } from './delivery-preparation.service';
import { DeliveryRecorderService } from './delivery-recorder.service';
import { Cancellation, DeliveryContext, isCancellation, Outgoing, releasedAt } from './outgoing';
import { Metrics } from '@tlp-broker/observability';

/** What a batch came to: carried here, stopped by the rules, or handed on to be carried one by one. */
export interface FeedBatchOutcome {
  readonly delivered: number;
  readonly cancelled: number;
  readonly handedOn: number;
}

/**
 * Carries out a fan-out's deliveries to pull feeds in batches: for one item version, the
 * recipients, decisions and sealed payload are read once, each delivery is checked against the
 * rules again and addressed to its recipient's key, and the batch is finished in one transaction
 * (DeliveryRecorderService.finishFeedBatch). Anything out of the ordinary — a channel that is not
 * a feed, a recall, a delivery that fails to build, an item retracted or superseded meanwhile — is
 * handed on to the delivery queue as its own job, where the single path deals with it.
 */
@Injectable()
export class FeedBatchService {
  private readonly logger = new Logger(FeedBatchService.name);

  constructor(
    private readonly handovers: FeedHandoverRepository,
    private readonly items: ItemRepository,
    private readonly decisions: DecisionRepository,
    private readonly preparation: DeliveryPreparationService,
    private readonly recorder: DeliveryRecorderService,
    private readonly jobs: DeliveryJobsService,
    private readonly metrics: Metrics,
  ) {}

  async deliver(deliveryIds: readonly string[]): Promise<FeedBatchOutcome> {
    const open = (await this.handovers.findByIds(deliveryIds)).filter((row) => isOpenDeliveryState(row.state));
    if (open.length === 0) return { delivered: 0, cancelled: 0, handedOn: 0 };
    const versionId = open[0].itemVersionId;
    const version = await this.items.findVersion(versionId);
    const item = version ? await this.items.findById(version.itemId) : null;
    if (!version || !item) throw new Error(`item version ${versionId} of a delivery batch not found`);
    const batchable = open.filter((row) => row.kind === 'item' && row.itemVersionId === versionId);
    const { contexts, shared } = await this.preparation.contextsFor(batchable, item, version);
    const built = await this.build(
      contexts.filter((context) => context.target.channel.kind === 'feed'),
      shared,
    );
    const finished = await this.recorder.finishFeedBatch({ item, version, now: new Date(), ...built });
    const closedHere = new Set(finished ? [...built.carried.map((c) => c.deliveryId), ...built.cancelled.keys()] : []);
    finished?.delivered.forEach(() => this.metrics.deliveryFinished('feed', 'delivered', releasedAt(version)));
    finished?.cancelled.forEach(() => this.metrics.deliveryFinished('feed', 'cancelled', null));
    const rest = open.filter((row) => !closedHere.has(row.id));
    if (rest.length > 0) {
      const why = finished ? 'not a plain feed delivery' : 'the item changed while the batch was prepared';
      this.logger.log(`${rest.length} of ${open.length} deliveries carried one by one: ${why}`);
      await this.jobs.enqueue(rest.map((row) => ({ id: row.id, itemKind: item.kind })));
    }
    return {
      delivered: finished?.delivered.length ?? 0,
      cancelled: finished?.cancelled.length ?? 0,
      handedOn: rest.length,
    };
  }

  /** Puts each still-open delivery of a batch on the delivery queue as its own job. */
  async handOn(deliveryIds: readonly string[]): Promise<void> {
    const open = (await this.handovers.findByIds(deliveryIds)).filter((row) => isOpenDeliveryState(row.state));
    if (open.length === 0) return;
    const version = await this.items.findVersion(open[0].itemVersionId);
    const item = version ? await this.items.findById(version.itemId) : null;
    await this.jobs.enqueue(open.map((row) => ({ id: row.id, itemKind: item?.kind ?? 'alert' })));
  }

  /** Each delivery built for its feed, or stopped by the rules; one that fails to build is left to its own job. */
  private async build(contexts: readonly DeliveryContext[], shared: SharedMessages) {
    const carried: { deliveryId: string; out: Outgoing }[] = [];
    const cancelled = new Map<string, Cancellation>();
    if (contexts.length === 0) return { carried, cancelled };
    const decisions = await this.decisions.getMany(contexts.map(({ delivery }) => delivery.decisionId ?? ''));
    // Together: each message is addressed in the key pool's threads.
    const prepared = await Promise.all(
      contexts.map(async (context) => {
        const decision = decisions.get(context.delivery.decisionId ?? '');
        if (!decision) return null;
        return this.preparation.prepareItemWith(context, decision, shared).catch((error: unknown) => {
          this.logger.warn(`delivery ${context.delivery.id} is left to its own job: ${String(error)}`);
          return null;
        });
      }),
    );
    prepared.forEach((out, i) => {
      const deliveryId = contexts[i].delivery.id;
      if (out === null) return;
      if (isCancellation(out)) cancelled.set(deliveryId, out);
      else if (out.message !== null) carried.push({ deliveryId, out });
    });
    return { carried, cancelled };
  }
}
