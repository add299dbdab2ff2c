import { ConflictException, NotFoundException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { Queue } from 'bullmq';
import type { DeliveryOverview, DeliveryRepository } from '@tlp-broker/persistence';
import { deliveryJobId, priorityFor } from '@tlp-broker/queue';
import { fakeAudit, fakeTransactions, staffPrincipal, tx } from '../../../../test/support/mocks';
import { DeliveriesService } from './deliveries.service';

const actor = staffPrincipal();
const ID = '0b7c8a52-6a37-4c2c-9a1e-3f5d2b1c0a99';

const overview = (over: Partial<DeliveryOverview> = {}): DeliveryOverview => ({
  id: ID,
  kind: 'item',
  itemId: 'item-1',
  version: 2,
  itemType: 'alert',
  tlp: 'TLP:AMBER',
  organisationId: 'org-1',
  organisation: 'Europol EC3',
  contact: null,
  channelId: 'channel-1',
  channelKind: 'email',
  state: 'dead',
  attempts: 8,
  lastError: '550 mailbox unavailable',
  reason: null,
  keyFingerprint: 'F1',
  messageId: '<m@broker>',
  queuedAt: new Date('2026-12-01T08:00:00Z'),
  updatedAt: new Date('2026-12-01T09:00:00Z'),
  deliveredAt: null,
  ...over,
});

function service(found: DeliveryOverview | null = overview(), requeued = true) {
  const deliveries = {
    overviews: vi.fn(async () => [overview({ contact: 'Ana Analyst', channelKind: 'feed' })]),
    overview: vi.fn(async () => found),
    requeueDead: vi.fn(async () => requeued),
  };
  const audit = fakeAudit();
  const queue = { remove: vi.fn(async () => 1), add: vi.fn(async () => undefined) };
  return {
    deliveries,
    audit,
    queue,
    service: new DeliveriesService(
      fakeTransactions(),
      deliveries as unknown as DeliveryRepository,
      audit,
      queue as unknown as Queue,
    ),
  };
}

describe('DeliveriesService', () => {
  it('lists deliveries by the filter given, naming a personal channel so', async () => {
    const { service: deliveries, deliveries: repository } = service();
    const [view] = await deliveries.list({ state: 'dead', itemId: 'item-1', kind: 'item' }, 20);
    expect(repository.overviews).toHaveBeenCalledWith({ state: 'dead', itemId: 'item-1', kind: 'item' }, 20);
    expect(view).toMatchObject({ id: ID, contact: 'Ana Analyst', channel: 'personal feed' });
    expect(view).not.toHaveProperty('channelKind');
  });

  it('shows one delivery, and answers 404 for an unknown one', async () => {
    expect((await service().service.get(ID)).channel).toBe('email');
    const error = await service(null)
      .service.get(ID)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotFoundException);
    expect((error as NotFoundException).message).toBe(`delivery ${ID} not found`);
  });

  it('sends a dead delivery again: its old job removed, queued in the database with an audit event, then a new job', async () => {
    const { service: deliveries, deliveries: repository, audit, queue } = service();
    await deliveries.retry(ID, actor);
    expect(queue.remove).toHaveBeenCalledWith(deliveryJobId(ID));
    expect(repository.requeueDead).toHaveBeenCalledWith(ID, tx);
    expect(audit.append).toHaveBeenCalledWith(tx, {
      actor: 'user:u-1',
      action: 'delivery.retried',
      subjectType: 'delivery',
      subjectId: ID,
      details: { previousError: '550 mailbox unavailable', attempts: 8 },
    });
    expect(queue.add).toHaveBeenCalledWith(
      'deliver',
      { deliveryId: ID },
      { jobId: deliveryJobId(ID), priority: priorityFor('alert') },
    );
    expect(queue.remove.mock.invocationCallOrder[0]).toBeLessThan(repository.requeueDead.mock.invocationCallOrder[0]);
    expect(repository.requeueDead.mock.invocationCallOrder[0]).toBeLessThan(queue.add.mock.invocationCallOrder[0]);
  });

  it('retries only a dead delivery: any other state is a 409 that changes nothing', async () => {
    for (const state of ['queued', 'sending', 'delivered', 'cancelled'] as const) {
      const { service: deliveries, deliveries: repository, queue, audit } = service(overview({ state }));
      const error = await deliveries.retry(ID, actor).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConflictException);
      expect((error as ConflictException).message).toBe(
        `delivery ${ID} is ${state}; only a dead delivery can be retried`,
      );
      expect(repository.requeueDead).not.toHaveBeenCalled();
      expect(queue.remove).not.toHaveBeenCalled();
      expect(queue.add).not.toHaveBeenCalled();
      expect(audit.append).not.toHaveBeenCalled();
    }
  });

  it('answers 409 when the delivery stopped being dead meanwhile, queuing no job', async () => {
    const { service: deliveries, queue, audit } = service(overview(), false);
    const error = await deliveries.retry(ID, actor).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictException);
    expect((error as ConflictException).message).toBe(
      `delivery ${ID} changed meanwhile; only a dead delivery can be retried`,
    );
    expect(audit.append).not.toHaveBeenCalled();
    expect(queue.add).not.toHaveBeenCalled();
  });

  it('answers 404 when retrying an unknown delivery', async () => {
    const { service: deliveries, queue } = service(null);
    await expect(deliveries.retry(ID, actor)).rejects.toBeInstanceOf(NotFoundException);
    expect(queue.remove).not.toHaveBeenCalled();
  });
});
