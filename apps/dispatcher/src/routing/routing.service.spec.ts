import { Clock } from '@tlp-broker/config';
import { UnrecoverableError } from 'bullmq';
import { Metrics } from '@tlp-broker/observability';
import { describe, expect, it, vi } from 'vitest';
import { OutboxTopic } from '@tlp-broker/persistence';
import type {
  ItemEntity,
  ItemRepository,
  ItemVersionEntity,
  OutboxEntity,
  OutboxRepository,
  TargetDecision,
} from '@tlp-broker/persistence';
import { fakeAudit, fakeTransactions, tx } from '../../../../test/support/mocks';
import { aTarget, anItem, aVersion } from '../dispatch.test-fixtures';
import type { DeliveryJobsService } from '../delivery/delivery-jobs.service';
import { RoutingDecisionsService } from './routing-decisions.service';
import { RoutingService } from './routing.service';
import { SealingService } from './sealing.service';
import { SupersessionService } from './supersession.service';

const allow = (kind: 'feed' | 'email', id: string): TargetDecision => ({
  target: aTarget({ kind, id }),
  decision: { allow: true, code: 'tlp.clear.allowed', reason: 'allowed', handling: null },
  keyFingerprint: 'RECIPIENTFP',
});
const deny = (id: string): TargetDecision => ({
  target: aTarget({ id }),
  decision: { allow: false, code: 'partner.suspended', reason: 'suspended', handling: null },
  keyFingerprint: null,
});

function setup(
  options: {
    release?: { id: string; processedAt: Date | null } | null;
    version?: ItemVersionEntity | null;
    item?: ItemEntity;
    embargoed?: boolean;
    laterReleased?: number | null;
    outboxRow?: Partial<OutboxEntity> | null;
  } = {},
) {
  const outbox = {
    findByJobKey: vi.fn(async () =>
      options.outboxRow === null
        ? null
        : { id: '7', topic: OutboxTopic.Published, itemVersionId: 'version-1', ...options.outboxRow },
    ),
    lockRelease: vi.fn(async () => (options.release === undefined ? { id: '7', processedAt: null } : options.release)),
    markProcessed: vi.fn(async () => undefined),
  };
  const items = {
    findVersion: vi.fn(async () => (options.version === undefined ? aVersion() : options.version)),
    isEmbargoed: vi.fn(async () => options.embargoed ?? false),
    lockForUpdate: vi.fn(async () => options.item ?? anItem()),
    latestReleasedVersionAfter: vi.fn(async () => options.laterReleased ?? null),
    publishIfScheduled: vi.fn(async () => undefined),
  };
  const audit = fakeAudit();
  const decided = [allow('feed', 'c-1'), allow('email', 'c-2'), deny('c-3')];
  const decisions = {
    decide: vi.fn(async () => decided),
    store: vi.fn(async () => new Map([['c-1', 'd-1']])),
    requestAcknowledgements: vi.fn(async () => 0),
  };
  const sealing = { sealFor: vi.fn(async () => undefined) };
  const supersession = { supersede: vi.fn(async () => ({ cancelled: 2, recalls: 1, removed: 1 })) };
  const jobs = { enqueueQueued: vi.fn(async () => 2) };
  const metrics = new Metrics({ processMetrics: false });
  const service = new RoutingService(
    fakeTransactions(),
    outbox as unknown as OutboxRepository,
    items as unknown as ItemRepository,
    audit,
    decisions as unknown as RoutingDecisionsService,
    sealing as unknown as SealingService,
    supersession as unknown as SupersessionService,
    jobs as unknown as DeliveryJobsService,
    metrics,
    new Clock(),
  );
  return { service, outbox, items, audit, decisions, sealing, supersession, jobs, decided, metrics };
}

