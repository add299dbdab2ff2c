import { Injectable } from '@nestjs/common';
import {
  ItemSummary,
  ItemSummaryFilter,
  itemSummariesQuery,
  ItemSummaryRow,
  ITEM_VERSIONS,
  ItemVersionRecord,
  ItemVersionRow,
  PublicRelease,
  publicReleasesQuery,
  PublicReleaseRow,
  toItemSummary,
  toItemVersionRecord,
  toPublicRelease,
  VersionText,
} from './item-reads';
import type { TlpLabel } from '@tlp-broker/tlp';
import { DataSource, EntityManager } from 'typeorm';
import type { ItemState } from '@tlp-broker/domain';
import { ItemEntity, ItemVersionEntity, OutboxTopic } from '../entities';

/** A new item, before the database gives it its id and creation time. */
export type NewItem = Pick<ItemEntity, 'kind' | 'state' | 'currentVersion' | 'createdBy' | 'updatedAt'>;

/** A new version: everything but what the database and a later approval fill in. */
export type NewItemVersion = Omit<ItemVersionEntity, 'id' | 'approvedBy' | 'approvedAt' | 'createdAt'>;

/** An item moving to `state` at `at`; with `currentVersion` when another version becomes current too. */
export interface ItemStateChange {
  readonly state: ItemState;
  readonly currentVersion?: number;
  readonly at: Date;
}

/**
 * Items and their versions (items, item_versions).
 * Every query on these tables is a named method here; a method that must take part in a
 * caller's transaction takes its `tx` as last argument (default: outside any transaction).
 */
