import { describe, expect, it, vi } from 'vitest';
import type { DeliveryRepository, FeedEntryRepository, TargetDecision } from '@tlp-broker/persistence';
import { tx } from '../../../../test/support/mocks';
import { aTarget, anItem, aVersion } from '../dispatch.test-fixtures';
import { SupersessionService } from './supersession.service';

const TARGETS = [{ channelId: 'c-denied', organisationId: 'org-1', contactId: null, version: 1 }];

function setup() {
  const deliveries = {
    cancelPending: vi.fn(async () => ['d-1', 'd-2']),
    channelsToRecall: vi.fn(async () => TARGETS),
    queueRecalls: vi.fn(async () => ['recall-1']),
  };
  const feedEntries = { removeItem: vi.fn(async () => 1) };
  const service = new SupersessionService(
    deliveries as unknown as DeliveryRepository,
    feedEntries as unknown as FeedEntryRepository,
  );
  return { service, deliveries, feedEntries };
}

describe('SupersessionService', () => {
  it('cancels earlier versions not yet sent, recalls and unfeeds the channels the new version may not reach', async () => {
    const { service, deliveries, feedEntries } = setup();
    const decided: TargetDecision[] = [
      {
        target: aTarget({ id: 'c-allowed' }),
        decision: { allow: true, code: 'tlp.amber.named', reason: 'named', handling: null },
        keyFingerprint: 'FP',
      },
      {
        target: aTarget({ id: 'c-denied' }),
        decision: { allow: false, code: 'tlp.amber.not-named', reason: 'not named', handling: null },
        keyFingerprint: null,
      },
    ];
    const decisionIds = new Map([
      ['c-allowed', 'dec-a'],
      ['c-denied', 'dec-d'],
    ]);
    const version = aVersion({ id: 'version-3', version: 3 });
    expect(await service.supersede({ item: anItem(), version, decided, decisionIds }, tx)).toEqual({
      cancelled: 2,
      recalls: 1,
      removed: 1,
    });
    expect(deliveries.cancelPending).toHaveBeenCalledWith(
      'item-1',
      'Superseded by version 3 before it was sent.',
      { beforeVersion: 3 },
      tx,
    );
    expect(deliveries.channelsToRecall).toHaveBeenCalledWith('item-1', ['c-denied'], tx);
    expect(deliveries.queueRecalls).toHaveBeenCalledWith(
      {
        itemVersionId: 'version-3',
        targets: TARGETS,
        reason: new Map([['c-denied', 'Version 3 may not be sent to this recipient: not named']]),
        decisionIds,
      },
      tx,
    );
    expect(feedEntries.removeItem).toHaveBeenCalledWith('item-1', ['c-denied'], tx);
  });
});
