import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DecisionEntity } from '../entities';

const INSERT_CHUNK = 1_000;

/** A decision as routing stores it. */
export type NewDecision = Omit<DecisionEntity, 'id'>;

/** The decision stored for a channel with the latest version routed after another. */
export interface LaterDecision {
  readonly decisionId: string;
  readonly allow: boolean;
  readonly reason: string;
  readonly itemVersionId: string;
  readonly version: number;
}

/**
 * Every decision of the policy engine for an item version and a channel (decisions).
 * Every query on these tables is a named method here; a method that must take part in a
 * caller's transaction takes its `tx` as last argument (default: outside any transaction).
 */
@Injectable()
export class DecisionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The caller's transaction, or the pool outside any. */
  protected db(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  /** A decision a delivery was made for; decisions are never deleted, so a missing one is a fault (it throws). */
  get(id: string, tx?: EntityManager): Promise<DecisionEntity> {
    return this.db(tx).getRepository(DecisionEntity).findOneOrFail({ where: { id } });
  }

  /** Stores one version's decisions, in chunks; returns each decision's id by its channel id. */
  async insertAll(decisions: readonly NewDecision[], tx?: EntityManager): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (let i = 0; i < decisions.length; i += INSERT_CHUNK) {
      const result = await this.db(tx)
        .createQueryBuilder()
        .insert()
        .into(DecisionEntity)
        .values(decisions.slice(i, i + INSERT_CHUNK))
        .returning(['id', 'channelId'])
        .execute();
      for (const row of result.raw as { id: string; channel_id: string }[]) ids.set(row.channel_id, row.id);
    }
    return ids;
  }

  /** The highest version of the item after `version` that was routed (has decisions), or null. */
  async latestRoutedVersionAfter(itemId: string, version: number, tx?: EntityManager): Promise<number | null> {
    const [later]: { version: number }[] = await this.db(tx).query(
      `SELECT v.version FROM item_versions v WHERE v.item_id = $1 AND v.version > $2
          AND EXISTS (SELECT 1 FROM decisions d WHERE d.item_version_id = v.id)
        ORDER BY v.version DESC LIMIT 1`,
      [itemId, version],
    );
    return later ? Number(later.version) : null;
  }

  /** The channel's decision for the latest version of the item routed after `version`, or null. */
  async latestForChannelAfter(
    itemId: string,
    channelId: string,
    version: number,
    tx?: EntityManager,
  ): Promise<LaterDecision | null> {
    const [later]: { id: string; allow: boolean; reason: string; version_id: string; version: number }[] =
      await this.db(tx).query(
        `SELECT d.id, d.allow, d.reason, v.id AS version_id, v.version FROM decisions d JOIN item_versions v ON v.id = d.item_version_id
        WHERE v.item_id = $1 AND d.channel_id = $2 AND v.version > $3 ORDER BY v.version DESC LIMIT 1`,
        [itemId, channelId, version],
      );
    if (!later) return null;
    return {
      decisionId: later.id,
      allow: later.allow,
      reason: later.reason,
      itemVersionId: later.version_id,
      version: Number(later.version),
    };
  }

  /** The decisions taken for an item version, optionally only those about one organisation's channels. */
  forItemVersion(
    itemVersionId: string,
    filter: { organisationId?: string } = {},
    tx?: EntityManager,
  ): Promise<DecisionEntity[]> {
    const organisation = filter.organisationId ? { organisationId: filter.organisationId } : {};
    return this.db(tx)
      .getRepository(DecisionEntity)
      .find({ where: { itemVersionId, ...organisation } });
  }
}
