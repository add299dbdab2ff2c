import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { TeamKeyService } from '@tlp-broker/crypto';
import { DeliveredStep, ItemContent, Publisher, SealedCopy, servedHistory, StepView } from '@tlp-broker/stix';
import { Indicator } from '@tlp-broker/domain';
import type { TlpLabel, PapLabel } from '@tlp-broker/tlp';
import type { ItemKind, Severity } from '@tlp-broker/domain';

/**
 * What one partner channel was delivered, as every pull form (JSON, TAXII, MISP) sees it: its feed
 * entries, nothing else. An entry is an item version or a recall notice. A TLP:CLEAR item version
 * may be served in the clear; anything else only as the recipient's own encrypted copy.
 */
export interface EntryHead {
  readonly seq: string;
  readonly deliveredAt: Date;
  /** When the entry was added to the channel's feed, in microseconds since the epoch (see appendFeedEntry). */
  readonly addedUs: number;
  readonly entry: 'item' | 'recall';
  readonly itemId: string;
  readonly version: number;
  readonly kind: ItemKind;
  readonly tlp: TlpLabel;
  readonly pap: PapLabel | null;
  readonly deliveryId: string;
  readonly keyFingerprint: string;
  readonly severity: Severity | null;
  readonly itemCreatedAt: Date;
  readonly versionCreatedAt: Date;
  /** Indicators of a TLP:CLEAR item version (served in the clear); empty otherwise. */
  readonly indicators: readonly Indicator[];
}

/** A TLP:CLEAR item version served in the clear. */
export function inClear(head: EntryHead): boolean {
  return head.entry === 'item' && head.tlp === 'TLP:CLEAR';
}

