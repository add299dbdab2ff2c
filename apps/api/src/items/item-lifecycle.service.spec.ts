import { BadRequestException, ConflictException, ForbiddenException, NotFoundException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '@tlp-broker/config';
import type {
  DeliveryRepository,
  FeedEntryRepository,
  ItemEntity,
  ItemRepository,
  ItemVersionEntity,
  OutboxRepository,
} from '@tlp-broker/persistence';
import { FakeAuditLog, fakeAudit, fakeTransactions, staffPrincipal, tx } from '../../../../test/support/mocks';
import type { Draft, ItemIntakeService } from './item-intake.service';
import { ItemLifecycleService } from './item-lifecycle.service';
import type { CreateItemDto } from './items.dto';

const author = staffPrincipal(['analyst'], 'u-author');
const approver = staffPrincipal(['approver'], 'u-approver');
const ITEM = 'item-1';
const request = {} as CreateItemDto;

function draft(overrides: Partial<Draft> = {}): Draft {
  return {
    kind: 'advisory',
    title: 'Phishing',
    summary: '',
    body: 'Body',
    tlp: 'TLP:AMBER',
    pap: null,
    severity: null,
    audience: { communities: [], organisations: ['org-1'], contacts: [] },
    caveats: [],
    indicators: [],
    provenance: null,
    releaseAt: null,
    ...overrides,
  };
}

function stored(item: Partial<ItemEntity> = {}): ItemEntity {
  return {
    id: ITEM,
    kind: 'advisory',
    state: 'published',
    currentVersion: 1,
    createdBy: author.userId,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    retractedAt: null,
    retractionNotice: null,
    ...item,
  };
}

function version(number: number, overrides: Partial<ItemVersionEntity> = {}): ItemVersionEntity {
  return {
    ...draft(),
    id: `version-${number}`,
    itemId: ITEM,
    version: number,
    approvedBy: null,
    approvedAt: null,
    createdBy: author.userId,
    createdAt: new Date(0),
    ...overrides,
  } as ItemVersionEntity;
}

interface Setup {
  draft?: Draft;
  item?: ItemEntity | null;
  versions?: ItemVersionEntity[];
  lastReleased?: number | null;
  recalls?: string[];
}

function lifecycle(setup: Setup = {}) {
  const versions = setup.versions ?? [version(1)];
  const items = {
    insert: vi.fn(async (item: Partial<ItemEntity>) => stored({ ...item, id: ITEM })),
    insertVersion: vi.fn(async (row: Partial<ItemVersionEntity>) => version(row.version!, row)),
    lockForUpdate: vi.fn(async () => (setup.item === undefined ? stored() : setup.item)),
    versionOf: vi.fn(async (_id: string, number: number) => versions.find((v) => v.version === number)!),
    latestVersionNumber: vi.fn(async () => Math.max(...versions.map((v) => v.version))),
    lastReleasedVersionBefore: vi.fn(async () => setup.lastReleased ?? null),
    changeState: vi.fn(async () => undefined),
    markRetracted: vi.fn(async () => undefined),
    recordApproval: vi.fn(async () => undefined),
  };
  const outbox = { queueRelease: vi.fn(async () => undefined), queueRetraction: vi.fn(async () => undefined) };
  const deliveries = {
    cancelPending: vi.fn(async () => ['d-1', 'd-2']),
    channelsToRecall: vi.fn(async () => [{ channelId: 'c-1', organisationId: 'org-1', contactId: null, version: 1 }]),
    queueRecalls: vi.fn(async () => setup.recalls ?? ['r-1']),
  };
  const feedEntries = { removeItem: vi.fn(async () => 3) };
  const audit = fakeAudit();
  const transactions = fakeTransactions();
  const intake = { draft: vi.fn(async () => setup.draft ?? draft()) };
  const config = { approval: { red: true, amberStrict: true, caveats: true } } as AppConfig;
  const service = new ItemLifecycleService(
    config,
    transactions,
    audit,
    items as unknown as ItemRepository,
    outbox as unknown as OutboxRepository,
    deliveries as unknown as DeliveryRepository,
    feedEntries as unknown as FeedEntryRepository,
    intake as unknown as ItemIntakeService,
  );
  return { service, items, outbox, deliveries, feedEntries, audit, transactions, intake };
}

const pending = { item: stored({ state: 'pending-approval' }) };

/** The audit actions appended, in order. */
function actions(audit: FakeAuditLog): string[] {
  return audit.append.mock.calls.map(([, entry]) => entry.action);
}

describe('ItemLifecycleService.publish', () => {
  it('publishes at once: item, version, outbox row and audit entry in one transaction', async () => {
    const { service, items, outbox, audit } = lifecycle();
    const view = await service.publish(request, author);
    expect(view).toMatchObject({ id: ITEM, version: 1, state: 'published', tlp: 'TLP:AMBER' });
    expect(items.insert).toHaveBeenCalledWith(
      expect.objectContaining({ kind: 'advisory', state: 'published', currentVersion: 1, createdBy: 'u-author' }),
      tx,
    );
    expect(items.insertVersion).toHaveBeenCalledWith(
      expect.objectContaining({ itemId: ITEM, version: 1, body: 'Body', createdBy: 'u-author' }),
      tx,
    );
    expect(outbox.queueRelease).toHaveBeenCalledWith('version-1', null, tx);
    expect(audit.append).toHaveBeenCalledWith(tx, {
      actor: 'user:u-author',
      subjectType: 'item',
      subjectId: ITEM,
      action: 'item.published',
      details: {
        version: 1,
        itemVersionId: 'version-1',
        type: 'advisory',
        tlp: 'TLP:AMBER',
        pap: null,
        audience: draft().audience,
        caveats: [],
        releaseAt: null,
      },
    });
  });

  it('schedules an embargoed item: its outbox row waits for the release time', async () => {
    const releaseAt = new Date('2030-01-01T08:00:00Z');
    const { service, outbox, audit } = lifecycle({ draft: draft({ releaseAt }) });
    const view = await service.publish(request, author);
    expect(view.state).toBe('scheduled');
    expect(outbox.queueRelease).toHaveBeenCalledWith('version-1', releaseAt, tx);
    expect(actions(audit)).toEqual(['item.scheduled']);
  });
});

describe('ItemLifecycleService.publish of sensitive items', () => {
  it.each([
    [draft({ tlp: 'TLP:RED' }), 'TLP:RED'],
    [draft({ tlp: 'TLP:AMBER+STRICT' }), 'TLP:AMBER+STRICT'],
    [draft({ caveats: ['judicial-secret'] }), 'caveats judicial-secret'],
  ])('holds a sensitive item for approval, with no outbox row (%#)', async (sensitive, approvalReason) => {
    const { service, outbox, audit } = lifecycle({ draft: sensitive });
    const view = await service.publish(request, author);
    expect(view.state).toBe('pending-approval');
    expect(outbox.queueRelease).not.toHaveBeenCalled();
    expect(audit.append).toHaveBeenCalledWith(
      tx,
      expect.objectContaining({
        action: 'item.submitted-for-approval',
        details: expect.objectContaining({ approvalReason }),
      }),
    );
  });

  it("audits the originator's consent beside the publication", async () => {
    const consent = {
      audience: { communities: [], organisations: ['org-2'], contacts: [] },
      reference: 'mail',
      recordedBy: 'user:u-author',
      recordedAt: '2026-01-01T00:00:00.000Z',
    };
    const { service, audit } = lifecycle({
      draft: draft({ provenance: { originator: 'EC3', label: 'TLP:AMBER', consent } }),
    });
    await service.publish(request, author);
    expect(actions(audit)).toEqual(['item.published', 'item.originator-consent-recorded']);
    expect(audit.append).toHaveBeenLastCalledWith(
      tx,
      expect.objectContaining({ details: { version: 1, originator: 'EC3', label: 'TLP:AMBER', consent } }),
    );
  });

  it('writes nothing when intake refuses the draft', async () => {
    const { service, intake, transactions } = lifecycle();
    intake.draft.mockRejectedValueOnce(new BadRequestException('tlp: no'));
    await expect(service.publish(request, author)).rejects.toBeInstanceOf(BadRequestException);
    expect(transactions.run).not.toHaveBeenCalled();
  });
});

describe('ItemLifecycleService.approve and reject (four eyes)', () => {
  it('never lets the author approve or reject their own version, and changes nothing', async () => {
    const { service, items, outbox, audit } = lifecycle(pending);
    await expect(service.approve(ITEM, author)).rejects.toThrow(ForbiddenException);
    await expect(service.reject(ITEM, 'no', author)).rejects.toThrow(
      'four eyes: the approver must be someone other than the author',
    );
    expect(items.recordApproval).not.toHaveBeenCalled();
    expect(items.changeState).not.toHaveBeenCalled();
    expect(outbox.queueRelease).not.toHaveBeenCalled();
    expect(audit.append).not.toHaveBeenCalled();
  });

  it('answers 404 for an unknown item and 409 for one not pending approval', async () => {
    await expect(lifecycle({ item: null }).service.approve(ITEM, approver)).rejects.toThrow(NotFoundException);
    const { service } = lifecycle({ item: stored({ state: 'published' }) });
    await expect(service.approve(ITEM, approver)).rejects.toThrow(
      `item ${ITEM} is published; only an item pending approval can be approved`,
    );
    await expect(service.reject(ITEM, 'no', approver)).rejects.toThrow(ConflictException);
  });

  it('releases a pending version at once when it has no embargo, recording who approved it', async () => {
    const { service, items, outbox, audit } = lifecycle(pending);
    const view = await service.approve(ITEM, approver);
    expect(view).toMatchObject({ state: 'published', approvedBy: 'u-approver' });
    expect(items.recordApproval).toHaveBeenCalledWith('version-1', 'u-approver', view.approvedAt, tx);
    expect(items.changeState).toHaveBeenCalledWith(ITEM, { state: 'published', at: view.approvedAt }, tx);
    expect(outbox.queueRelease).toHaveBeenCalledWith('version-1', null, tx);
    expect(audit.append).toHaveBeenCalledWith(
      tx,
      expect.objectContaining({
        action: 'item.approved',
        actor: 'user:u-approver',
        details: { version: 1, itemVersionId: 'version-1', author: 'u-author', releaseAt: null },
      }),
    );
  });

  it('schedules an approved version whose embargo is still ahead, and publishes one whose embargo has passed', async () => {
    const future = new Date(Date.now() + 3_600_000);
    const ahead = lifecycle({ ...pending, versions: [version(1, { releaseAt: future })] });
    expect((await ahead.service.approve(ITEM, approver)).state).toBe('scheduled');
    expect(ahead.outbox.queueRelease).toHaveBeenCalledWith('version-1', future, tx);
    const past = new Date(Date.now() - 1_000);
    const passed = lifecycle({ ...pending, versions: [version(1, { releaseAt: past })] });
    expect((await passed.service.approve(ITEM, approver)).state).toBe('published');
  });
});

describe('ItemLifecycleService.reject', () => {
  it('sends a rejected first version back to draft; nothing leaves', async () => {
    const { service, items, outbox, audit } = lifecycle(pending);
    const view = await service.reject(ITEM, 'audience too wide', approver);
    expect(view.state).toBe('draft');
    expect(items.changeState).toHaveBeenCalledWith(ITEM, expect.objectContaining({ state: 'draft' }), tx);
    expect(outbox.queueRelease).not.toHaveBeenCalled();
    expect(audit.append).toHaveBeenCalledWith(
      tx,
      expect.objectContaining({ action: 'item.rejected', details: { version: 1, reason: 'audience too wide' } }),
    );
  });

  it('leaves the last released version current when an update is rejected', async () => {
    const { service, items } = lifecycle({
      item: stored({ state: 'pending-approval', currentVersion: 3 }),
      versions: [version(1), version(2), version(3)],
      lastReleased: 1,
    });
    const view = await service.reject(ITEM, 'not yet', approver);
    expect(items.lastReleasedVersionBefore).toHaveBeenCalledWith(ITEM, 3, tx);
    expect(items.changeState).toHaveBeenCalledWith(
      ITEM,
      expect.objectContaining({ state: 'published', currentVersion: 1 }),
      tx,
    );
    expect(view).toMatchObject({ state: 'published', version: 3 });
  });
});

describe('ItemLifecycleService.update', () => {
  it('supersedes the current version with the next number and releases it', async () => {
    const { service, items, outbox, audit } = lifecycle({ versions: [version(1), version(2)] });
    const view = await service.update(ITEM, request, author);
    expect(view).toMatchObject({ version: 3, state: 'published' });
    expect(items.insertVersion).toHaveBeenCalledWith(expect.objectContaining({ itemId: ITEM, version: 3 }), tx);
    expect(items.changeState).toHaveBeenCalledWith(
      ITEM,
      expect.objectContaining({ state: 'published', currentVersion: 3 }),
      tx,
    );
    expect(outbox.queueRelease).toHaveBeenCalledWith('version-3', null, tx);
    expect(actions(audit)).toEqual(['item.updated']);
  });

  it('holds an update that needs approval: the item waits and nothing is queued', async () => {
    const { service, outbox, audit } = lifecycle({ draft: draft({ tlp: 'TLP:RED' }) });
    const view = await service.update(ITEM, request, author);
    expect(view.state).toBe('pending-approval');
    expect(outbox.queueRelease).not.toHaveBeenCalled();
    expect(actions(audit)).toEqual(['item.update-submitted-for-approval']);
  });

  it('updates only a published item, and keeps its type', async () => {
    const scheduled = lifecycle({ item: stored({ state: 'scheduled' }) });
    await expect(scheduled.service.update(ITEM, request, author)).rejects.toThrow(ConflictException);
    const retyped = lifecycle({ draft: draft({ kind: 'alert' }) });
    const error = await retyped.service.update(ITEM, request, author).catch((caught: unknown) => caught);
    expect((error as BadRequestException).getResponse()).toMatchObject({
      details: [{ field: 'type', message: "an update keeps the item's type (advisory)" }],
    });
    expect(retyped.items.insertVersion).not.toHaveBeenCalled();
  });
});

describe('ItemLifecycleService.retract', () => {
  it('cancels what has not left, empties feeds, recalls, and audits the reason and notice', async () => {
    const { service, items, deliveries, feedEntries, outbox, audit } = lifecycle();
    const view = await service.retract(ITEM, 'sinkhole', 'Remove these addresses', author);
    expect(view).toMatchObject({ state: 'retracted', cancelled: 2, recalls: 1, removedFromFeeds: 3 });
    expect(items.markRetracted).toHaveBeenCalledWith(ITEM, 'Remove these addresses', expect.any(Date), tx);
    expect(deliveries.cancelPending).toHaveBeenCalledWith(
      ITEM,
      'The item was retracted before this delivery was sent.',
      {},
      tx,
    );
    expect(deliveries.queueRecalls).toHaveBeenCalledWith(
      {
        itemVersionId: 'version-1',
        targets: await deliveries.channelsToRecall.mock.results[0].value,
        reason: 'The item was retracted.',
      },
      tx,
    );
    expect(feedEntries.removeItem).toHaveBeenCalledWith(ITEM, undefined, tx);
    expect(outbox.queueRetraction).toHaveBeenCalledWith('version-1', tx);
    expect(audit.append).toHaveBeenCalledWith(
      tx,
      expect.objectContaining({
        action: 'item.retracted',
        details: {
          version: 1,
          reason: 'sinkhole',
          notice: 'Remove these addresses',
          cancelled: 2,
          recalls: 1,
          removedFromFeeds: 3,
        },
      }),
    );
  });

  it('queues no retraction row when no channel needs a recall', async () => {
    const { service, outbox } = lifecycle({ recalls: [] });
    await service.retract(ITEM, 'mistake', null, author);
    expect(outbox.queueRetraction).not.toHaveBeenCalled();
  });

  it('answers 409 for an item already retracted, and changes nothing', async () => {
    const { service, items, deliveries } = lifecycle({ item: stored({ state: 'retracted' }) });
    await expect(service.retract(ITEM, 'again', null, author)).rejects.toThrow(`item ${ITEM} is already retracted`);
    expect(items.markRetracted).not.toHaveBeenCalled();
    expect(deliveries.cancelPending).not.toHaveBeenCalled();
  });
});

describe('ItemLifecycleService drafts', () => {
  it("saves a draft in the caller's transaction: item and version, audited, nothing released", async () => {
    const { service, items, outbox, audit, transactions } = lifecycle();
    const view = await service.saveDraft(draft(), author, tx);
    expect(view).toMatchObject({ id: ITEM, version: 1, state: 'draft' });
    expect(items.insert).toHaveBeenCalledWith(expect.objectContaining({ state: 'draft', currentVersion: 1 }), tx);
    expect(items.insertVersion).toHaveBeenCalledWith(expect.objectContaining({ itemId: ITEM, version: 1 }), tx);
    expect(outbox.queueRelease).not.toHaveBeenCalled();
    expect(transactions.run).not.toHaveBeenCalled();
    expect(actions(audit)).toEqual(['item.drafted']);
  });

  it('publishes a draft as it stands: released at once, audited as a publication from a draft', async () => {
    const { service, items, outbox, audit } = lifecycle({ item: stored({ state: 'draft' }) });
    const view = await service.publishDraft(ITEM, approver);
    expect(view.state).toBe('published');
    expect(items.changeState).toHaveBeenCalledWith(ITEM, { state: 'published', at: expect.any(Date) }, tx);
    expect(outbox.queueRelease).toHaveBeenCalledWith('version-1', null, tx);
    expect(audit.append).toHaveBeenCalledWith(
      tx,
      expect.objectContaining({
        action: 'item.published',
        details: expect.objectContaining({ version: 1, itemVersionId: 'version-1', fromDraft: true }),
      }),
    );
  });

  it('holds a sensitive draft for approval when it is published, with no outbox row', async () => {
    const { service, outbox, audit } = lifecycle({
      item: stored({ state: 'draft' }),
      versions: [version(1, { tlp: 'TLP:RED' })],
    });
    expect((await service.publishDraft(ITEM, author)).state).toBe('pending-approval');
    expect(outbox.queueRelease).not.toHaveBeenCalled();
    expect(actions(audit)).toEqual(['item.submitted-for-approval']);
  });

  it('publishes only a draft (409), and answers 404 for an unknown item', async () => {
    const published = lifecycle();
    await expect(published.service.publishDraft(ITEM, author)).rejects.toThrow(ConflictException);
    expect(published.items.changeState).not.toHaveBeenCalled();
    await expect(lifecycle({ item: null }).service.publishDraft(ITEM, author)).rejects.toThrow(NotFoundException);
  });
});
