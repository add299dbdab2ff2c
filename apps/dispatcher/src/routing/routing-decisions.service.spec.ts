import { describe, expect, it, vi } from 'vitest';
import type { EntityManager } from 'typeorm';
import type {
  AcknowledgementRepository,
  Availabilities,
  DecisionRepository,
  DeliveryRepository,
  PartnerDirectory,
  TargetDecision,
} from '@tlp-broker/persistence';
import { DEFAULT_URGENCY } from '@tlp-broker/domain';
import type { AppConfig } from '@tlp-broker/config';
import { tx } from '../../../../test/support/mocks';
import { aTarget, anItem, aVersion, ORGANISATION_ID } from '../dispatch.test-fixtures';
import { decisionsDigest, RoutingDecisionsService } from './routing-decisions.service';

const NOW = new Date('2030-06-01T00:00:00Z');

function setup() {
  const suspended = aTarget({ id: 'c-suspended', suspended: 'channel' });
  const targets = [aTarget({ id: 'c-feed' }), aTarget({ id: 'c-mail', kind: 'email', key: false }), suspended];
  const directory = { allTargets: vi.fn(async () => targets) };
  const decisions = {
    insertAll: vi.fn(
      async () => new Map(targets.map((target) => [target.channel.id, `decision-${target.channel.id}`])),
    ),
  };
  const deliveries = { queueItemDeliveries: vi.fn(async (): Promise<string[]> => []) };
  const service = new RoutingDecisionsService(
    { team: { communities: [] }, urgency: DEFAULT_URGENCY } as unknown as AppConfig,
    directory as unknown as PartnerDirectory,
    decisions as unknown as DecisionRepository,
    deliveries as unknown as DeliveryRepository,
    { dutyFor: vi.fn(async () => new Map()) } as unknown as Availabilities,
    { request: vi.fn(async () => 0) } as unknown as AcknowledgementRepository,
  );
  return { service, directory, decisions, deliveries };
}

describe('RoutingDecisionsService', () => {
  it('asks the engine about every channel in the routing transaction, naming the key an allowed delivery uses', async () => {
    const { service, directory } = setup();
    const decided = await service.decide(anItem(), aVersion({ tlp: 'TLP:CLEAR' }), NOW, tx);
    expect(directory.allTargets).toHaveBeenCalledWith(tx);
    expect(
      decided.map(({ target, decision, keyFingerprint }) => [target.channel.id, decision.allow, keyFingerprint]),
    ).toEqual([
      ['c-feed', true, 'RECIPIENTFP'],
      // TLP:CLEAR reaches a recipient without a key, signed only.
      ['c-mail', true, null],
      ['c-suspended', false, null],
    ]);
  });

  it('stores every decision, and queues a delivery for each allowed one with its decision id', async () => {
    const { service, decisions, deliveries } = setup();
    const version = aVersion({ tlp: 'TLP:CLEAR' });
    const decided = await service.decide(anItem(), version, NOW, tx);
    const ids = await service.store(version, decided, NOW, tx);
    expect(ids.get('c-feed')).toBe('decision-c-feed');
    const [rows, used] = decisions.insertAll.mock.calls[0] as unknown as [Record<string, unknown>[], EntityManager];
    expect(used).toBe(tx);
    expect(rows).toHaveLength(3);
    expect(rows[2]).toMatchObject({
      itemVersionId: 'version-1',
      organisationId: ORGANISATION_ID,
      contactId: null,
      channelId: 'c-suspended',
      allow: false,
      code: 'channel.suspended',
      keyFingerprint: null,
      decidedAt: NOW,
    });
    expect(deliveries.queueItemDeliveries).toHaveBeenCalledWith(
      [
        {
          decisionId: 'decision-c-feed',
          itemVersionId: 'version-1',
          channelId: 'c-feed',
          organisationId: ORGANISATION_ID,
          contactId: null,
          keyFingerprint: 'RECIPIENTFP',
          updatedAt: NOW,
        },
        expect.objectContaining({ decisionId: 'decision-c-mail', channelId: 'c-mail', keyFingerprint: null }),
      ],
      tx,
      'item',
    );
    expect(rows.every((row) => row.purpose === 'routing')).toBe(true);
  });

  it('stores an escalation’s decisions as such, and queues reminders for those allowed', async () => {
    const { service, decisions, deliveries } = setup();
    const decided = await service.decide(anItem(), aVersion({ tlp: 'TLP:CLEAR' }), NOW, tx);
    deliveries.queueItemDeliveries.mockResolvedValueOnce(['reminder-1', 'reminder-2']);
    expect(await service.storeReminders('version-1', decided, NOW, tx)).toEqual(['reminder-1', 'reminder-2']);
    const [rows] = decisions.insertAll.mock.calls[0] as unknown as [Record<string, unknown>[]];
    expect(rows.map((row) => row.purpose)).toEqual(['escalation', 'escalation', 'escalation']);
    expect(deliveries.queueItemDeliveries).toHaveBeenCalledWith(expect.any(Array), tx, 'reminder');
  });

  it('digests the decisions by channel, whatever order they were made in', () => {
    const decided: TargetDecision[] = ['c-2', 'c-1'].map((id) => ({
      target: aTarget({ id }),
      decision: { allow: true, code: 'tlp.clear.allowed', reason: `allowed ${id}`, handling: null },
      keyFingerprint: null,
    }));
    expect(decisionsDigest(decided)).toBe(decisionsDigest([...decided].reverse()));
    expect(decisionsDigest(decided)).not.toBe(
      decisionsDigest([{ ...decided[0], decision: { ...decided[0].decision, reason: 'changed' } }, decided[1]]),
    );
  });
});