@Injectable()
export class PartnerView {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly teamKey: TeamKeyService,
  ) {}

  /**
   * The entries of the channel's feed, in the order they were added, without the messages; with
   * `afterUs` (microseconds since the epoch), only the entries that may hold objects added after it:
   * the entry added at or before it, and those after.
   */
  async heads(channelId: string, afterUs?: number): Promise<EntryHead[]> {
    const rows: {
      seq: string;
      created_at: Date;
      added_us: string;
      entry: 'item' | 'recall';
      item_id: string;
      item_version: number;
      kind: ItemKind;
      tlp: TlpLabel;
      pap: PapLabel | null;
      delivery_id: string;
      key_fingerprint: string;
      severity: Severity | null;
      item_created_at: Date;
      version_created_at: Date;
      indicators: Indicator[] | null;
    }[] = await this.dataSource.query(
      `SELECT f.seq, f.created_at, ${MICROSECONDS('f.added_at')} AS added_us, f.entry, f.item_id, f.item_version, f.kind, f.tlp, f.pap, f.delivery_id, f.key_fingerprint,
              v.severity, i.created_at AS item_created_at, v.created_at AS version_created_at,
              CASE WHEN f.entry = 'item' AND f.tlp = 'TLP:CLEAR' THEN v.indicators END AS indicators
         FROM feed_entries f
         JOIN items i ON i.id = f.item_id
         JOIN item_versions v ON v.item_id = f.item_id AND v.version = f.item_version
        WHERE f.channel_id = $1
          AND ($2::bigint IS NULL OR f.added_at >= coalesce(
                (SELECT max(p.added_at) FROM feed_entries p WHERE p.channel_id = $1 AND p.added_at <= ${INSTANT('$2::bigint')}), '-infinity'))
        ORDER BY f.added_at`,
      [channelId, afterUs ?? null],
    );
    return rows.map((row) => ({
      seq: row.seq,
      deliveredAt: row.created_at,
      addedUs: Number(row.added_us),
      entry: row.entry,
      itemId: row.item_id,
      version: row.item_version,
      kind: row.kind,
      tlp: row.tlp,
      pap: row.pap,
      deliveryId: row.delivery_id,
      keyFingerprint: row.key_fingerprint,
      severity: row.severity,
      itemCreatedAt: row.item_created_at,
      versionCreatedAt: row.version_created_at,
      indicators: row.indicators ?? [],
    }));
  }

  /** The armored messages of some of the channel's entries, by seq. */
  async messages(channelId: string, seqs: readonly string[]): Promise<Map<string, string>> {
    if (seqs.length === 0) return new Map();
    const rows: { seq: string; message: string }[] = await this.dataSource.query(
      'SELECT seq, message FROM feed_entries WHERE channel_id = $1 AND seq = ANY($2::bigint[])',
      [channelId, seqs],
    );
    return new Map(rows.map((row) => [row.seq, row.message]));
  }

  /** The content of TLP:CLEAR item versions the channel was delivered (only those). */
  async clearContent(heads: readonly EntryHead[]): Promise<Map<string, ItemContent>> {
    const wanted = heads.filter(inClear);
    if (wanted.length === 0) return new Map();
    const rows: { item_id: string; version: number; title: string; summary: string; body: string; tlp: TlpLabel }[] =
      await this.dataSource.query(
        `SELECT v.item_id, v.version, v.title, v.summary, v.body, v.tlp
         FROM item_versions v
         JOIN unnest($1::uuid[], $2::int[]) AS w(item_id, version) ON w.item_id = v.item_id AND w.version = v.version`,
        [wanted.map((head) => head.itemId), wanted.map((head) => head.version)],
      );
    const byKey = new Map(
      rows.filter((row) => row.tlp === 'TLP:CLEAR').map((row) => [`${row.item_id}/${row.version}`, row]),
    );
    const out = new Map<string, ItemContent>();
    for (const head of wanted) {
      const row = byKey.get(`${head.itemId}/${head.version}`);
      if (!row) continue;
      out.set(head.seq, {
        itemId: head.itemId,
        version: head.version,
        kind: head.kind,
        tlp: head.tlp,
        pap: head.pap,
        title: row.title,
        summary: row.summary,
        body: row.body,
        indicators: head.indicators,
        createdAt: head.itemCreatedAt,
        modifiedAt: head.versionCreatedAt,
      });
    }
    return out;
  }

  /**
   * How each entry is served, given everything the channel was handed of its item (`servedHistory`):
   * one view per head. Item versions come from the deliveries made to the channel, since a
   * retraction or a narrowing update removes their entries from the feed while partners' tools
   * still hold what they ingested from them.
   */
  async served(channelId: string, heads: readonly EntryHead[]): Promise<Map<string, StepView>> {
    if (heads.length === 0) return new Map();
    const itemIds = [...new Set(heads.map((head) => head.itemId))];
    const rows: {
      delivery_id: string;
      entry: 'item' | 'recall';
      item_id: string;
      version: number;
      tlp: TlpLabel;
      pap: PapLabel | null;
      severity: Severity | null;
      at: Date;
      indicators: Indicator[] | null;
    }[] = await this.dataSource.query(
      `SELECT d.id AS delivery_id, d.kind AS entry, v.item_id, v.version,
              CASE WHEN d.kind = 'recall' THEN f.tlp ELSE v.tlp END AS tlp,
              CASE WHEN d.kind = 'recall' THEN NULL ELSE v.pap END AS pap,
              CASE WHEN d.kind = 'recall' THEN NULL ELSE v.severity END AS severity,
              CASE WHEN d.kind = 'recall' THEN f.created_at ELSE v.created_at END AS at,
              CASE WHEN d.kind = 'item' AND v.tlp = 'TLP:CLEAR' THEN v.indicators END AS indicators
         FROM deliveries d
         JOIN item_versions v ON v.id = d.item_version_id
         LEFT JOIN feed_entries f ON f.delivery_id = d.id
        WHERE d.channel_id = $1 AND v.item_id = ANY($2::uuid[])
          AND ((d.kind = 'item' AND d.state IN ('delivered', 'recalled')) OR (d.kind = 'recall' AND f.seq IS NOT NULL))`,
      [channelId, itemIds],
    );
    const steps = new Map<string, DeliveredStep & { itemId: string }>();
    for (const row of rows) {
      steps.set(row.delivery_id, {
        itemId: row.item_id,
        deliveryId: row.delivery_id,
        entry: row.entry,
        version: Number(row.version),
        tlp: row.tlp,
        pap: row.pap,
        severity: row.severity,
        at: row.at,
        clearIndicators: row.indicators ?? [],
      });
    }
    // Every entry is served even if its delivery reads otherwise (it was written when delivered).
    for (const head of heads) {
      if (steps.has(head.deliveryId)) continue;
      steps.set(head.deliveryId, {
        itemId: head.itemId,
        deliveryId: head.deliveryId,
        entry: head.entry,
        version: head.version,
        tlp: head.tlp,
        pap: head.entry === 'item' ? head.pap : null,
        severity: head.entry === 'item' ? head.severity : null,
        at: head.entry === 'recall' ? head.deliveredAt : head.versionCreatedAt,
        clearIndicators: inClear(head) ? head.indicators : [],
      });
    }
    const byItem = new Map<string, (DeliveredStep & { itemId: string })[]>();
    for (const step of steps.values()) byItem.set(step.itemId, [...(byItem.get(step.itemId) ?? []), step]);
    const views = new Map<string, StepView>();
    for (const history of byItem.values()) {
      // A version, then the recall that withdrew it (attached to the version that narrowed the
      // audience, or to the latest on retraction), then any later version.
      history.sort((a, b) => a.version - b.version || Number(a.entry === 'recall') - Number(b.entry === 'recall'));
      for (const view of servedHistory(history)) views.set(view.step.deliveryId, view);
    }
    return views;
  }

  /** The recipient's own copy of an entry, described without its content. */
  sealedCopy(head: EntryHead, message: string, view: StepView): SealedCopy {
    return {
      itemId: head.itemId,
      version: view.referenceVersion,
      kind: head.kind,
      tlp: head.tlp,
      pap: head.entry === 'item' ? head.pap : null,
      createdAt: head.itemCreatedAt,
      modifiedAt: view.modified,
      deliveryId: head.deliveryId,
      armoredMessage: message,
      keyFingerprint: head.keyFingerprint,
      revoked: head.entry === 'recall',
      recall: head.entry === 'recall',
      generation: view.generation,
    };
  }

  /** When the channel was created, in microseconds: the team identity and the marking definitions are added then. */
  async channelCreatedUs(channelId: string): Promise<number> {
    const [row]: { created_us: string }[] = await this.dataSource.query(
      `SELECT ${MICROSECONDS('created_at')} AS created_us FROM channels WHERE id = $1`,
      [channelId],
    );
    return Number(row.created_us);
  }

  /** The team, as STIX and MISP name it. */
  async publisher(): Promise<Publisher> {
    const keys = await this.teamKey.all();
    const since = keys.reduce(
      (first, key) => (key.createdAt < first ? key.createdAt : first),
      keys[0]?.createdAt ?? new Date(0),
    );
    return { name: this.teamKey.publisherName(), since, contactEmail: this.config.teamKey.userId.email };
  }
}

/** A TLP:CLEAR item version's content as this step serves it (its `modified`, its indicators' generations). */
export function servedContent(content: ItemContent, view: StepView): ItemContent {
  return {
    ...content,
    modifiedAt: view.modified,
    generation: view.generation,
    indicators: view.live.map((version) => version.indicator),
  };
}

/**
 * A timestamptz as whole microseconds since the epoch (exact: PostgreSQL's extract gives a numeric),
 * as text: JavaScript's Date keeps only milliseconds, and microseconds since the epoch stay within
 * Number's exact integers.
 */
export const MICROSECONDS = (column: string) => `(extract(epoch FROM ${column}) * 1000000)::bigint::text`;

/** The timestamptz of a bigint of microseconds since the epoch. */
export const INSTANT = (parameter: string) => `('epoch'::timestamptz + ${parameter} * interval '1 microsecond')`;
