import { ConflictException, NotFoundException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type {
  ItemEntity,
  ItemRepository,
  ListedSubmission,
  SubmissionEntity,
  SubmissionRepository,
} from '@tlp-broker/persistence';
import { rejection } from '../../../../test/support/errors';
import { FakeAuditLog, fakeAudit, fakeTransactions, staffPrincipal, tx } from '../../../../test/support/mocks';
import type { Draft, ItemIntakeService } from '../items/item-intake.service';
import type { ItemLifecycleService } from '../items/item-lifecycle.service';
import type { ItemView } from '../items/item-view';
import type { SubmissionView } from './submission-views';
import type { SubmissionViewsService } from './submission-views.service';
import { TriageService } from './triage.service';

const analyst = staffPrincipal(['analyst'], 'u-analyst');
const ID = 'sub-1';

function submission(fields: Partial<SubmissionEntity> = {}): SubmissionEntity {
  return {
    id: ID,
    reference: 'PJ-2026-000005',
    source: 'form',
    status: 'verified',
    organisationId: 'org-1',
    title: 'Phishing kit',
    tlp: 'TLP:AMBER',
    pap: null,
    flags: [],
    content: 'Report text',
    indicators: [],
    triageState: 'received',
    closeReason: null,
    itemId: null,
    consent: null,
    report: null,
    fromAddress: null,
    ...fields,
  } as SubmissionEntity;
}

const draftOf = { kind: 'advisory', tlp: 'TLP:AMBER' } as Draft;
const drafted = {
  id: 'item-9',
  type: 'advisory',
  tlp: 'TLP:AMBER',
  state: 'draft',
  provenance: { originator: 'Peer CERT', label: 'TLP:AMBER', consent: null },
} as unknown as ItemView;

function triage(
  row: SubmissionEntity | null = submission(),
  item: Partial<ItemEntity> | null = { state: 'published' },
) {
  const submissions = {
    lockById: vi.fn(async () => row),
    listedById: vi.fn(async () =>
      row ? ({ submission: row, organisation: 'Peer CERT', contact: null } as ListedSubmission) : null,
    ),
    update: vi.fn(async () => undefined),
    close: vi.fn(async () => undefined),
  };
  const items = { findById: vi.fn(async () => (item ? ({ id: 'item-9', ...item } as ItemEntity) : null)) };
  const intake = { draft: vi.fn(async () => draftOf) };
  const lifecycle = { saveDraft: vi.fn(async () => drafted) };
  const views = { view: vi.fn(async (id: string) => ({ id }) as SubmissionView) };
  const audit = fakeAudit();
  const transactions = fakeTransactions();
  const service = new TriageService(
    transactions,
    audit,
    submissions as unknown as SubmissionRepository,
    items as unknown as ItemRepository,
    intake as unknown as ItemIntakeService,
    lifecycle as unknown as ItemLifecycleService,
    views as unknown as SubmissionViewsService,
  );
  return { service, submissions, items, intake, lifecycle, audit, transactions };
}

const audited = (audit: FakeAuditLog) => audit.append.mock.calls.map(([manager, entry]) => [manager, entry]);

async function conflictField(call: Promise<unknown>): Promise<string> {
  const error = await rejection(call, ConflictException);
  return (error.getResponse() as { details: { field: string }[] }).details[0].field;
}

describe('TriageService.confirmLabel', () => {
  it('replaces an assumed label with the one the source confirmed, on the row lock, audited before and after', async () => {
    const { service, submissions, audit } = triage(submission({ flags: ['unencrypted', 'label-assumed'] }));
    const view = await service.confirmLabel(ID, { tlp: 'tlp:red', pap: 'PAP:AMBER' }, analyst);
    expect(submissions.lockById).toHaveBeenCalledWith(ID, tx);
    expect(submissions.update).toHaveBeenCalledWith(
      ID,
      { tlp: 'TLP:RED', pap: 'PAP:AMBER', flags: ['unencrypted'], triageState: 'in-triage' },
      tx,
    );
    expect(audited(audit)).toEqual([
      [
        tx,
        {
          actor: 'user:u-analyst',
          action: 'submission.label-confirmed',
          subjectType: 'submission',
          subjectId: ID,
          details: {
            reference: 'PJ-2026-000005',
            before: { tlp: 'TLP:AMBER', pap: null, assumed: true },
            after: { tlp: 'TLP:RED', pap: 'PAP:AMBER' },
          },
        },
      ],
    ]);
    expect(view).toEqual({ id: ID });
  });

  it('keeps the PAP read when none is confirmed', async () => {
    const { service, submissions } = triage(submission({ pap: 'PAP:GREEN' }));
    await service.confirmLabel(ID, { tlp: 'TLP:GREEN' }, analyst);
    expect(submissions.update).toHaveBeenCalledWith(ID, expect.objectContaining({ pap: 'PAP:GREEN' }), tx);
  });

  it('answers 404 for an unknown submission, 409 for a closed, rejected or already used one, and changes nothing', async () => {
    await rejection(triage(null).service.confirmLabel(ID, { tlp: 'TLP:RED' }, analyst), NotFoundException);
    for (const [row, field] of [
      [submission({ triageState: 'closed', closeReason: 'spam' }), 'triageState'],
      [submission({ status: 'rejected', content: null }), 'status'],
      [submission({ itemId: 'item-1' }), 'itemId'],
    ] as const) {
      const { service, submissions, audit } = triage(row);
      expect(await conflictField(service.confirmLabel(ID, { tlp: 'TLP:RED' }, analyst))).toBe(field);
      expect(submissions.update).not.toHaveBeenCalled();
      expect(audit.append).not.toHaveBeenCalled();
    }
  });
});

describe('TriageService.draftItem', () => {
  it('drafts the item through the intake, links it and audits it, in one transaction', async () => {
    const { service, intake, lifecycle, submissions, audit, transactions } = triage(
      submission({ indicators: [{ type: 'ipv4', value: '198.51.100.7' }] }),
    );
    const answer = await service.draftItem(ID, { audience: { organisations: ['org-2'] } }, analyst);
    expect(intake.draft).toHaveBeenCalledWith(
      expect.objectContaining({
        type: 'advisory',
        title: 'Phishing kit',
        body: 'Report text',
        tlp: 'TLP:AMBER',
        audience: { organisations: ['org-2'] },
        indicators: [{ type: 'ipv4', value: '198.51.100.7' }],
        provenance: { originator: 'Peer CERT', label: 'TLP:AMBER' },
      }),
      analyst,
    );
    expect(transactions.run).toHaveBeenCalledTimes(1);
    expect(lifecycle.saveDraft).toHaveBeenCalledWith(draftOf, analyst, tx);
    expect(submissions.update).toHaveBeenCalledWith(ID, { itemId: 'item-9', triageState: 'in-triage' }, tx);
    expect(audited(audit)).toEqual([
      [
        tx,
        expect.objectContaining({
          action: 'submission.item-drafted',
          details: {
            reference: 'PJ-2026-000005',
            itemId: 'item-9',
            type: 'advisory',
            tlp: 'TLP:AMBER',
            originator: 'Peer CERT',
            consent: false,
          },
        }),
      ],
    ]);
    expect(answer).toEqual({ submission: { id: ID }, item: drafted });
  });

  it.each([
    ['an assumed label', submission({ flags: ['label-assumed'] }), 'tlp'],
    ['a closed submission', submission({ triageState: 'closed', closeReason: 'duplicate' }), 'triageState'],
    ['one already linked', submission({ itemId: 'item-1' }), 'itemId'],
    ['a rejected one', submission({ status: 'rejected', content: null }), 'status'],
    ['one without content', submission({ content: null }), 'content'],
  ])('refuses %s with 409 before drafting anything', async (_case, row, field) => {
    const { service, intake, lifecycle } = triage(row);
    expect(await conflictField(service.draftItem(ID, {}, analyst))).toBe(field);
    expect(intake.draft).not.toHaveBeenCalled();
    expect(lifecycle.saveDraft).not.toHaveBeenCalled();
  });

  it('takes a body the analyst wrote instead of content that cannot be one', async () => {
    const { service, intake } = triage(submission({ content: 'x'.repeat(1_000_001) }));
    expect(await conflictField(service.draftItem(ID, {}, analyst))).toBe('content');
    await service.draftItem(ID, { body: 'Rewritten for the recipients' }, analyst);
    expect(intake.draft).toHaveBeenCalledWith(
      expect.objectContaining({ body: 'Rewritten for the recipients' }),
      analyst,
    );
  });

  it('checks again under the lock: a submission closed meanwhile is not drafted', async () => {
    const { service, submissions, lifecycle } = triage();
    submissions.lockById.mockResolvedValueOnce(submission({ triageState: 'closed', closeReason: 'spam' }));
    expect(await conflictField(service.draftItem(ID, {}, analyst))).toBe('triageState');
    expect(lifecycle.saveDraft).not.toHaveBeenCalled();
  });
});

describe('TriageService.attach and close', () => {
  it('links a submission to an existing item, audited', async () => {
    const { service, submissions, audit } = triage();
    await service.attach(ID, 'item-9', analyst);
    expect(submissions.update).toHaveBeenCalledWith(ID, { itemId: 'item-9', triageState: 'in-triage' }, tx);
    expect(audit.append.mock.calls[0][1]).toMatchObject({
      action: 'submission.attached',
      details: { reference: 'PJ-2026-000005', itemId: 'item-9', itemState: 'published' },
    });
  });

  it('answers 404 naming the item when it does not exist, 409 when it is retracted', async () => {
    const missing = await rejection(
      triage(submission(), null).service.attach(ID, 'item-x', analyst),
      NotFoundException,
    );
    expect(missing.getResponse()).toMatchObject({ details: [{ field: 'itemId', message: 'no item item-x' }] });
    expect(
      await conflictField(triage(submission(), { state: 'retracted' }).service.attach(ID, 'item-9', analyst)),
    ).toBe('itemId');
  });

  it('closes with the reason, audited; a closed one is not closed again', async () => {
    const { service, submissions, audit } = triage(submission({ itemId: 'item-9' }));
    await service.close(ID, 'resolved', analyst);
    expect(submissions.close).toHaveBeenCalledWith(ID, 'resolved', tx);
    expect(audit.append.mock.calls[0][1]).toMatchObject({
      action: 'submission.closed',
      details: { reference: 'PJ-2026-000005', reason: 'resolved', itemId: 'item-9' },
    });
    const closed = triage(submission({ triageState: 'closed', closeReason: 'spam' }));
    expect(await conflictField(closed.service.close(ID, 'duplicate', analyst))).toBe('triageState');
    expect(closed.submissions.close).not.toHaveBeenCalled();
  });

  it('closes a rejected submission too (it stays on record)', async () => {
    const { service, submissions } = triage(submission({ status: 'rejected', content: null, reference: null }));
    await service.close(ID, 'spam', analyst);
    expect(submissions.close).toHaveBeenCalledWith(ID, 'spam', tx);
  });
});
