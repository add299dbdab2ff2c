import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CloseReason } from '@tlp-broker/domain';
import {
  AuditLog,
  ItemRepository,
  SubmissionEntity,
  SubmissionRepository,
  Transactions,
} from '@tlp-broker/persistence';
import { PapLabel, parsePapLabel, parseTlpLabel, TlpLabel } from '@tlp-broker/tlp';
import { StaffPrincipal } from '../auth/principal';
import { invalidField } from '../common/errors';
import { ItemIntakeService } from '../items/item-intake.service';
import { ItemLifecycleService } from '../items/item-lifecycle.service';
import type { ItemView } from '../items/item-view';
import { itemRequestOf } from './draft-item';
import { conflict, notFound } from './submission-answers';
import { SubmissionView } from './submission-views';
import { SubmissionViewsService } from './submission-views.service';
import { ConfirmLabelDto, DraftItemDto } from './submissions.dto';

/** The longest body an item takes (CreateItemDto). */
const MAX_ITEM_BODY = 1_000_000;

/** A draft item made from a submission, and the submission now linked to it. */
export interface DraftedItemView {
  submission: SubmissionView;
  item: ItemView;
}

/** What triage may do to a submission in its state: refused with 409 naming what stands in the way. */
type Step = 'label' | 'draft' | 'attach' | 'close';

/**
 * What analysts do with what came in: confirm its label with the source, draft an item from it
 * (with its provenance), attach it to an existing item, close it. Each step holds the
 * submission's row lock, so two analysts acting at once take turns and the second sees the first's
 * outcome, and each is audited in the same transaction.
 */
@Injectable()
export class TriageService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly submissions: SubmissionRepository,
    private readonly items: ItemRepository,
    private readonly intake: ItemIntakeService,
    private readonly lifecycle: ItemLifecycleService,
    private readonly views: SubmissionViewsService,
  ) {}

  /** The label (and PAP) as the source confirmed it: no longer assumed. */
  async confirmLabel(id: string, dto: ConfirmLabelDto, actor: StaffPrincipal): Promise<SubmissionView> {
    const { tlp, pap } = confirmedLabels(dto);
    await this.transactions.run(async (tx) => {
      const row = await this.lockFor('label', id, tx);
      const after = { tlp, pap: pap === undefined ? row.pap : pap };
      await this.submissions.update(
        id,
        { ...after, flags: row.flags.filter((flag) => flag !== 'label-assumed'), triageState: 'in-triage' },
        tx,
      );
      const before = { tlp: row.tlp, pap: row.pap, assumed: row.flags.includes('label-assumed') };
      await this.append(tx, actor, row, 'submission.label-confirmed', { before, after });
    });
    return this.views.view(id);
  }

  /**
   * A draft item made from the submission through the items' intake (checked like any other),
   * linked to it, in one transaction with both audit events. Nothing leaves until an analyst
   * publishes the draft (POST /items/:id/publish).
   */
  async draftItem(id: string, dto: DraftItemDto, actor: StaffPrincipal): Promise<DraftedItemView> {
    const listed = await this.submissions.listedById(id);
    if (!listed) throw notFound('id', `no submission ${id}`);
    refuseStep('draft', listed.submission);
    refuseContent(listed.submission, dto);
    const draft = await this.intake.draft(itemRequestOf(listed, dto), actor);
    const item = await this.transactions.run(async (tx) => {
      const row = await this.lockFor('draft', id, tx);
      const drafted = await this.lifecycle.saveDraft(draft, actor, tx);
      await this.submissions.update(id, { itemId: drafted.id, triageState: 'in-triage' }, tx);
      await this.append(tx, actor, row, 'submission.item-drafted', {
        itemId: drafted.id,
        type: drafted.type,
        tlp: drafted.tlp,
        originator: drafted.provenance?.originator ?? null,
        consent: drafted.provenance?.consent !== null && drafted.provenance?.consent !== undefined,
      });
      return drafted;
    });
    return { submission: await this.views.view(id), item };
  }

  /** Links the submission to an existing item (it is about that item: a duplicate report, more material). */
  async attach(id: string, itemId: string, actor: StaffPrincipal): Promise<SubmissionView> {
    await this.transactions.run(async (tx) => {
      const row = await this.lockFor('attach', id, tx);
      const item = await this.items.findById(itemId, tx);
      if (!item) throw notFound('itemId', `no item ${itemId}`);
      if (item.state === 'retracted') throw conflict('itemId', `item ${itemId} is retracted`);
      await this.submissions.update(id, { itemId, triageState: 'in-triage' }, tx);
      await this.append(tx, actor, row, 'submission.attached', { itemId, itemState: item.state });
    });
    return this.views.view(id);
  }

  async close(id: string, reason: CloseReason, actor: StaffPrincipal): Promise<SubmissionView> {
    await this.transactions.run(async (tx) => {
      const row = await this.lockFor('close', id, tx);
      await this.submissions.close(id, reason, tx);
      await this.append(tx, actor, row, 'submission.closed', { reason, itemId: row.itemId });
    });
    return this.views.view(id);
  }

  /** The submission, locked until the transaction ends, if its state allows the step. */
  private async lockFor(step: Step, id: string, tx: EntityManager): Promise<SubmissionEntity> {
    const row = await this.submissions.lockById(id, tx);
    if (!row) throw notFound('id', `no submission ${id}`);
    refuseStep(step, row);
    return row;
  }

  private async append(
    tx: EntityManager,
    actor: StaffPrincipal,
    row: SubmissionEntity,
    action: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.append(tx, {
      actor: `user:${actor.userId}`,
      action,
      subjectType: 'submission',
      subjectId: row.id,
      details: { reference: row.reference, ...details },
    });
  }
}

/** 409 when the submission's state does not allow the step, naming what stands in the way. */
function refuseStep(step: Step, row: SubmissionEntity): void {
  if (row.triageState === 'closed')
    throw conflict('triageState', `submission ${row.id} is closed (${row.closeReason ?? 'closed'})`);
  if (step === 'close') return;
  if (row.status === 'rejected')
    throw conflict('status', `submission ${row.id} was rejected: nothing of its content was kept`);
  if (row.itemId) throw conflict('itemId', `submission ${row.id} is already linked to item ${row.itemId}`);
  if (step !== 'draft') return;
  if (row.flags.includes('label-assumed'))
    throw conflict(
      'tlp',
      `the label ${row.tlp ?? ''} of submission ${row.id} is assumed: confirm it with the source first (POST /submissions/${row.id}/label)`,
    );
}

/** The submission's content must fit an item's body, unless the analyst wrote the body. */
function refuseContent(row: SubmissionEntity, dto: DraftItemDto): void {
  if (dto.body !== undefined) return;
  if (!row.content)
    throw conflict('content', `submission ${row.id} has no content to draft an item from: write its body`);
  if (row.content.length > MAX_ITEM_BODY)
    throw conflict(
      'content',
      `submission ${row.id} is longer than an item's body (${MAX_ITEM_BODY} characters): write its body`,
    );
}

/** The confirmed labels, in TLP 2.0 spelling (the DTO checked that they read). */
function confirmedLabels(dto: ConfirmLabelDto): { tlp: TlpLabel; pap: PapLabel | undefined } {
  const tlp = parseTlpLabel(dto.tlp);
  const pap = dto.pap === undefined ? undefined : parsePapLabel(dto.pap);
  if (!tlp.ok) throw invalidField('tlp', tlp.error);
  if (pap && !pap.ok) throw invalidField('pap', pap.error);
  return { tlp: tlp.label, pap: pap?.label };
}
