import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { DecisionEntity, DecisionPurpose } from '../entities';

const INSERT_CHUNK = 1_000;

/** A decision as routing stores it. */
export type NewDecision = Omit<DecisionEntity, 'id' | 'purpose'> & { purpose?: DecisionPurpose };

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

  /** Several decisions at once, by id (those that exist). */
  async getMany(ids: readonly string[], tx?: EntityManager): Promise<Map<string, DecisionEntity>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db(tx)
      .getRepository(DecisionEntity)
      .findBy({ id: In([...new Set(ids)]) });
    return new Map(rows.map((row) => [row.id, row]));
  }

  /**
   * Stores one version's decisions, in chunks (one statement of arrays per chunk); returns each
   * decision's id by its channel id. The ids are made here (random UUIDs, as the column's default
   * would), so nothing needs reading back.
   */
  async insertAll(decisions: readonly NewDecision[], tx?: EntityManager): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (let i = 0; i < decisions.length; i += INSERT_CHUNK) {
      const chunk = decisions.slice(i, i + INSERT_CHUNK);
      const chunkIds = chunk.map(() => randomUUID());
      const column = <K extends keyof NewDecision>(key: K) => chunk.map((decision) => decision[key]);
      await this.db(tx).query(
        `INSERT INTO decisions (id, item_version_id, organisation_id, contact_id, channel_id, allow, code, reason, handling, key_fingerprint, decided_at, purpose)
         SELECT * FROM unnest($11::uuid[], $1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::boolean[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[], $12::text[])`,
        [
          column('itemVersionId'),
          column('organisationId'),
          column('contactId'),
          column('channelId'),
          column('allow'),
          column('code'),
          column('reason'),
          column('handling'),
          column('keyFingerprint'),
          column('decidedAt'),
          chunkIds,
          chunk.map((decision) => decision.purpose ?? 'routing'),
        ],
      );
      chunk.forEach((decision, at) => ids.set(decision.channelId, chunkIds[at]));
    }
    return ids;
  }

  /** The highest version of the item after `version` that was routed (has decisions), or null. */
  async latestRoutedVersionAfter(itemId: string, version: number, tx?: EntityManager): Promise<number | null> {
    const [later]: { version: number }[] = await this.db(tx).query(
      `SELECT v.version FROM item_versions v WHERE v.item_id = $1 AND v.version > $2
          AND EXISTS (SELECT 1 FROM decisions d WHERE d.item_version_id = v.id AND d.purpose = 'routing')
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
        WHERE v.item_id = $1 AND d.channel_id = $2 AND v.version > $3 AND d.purpose = 'routing'
        ORDER BY v.version DESC LIMIT 1`,
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