@Injectable()
export class ItemRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The caller's transaction, or the pool outside any. */
  protected db(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  insert(item: NewItem, tx?: EntityManager): Promise<ItemEntity> {
    const repository = this.db(tx).getRepository(ItemEntity);
    return repository.save(repository.create(item));
  }

  insertVersion(version: NewItemVersion, tx?: EntityManager): Promise<ItemVersionEntity> {
    const repository = this.db(tx).getRepository(ItemVersionEntity);
    return repository.save(repository.create(version));
  }

  findById(id: string, tx?: EntityManager): Promise<ItemEntity | null> {
    return this.db(tx).getRepository(ItemEntity).findOne({ where: { id } });
  }

  /** The item, its row locked until `tx` ends: lifecycle changes and deliveries finishing never interleave. */
  lockForUpdate(id: string, tx?: EntityManager): Promise<ItemEntity | null> {
    return this.db(tx)
      .getRepository(ItemEntity)
      .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** One version of the item; an item's versions are never deleted, so a missing one is a fault (it throws). */
  versionOf(itemId: string, version: number, tx?: EntityManager): Promise<ItemVersionEntity> {
    return this.db(tx).getRepository(ItemVersionEntity).findOneOrFail({ where: { itemId, version } });
  }

  /** The highest version number the item has (0 for none). */
  async latestVersionNumber(itemId: string, tx?: EntityManager): Promise<number> {
    return (await this.db(tx).getRepository(ItemVersionEntity).maximum('version', { itemId })) ?? 0;
  }

  /**
   * The latest version before `version` that was released (given an outbox row to be routed), or
   * null: what stays current when a later version is rejected.
   */
  async lastReleasedVersionBefore(itemId: string, version: number, tx?: EntityManager): Promise<number | null> {
    const [row]: { version: number }[] = await this.db(tx).query(
      `SELECT v.version FROM item_versions v JOIN outbox o ON o.item_version_id = v.id AND o.topic = $3
        WHERE v.item_id = $1 AND v.version < $2 ORDER BY v.version DESC LIMIT 1`,
      [itemId, version, OutboxTopic.Published],
    );
    return row ? Number(row.version) : null;
  }

  async changeState(id: string, change: ItemStateChange, tx?: EntityManager): Promise<void> {
    await this.db(tx)
      .getRepository(ItemEntity)
      .update(
        { id },
        {
          state: change.state,
          updatedAt: change.at,
          ...(change.currentVersion === undefined ? {} : { currentVersion: change.currentVersion }),
        },
      );
  }

  /** Retracted at `at`; `notice` goes to earlier recipients with the recall. */
  async markRetracted(id: string, notice: string | null, at: Date, tx?: EntityManager): Promise<void> {
    await this.db(tx)
      .getRepository(ItemEntity)
      .update({ id }, { state: 'retracted', retractedAt: at, retractionNotice: notice, updatedAt: at });
  }

  /** Four eyes: who released the version, and when. */
  async recordApproval(versionId: string, approvedBy: string, at: Date, tx?: EntityManager): Promise<void> {
    await this.db(tx).getRepository(ItemVersionEntity).update({ id: versionId }, { approvedBy, approvedAt: at });
  }

  /**
   * The public items, newest release first: those whose latest released (routed) version is
   * TLP:CLEAR and that are not retracted; a newer version above TLP:CLEAR takes an item out.
   */
  async publicReleases(limit: number, tx?: EntityManager): Promise<PublicRelease[]> {
    const rows: PublicReleaseRow[] = await this.db(tx).query(...publicReleasesQuery(null, limit));
    return rows.map(toPublicRelease);
  }

  /** One item, if it is public (as `publicReleases` reads it), however many items were released after it. */
  async publicRelease(itemId: string, tx?: EntityManager): Promise<PublicRelease | null> {
    const [row]: PublicReleaseRow[] = await this.db(tx).query(...publicReleasesQuery(itemId, 1));
    return row ? toPublicRelease(row) : null;
  }

  /** The title, summary, body and label of some item versions (those that exist). */
  async versionTexts(
    versions: readonly { itemId: string; version: number }[],
    tx?: EntityManager,
  ): Promise<VersionText[]> {
    if (versions.length === 0) return [];
    const rows: { item_id: string; version: number; title: string; summary: string; body: string; tlp: TlpLabel }[] =
      await this.db(tx).query(
        `SELECT v.item_id, v.version, v.title, v.summary, v.body, v.tlp
           FROM item_versions v
           JOIN unnest($1::uuid[], $2::int[]) AS w(item_id, version) ON w.item_id = v.item_id AND w.version = v.version`,
        [versions.map((wanted) => wanted.itemId), versions.map((wanted) => wanted.version)],
      );
    return rows.map((row) => ({
      itemId: row.item_id,
      version: row.version,
      tlp: row.tlp,
      title: row.title,
      summary: row.summary,
      body: row.body,
    }));
  }

  /**
   * Items by their current version, the most recently changed (newest current version) first,
   * optionally in one state or with a piece of text in their title (in any case).
   */
  async summaries(filter: ItemSummaryFilter, limit: number, tx?: EntityManager): Promise<ItemSummary[]> {
    const rows: ItemSummaryRow[] = await this.db(tx).query(...itemSummariesQuery(filter, limit));
    return rows.map(toItemSummary);
  }

  /** Every version of the item in full, newest first (none: no such item, since an item has at least one). */
  async versionRecords(itemId: string, tx?: EntityManager): Promise<ItemVersionRecord[]> {
    const rows: ItemVersionRow[] = await this.db(tx).query(ITEM_VERSIONS, [itemId]);
    return rows.map(toItemVersionRecord);
  }

  /** One version by its id, or null. */
  findVersion(versionId: string, tx?: EntityManager): Promise<ItemVersionEntity | null> {
    return this.db(tx)
      .getRepository(ItemVersionEntity)
      .findOne({ where: { id: versionId } });
  }

  /**
   * The item's state and current version, its row share-locked until `tx` ends (FOR SHARE):
   * deliveries of the item finish side by side, and wait for a retraction or routing in progress.
   */
  async lockForShare(id: string, tx?: EntityManager): Promise<{ state: ItemState; currentVersion: number } | null> {
    const [row]: { state: ItemState; current_version: number }[] = await this.db(tx).query(
      'SELECT state, current_version FROM items WHERE id = $1 FOR SHARE',
      [id],
    );
    return row ? { state: row.state, currentVersion: Number(row.current_version) } : null;
  }

  /** Whether the version's release time is still ahead by the database's clock (false without one). */
  async isEmbargoed(versionId: string, tx?: EntityManager): Promise<boolean> {
    const [row]: { embargoed: boolean | null }[] = await this.db(tx).query(
      'SELECT release_at > now() AS embargoed FROM item_versions WHERE id = $1',
      [versionId],
    );
    return row?.embargoed === true;
  }

  /** The highest version after `version` that was released (given an outbox row to be routed), or null. */
  async latestReleasedVersionAfter(itemId: string, version: number, tx?: EntityManager): Promise<number | null> {
    const [row]: { version: number }[] = await this.db(tx).query(
      `SELECT v.version FROM item_versions v JOIN outbox o ON o.item_version_id = v.id AND o.topic = $3
        WHERE v.item_id = $1 AND v.version > $2 ORDER BY v.version DESC LIMIT 1`,
      [itemId, version, OutboxTopic.Published],
    );
    return row ? Number(row.version) : null;
  }

  /** An embargoed item becomes published when its version is routed; any other state stays. */
  async publishIfScheduled(id: string, tx?: EntityManager): Promise<void> {
    const published: ItemState = 'published';
    const scheduled: ItemState = 'scheduled';
    await this.db(tx).query('UPDATE items SET state = $2, updated_at = now() WHERE id = $1 AND state = $3', [
      id,
      published,
      scheduled,
    ]);
  }
}
