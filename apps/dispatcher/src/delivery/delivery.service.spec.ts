import { UnrecoverableError } from 'bullmq';
import { Metrics } from '@tlp-broker/observability';
import { describe, expect, it, vi } from 'vitest';
import type { ChannelKind, DeliveryState } from '@tlp-broker/domain';
import type { DeliveryRepository } from '@tlp-broker/persistence';
import { aDelivery, aTarget, anItem, aVersion } from '../dispatch.test-fixtures';
import { DeliveryJobsService } from './delivery-jobs.service';
import { DeliveryPreparationService } from './delivery-preparation.service';
import { DeliveryRecorderService } from './delivery-recorder.service';
import { DeliverySenderService } from './delivery-sender.service';
import { DeliveryService } from './delivery.service';
import { Cancellation, DeliveryContext, Outgoing } from './outgoing';
import { RateLimited, RateLimiter } from './rate-limiter';

const TEAM_KEY = { armored: 'team key' } as unknown as DeliveryContext['teamKey'];

function setup(
  options: {
    state?: DeliveryState;
    kind?: ChannelKind;
    prepared?: Cancellation;
    stillOpen?: boolean;
    recalls?: { id: string; itemKind: 'alert' }[];
  } = {},
) {
  const calls: string[] = [];
  const target = aTarget({ kind: options.kind ?? 'feed' });
  const context: DeliveryContext = {
    delivery: aDelivery({ state: options.state }),
    target,
    item: anItem(),
    version: aVersion(),
    reading: undefined,
    teamKey: TEAM_KEY,
    publisher: { name: 'Test CSIRT', fingerprint: 'TEAMFP' },
    now: new Date('2030-06-01T00:00:00Z'),
  };
  const out = { target, item: context.item, version: context.version, entry: 'item' } as Outgoing;
  const deliveries = {
    findById: vi.fn(async () => aDelivery({ state: options.state })),
    overview: vi.fn(async () => ({ channelKind: 'webhook' })),
  };
  const preparation = {
    context: vi.fn(async () => context),
    prepare: vi.fn(async () => options.prepared ?? out),
  };
  const sender = {
    send: vi.fn(async () => {
      calls.push('send');
      return '<m@broker>';
    }),
  };
  const recorder = {
    close: vi.fn(async () => undefined),
    markSending: vi.fn(async () => {
      calls.push('sending');
      return options.stillOpen ?? true;
    }),
    finish: vi.fn(async () => {
      calls.push('finish');
      return { outcome: 'delivered' as const, recalls: options.recalls ?? [] };
    }),
    recordFailure: vi.fn(async () => undefined),
  };
  const rateLimiter = { acquire: vi.fn(async () => calls.push('rate')) };
  const jobs = { enqueue: vi.fn(async () => undefined) };
  const metrics = new Metrics({ processMetrics: false });
  const service = new DeliveryService(
    deliveries as unknown as DeliveryRepository,
    preparation as unknown as DeliveryPreparationService,
    sender as unknown as DeliverySenderService,
    recorder as unknown as DeliveryRecorderService,
    rateLimiter as unknown as RateLimiter,
    jobs as unknown as DeliveryJobsService,
    metrics,
  );
  return { service, deliveries, preparation, sender, recorder, rateLimiter, jobs, calls, out, context, metrics };
}