describe('RoutingService.route', () => {
  it('decides for every channel, seals for the allowed ones, stores decisions and deliveries, then enqueues them', async () => {
    const { service, outbox, items, audit, decisions, sealing, supersession, jobs, decided, metrics } = setup();
    const outcome = await service.route('version-1');
    expect(outcome).toMatchObject({ allowed: 2, denied: 1, alreadyRouted: false, recalls: 0 });
    expect(outcome.ruleCodes).toEqual(decided.map(({ decision }) => decision.code));
    // Counted by rule once stored: what /metrics shows as tlpb_decisions_total.
    for (const code of new Set(outcome.ruleCodes))
      expect(await metrics.render()).toContain(`tlpb_decisions_total{rule="${code}"}`);
    expect(outbox.lockRelease).toHaveBeenCalledWith('version-1', tx);
    expect(items.lockForUpdate).toHaveBeenCalledWith('item-1', tx);
    const [, , now] = decisions.decide.mock.calls[0] as unknown as [unknown, unknown, Date];
    expect(sealing.sealFor).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'item-1' }),
      expect.objectContaining({ id: 'version-1' }),
      [decided[0].target, decided[1].target],
      tx,
    );
    expect(decisions.store).toHaveBeenCalledWith(expect.objectContaining({ id: 'version-1' }), decided, now, tx);
    expect(supersession.supersede).not.toHaveBeenCalled();
    expect(outbox.markProcessed).toHaveBeenCalledWith('7', tx);
    expect(items.publishIfScheduled).toHaveBeenCalledWith('item-1', tx);
    expect(audit.append).toHaveBeenCalledWith(tx, {
      actor: 'dispatcher',
      action: 'item.routed',
      subjectType: 'item',
      subjectId: 'item-1',
      details: {
        itemVersionId: 'version-1',
        version: 1,
        tlp: 'TLP:AMBER',
        allowed: 2,
        denied: 1,
        decisionsDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    });
    expect(jobs.enqueueQueued).toHaveBeenCalledWith('version-1');
  });

  it('supersedes earlier versions when routing a later one, and audits what that did', async () => {
    const { service, supersession, audit, decided } = setup({ version: aVersion({ version: 2 }) });
    expect(await service.route('version-1')).toMatchObject({ recalls: 1 });
    expect(supersession.supersede).toHaveBeenCalledWith(
      {
        item: expect.objectContaining({ id: 'item-1' }),
        version: expect.objectContaining({ version: 2 }),
        decided,
        decisionIds: new Map([['c-1', 'd-1']]),
      },
      tx,
    );
    expect(audit.append).toHaveBeenCalledWith(
      tx,
      expect.objectContaining({
        details: expect.objectContaining({ supersededCancelled: 2, recalls: 1, removedFromFeeds: 1 }),
      }),
    );
  });

  it('routes a version once: a processed release row changes nothing', async () => {
    const { service, decisions, audit } = setup({ release: { id: '7', processedAt: new Date() } });
    expect(await service.route('version-1')).toEqual({ allowed: 0, denied: 0, alreadyRouted: true });
    expect(decisions.decide).not.toHaveBeenCalled();
    expect(audit.append).not.toHaveBeenCalled();
  });

  it('skips a version whose item was retracted, closing its row with an audit entry', async () => {
    const { service, outbox, audit, decisions, items } = setup({ item: anItem({ state: 'retracted' }) });
    expect(await service.route('version-1')).toEqual({
      allowed: 0,
      denied: 0,
      alreadyRouted: false,
      skipped: 'retracted',
    });
    expect(items.latestReleasedVersionAfter).not.toHaveBeenCalled();
    expect(outbox.markProcessed).toHaveBeenCalledWith('7', tx);
    expect(audit.append).toHaveBeenCalledWith(tx, {
      actor: 'dispatcher',
      action: 'item.routing-skipped',
      subjectType: 'item',
      subjectId: 'item-1',
      details: {
        itemVersionId: 'version-1',
        version: 1,
        reason: 'the item was retracted before this version was routed',
      },
    });
    expect(decisions.decide).not.toHaveBeenCalled();
  });

  it('skips a version superseded by one released before it was routed', async () => {
    const { service, audit, decisions, items } = setup({ laterReleased: 2 });
    expect(await service.route('version-1')).toMatchObject({ skipped: 'superseded' });
    expect(items.latestReleasedVersionAfter).toHaveBeenCalledWith('item-1', 1, tx);
    expect(audit.append).toHaveBeenCalledWith(
      tx,
      expect.objectContaining({
        details: expect.objectContaining({ reason: 'version 2 was released before this version was routed' }),
      }),
    );
    expect(decisions.store).not.toHaveBeenCalled();
  });

  it('never routes before the embargo: the job fails and is retried', async () => {
    const releaseAt = new Date('2031-01-01T00:00:00Z');
    const { service, items, decisions } = setup({ version: aVersion({ releaseAt }), embargoed: true });
    await expect(service.route('version-1')).rejects.toThrow(
      'item version version-1 is embargoed until 2031-01-01T00:00:00.000Z',
    );
    await expect(service.route('version-1')).rejects.not.toBeInstanceOf(UnrecoverableError);
    expect(items.lockForUpdate).not.toHaveBeenCalled();
    expect(decisions.decide).not.toHaveBeenCalled();
  });

  it('does not ask the clock about a version without embargo', async () => {
    const { service, items } = setup();
    await service.route('version-1');
    expect(items.isEmbargoed).not.toHaveBeenCalled();
  });

  it('gives up on a version with no release row or no version', async () => {
    await expect(setup({ release: null }).service.route('version-1')).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(setup({ version: null }).service.route('version-1')).rejects.toBeInstanceOf(UnrecoverableError);
  });
});

describe('RoutingService.process', () => {
  it('routes a released version named by its outbox job key', async () => {
    const { service, outbox, decisions } = setup();
    expect(await service.process('job-key')).toMatchObject({ allowed: 2 });
    expect(outbox.findByJobKey).toHaveBeenCalledWith('job-key');
    expect(decisions.decide).toHaveBeenCalled();
  });

  it('sends the recall notices a retraction queued, closing its row', async () => {
    const { service, outbox, jobs, decisions } = setup({
      outboxRow: { id: '9', topic: OutboxTopic.Retracted, itemVersionId: 'version-3' },
    });
    expect(await service.process('job-key')).toEqual({
      allowed: 0,
      denied: 0,
      alreadyRouted: false,
      skipped: 'retracted',
      recalls: 2,
    });
    expect(outbox.markProcessed).toHaveBeenCalledWith('9');
    expect(jobs.enqueueQueued).toHaveBeenCalledWith('version-3');
    expect(decisions.decide).not.toHaveBeenCalled();
  });

  it('refuses a job without a key, with an unknown key or topic: no retry can help', async () => {
    await expect(setup().service.process(undefined)).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(setup({ outboxRow: null }).service.process('gone')).rejects.toBeInstanceOf(UnrecoverableError);
    const odd = setup({ outboxRow: { topic: 'item.exploded' as never } });
    await expect(odd.service.process('job-key')).rejects.toThrow('unknown topic item.exploded');
  });
});
