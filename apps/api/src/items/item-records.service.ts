import { Injectable, NotFoundException } from '@nestjs/common';
import type { ItemState } from '@tlp-broker/domain';
import {
  AuditEventRecord,
  AuditEventRepository,
  AuditPage,
  ItemRepository,
  ItemSummary,
} from '@tlp-broker/persistence';
import { AuditEventView, ItemSummaryView, ItemVersionView } from './item-view';

export interface ItemListing {
  readonly state?: ItemState;
  /** A piece of the title, in any case. */
  readonly q?: string;
  readonly limit?: number;
}

/**
 * The team's records of items: the list of items (and the approvals queue), every version of an
 * item in full, and its audit trail. Nothing is written.
 */
@Injectable()
export class ItemRecordsService {
  constructor(
    private readonly items: ItemRepository,
    private readonly auditEvents: AuditEventRepository,
  ) {}

  /** Items, most recently changed first; those pending approval name the version last released. */
  async list({ state, q, limit = 50 }: ItemListing): Promise<ItemSummaryView[]> {
    return (await this.items.summaries({ state, title: q }, limit)).map(summaryView);
  }

  /** Every version of the item, newest first, with its body and whether it was released. */
  async versions(id: string): Promise<ItemVersionView[]> {
    const versions = await this.items.versionRecords(id);
    // Every item is created with its first version: none means no such item.
    if (versions.length === 0) throw new NotFoundException(`item ${id} not found`);
    return versions;
  }

  /** The audit events about the item, its versions, deliveries and recalls, oldest first. */
  async audit(id: string, { after, limit = 200 }: Partial<AuditPage>): Promise<AuditEventView[]> {
    if (!(await this.items.findById(id))) throw new NotFoundException(`item ${id} not found`);
    return (await this.auditEvents.aboutItem(id, { after, limit })).map(auditEventView);
  }
}

function summaryView({ kind, lastReleasedVersion, ...summary }: ItemSummary): ItemSummaryView {
  return {
    ...summary,
    type: kind,
    ...(summary.state === 'pending-approval' ? { lastReleasedVersion } : {}),
  };
}

function auditEventView({ actorName, ...event }: AuditEventRecord): AuditEventView {
  return { ...event, actor: actorName ?? event.actor };
}