describe('DeliveryService.deliver', () => {
  it('marks the delivery sending before handing it to its channel, then records it and its time', async () => {
    const { service, calls, sender, recorder, out, context } = setup({ kind: 'email' });
    expect(await service.deliver('delivery-1')).toBe('delivered');
    expect(calls).toEqual(['rate', 'sending', 'send', 'finish']);
    expect(sender.send).toHaveBeenCalledWith('delivery-1', out, TEAM_KEY);
    expect(recorder.finish).toHaveBeenCalledWith({
      deliveryId: 'delivery-1',
      kind: 'item',
      out,
      messageId: '<m@broker>',
      now: context.now,
    });
  });

  it('cancels at send time what the rules stop now (suspended, retracted, superseded, key unusable), sending nothing', async () => {
    const cancel = { cancel: 'CERT-EU is suspended.', code: 'partner.suspended' };
    const { service, recorder, sender, rateLimiter } = setup({ prepared: cancel });
    expect(await service.deliver('delivery-1')).toBe('cancelled');
    expect(recorder.close).toHaveBeenCalledWith('delivery-1', 'cancelled', 'CERT-EU is suspended.', {
      code: 'partner.suspended',
    });
    expect(recorder.markSending).not.toHaveBeenCalled();
    expect(rateLimiter.acquire).not.toHaveBeenCalled();
    expect(sender.send).not.toHaveBeenCalled();
  });

  it('sends nothing when another worker took the delivery between reading and marking it', async () => {
    const { service, sender, recorder } = setup({ stillOpen: false });
    expect(await service.deliver('delivery-1')).toBe('already-done');
    expect(sender.send).not.toHaveBeenCalled();
    expect(recorder.finish).not.toHaveBeenCalled();
  });

  it('does nothing for a delivery already closed, and gives up on one that does not exist', async () => {
    for (const state of ['delivered', 'sent', 'cancelled', 'dead', 'recalled'] as const) {
      const { service, preparation } = setup({ state });
      expect(await service.deliver('delivery-1')).toBe('already-done');
      expect(preparation.context).not.toHaveBeenCalled();
    }
    const { service, deliveries } = setup();
    deliveries.findById.mockResolvedValueOnce(null as never);
    await expect(service.deliver('missing')).rejects.toBeInstanceOf(UnrecoverableError);
  });

  it('rate-limits pushed channels only: over the limit the job waits, nothing is marked or sent', async () => {
    const feed = setup({ kind: 'feed' });
    await feed.service.deliver('delivery-1');
    expect(feed.rateLimiter.acquire).not.toHaveBeenCalled();

    const webhook = setup({ kind: 'webhook' });
    webhook.rateLimiter.acquire.mockRejectedValueOnce(new RateLimited(500));
    await expect(webhook.service.deliver('delivery-1')).rejects.toBeInstanceOf(RateLimited);
    expect(webhook.rateLimiter.acquire).toHaveBeenCalledWith('channel-webhook');
    expect(webhook.recorder.markSending).not.toHaveBeenCalled();
    expect(webhook.sender.send).not.toHaveBeenCalled();
  });

  it('puts the recall notices that finishing queued on the delivery queue', async () => {
    const recalls = [{ id: 'recall-1', itemKind: 'alert' as const }];
    const { service, jobs } = setup({ recalls });
    await service.deliver('delivery-1');
    expect(jobs.enqueue).toHaveBeenCalledWith(recalls);
  });

  it('leaves a delivery sending when its channel fails (the recorder is not asked to finish it)', async () => {
    const { service, sender, recorder } = setup({ kind: 'email' });
    sender.send.mockRejectedValueOnce(new Error('connection reset'));
    await expect(service.deliver('delivery-1')).rejects.toThrow('connection reset');
    expect(recorder.finish).not.toHaveBeenCalled();
  });
});

describe('DeliveryService: failures', () => {
  it('records a failed attempt', async () => {
    const { service, recorder } = setup();
    const error = new Error('timeout');
    await service.recordFailure('delivery-1', error);
    expect(recorder.recordFailure).toHaveBeenCalledWith('delivery-1', error);
  });

  it('marks a delivery dead with the error message', async () => {
    const { service, recorder, metrics } = setup();
    await service.markDead('delivery-1', new Error('no attempts left'));
    expect(recorder.close).toHaveBeenCalledWith('delivery-1', 'dead', 'no attempts left', {});
    expect(await metrics.render()).toContain('tlpb_deliveries_total{state="dead",channel_kind="webhook"} 1');
  });
});
