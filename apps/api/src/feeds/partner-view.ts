import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { TeamKeyService } from '@tlp-broker/crypto';
import { Indicator } from '@tlp-broker/persistence';
import { ItemContent, Publisher, SealedCopy } from '@tlp-broker/stix';

/**
 * What one partner channel was delivered, as every pull form (JSON, TAXII, MISP) sees it: its feed
 * entries, nothing else. An entry is an item version or a recall notice. A TLP:CLEAR item version
 * may be served in the clear; anything else only as the recipient's own encrypted copy.
 */
export interface EntryHead {
  readonly seq: string;
  readonly deliveredAt: Date;
  readonly entry: 'item' | 'recall';
  readonly itemId: string;
  readonly version: number;
  readonly kind: string;
  readonly tlp: string;
  readonly pap: string | null;
  readonly deliveryId: string;
  readonly keyFingerprint: string;
  readonly severity: string | null;
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

  /** The entries of the channel's feed (delivered after `after`, when given), oldest first, without the messages. */
  async heads(channelId: string, after?: Date): Promise<EntryHead[]> {
    const rows: {
      seq: string;
      created_at: Date;
      entry: 'item' | 'recall';
      item_id: string;
      item_version: number;
      kind: string;
      tlp: string;
      pap: string | null;
      delivery_id: string;
      key_fingerprint: string;
      severity: string | null;
      item_created_at: Date;
      version_created_at: Date;
      indicators: Indicator[] | null;
    }[] = await this.dataSource.query(
      `SELECT f.seq, f.created_at, f.entry, f.item_id, f.item_version, f.kind, f.tlp, f.pap, f.delivery_id, f.key_fingerprint,
              v.severity, i.created_at AS item_created_at, v.created_at AS version_created_at,
              CASE WHEN f.entry = 'item' AND f.tlp = 'TLP:CLEAR' THEN v.indicators END AS indicators
         FROM feed_entries f
         JOIN items i ON i.id = f.item_id
         JOIN item_versions v ON v.item_id = f.item_id AND v.version = f.item_version
        WHERE f.channel_id = $1 AND ($2::timestamptz IS NULL OR date_trunc('milliseconds', f.created_at) > $2)
        ORDER BY f.seq`,
      [channelId, after ?? null],
    );
    return rows.map((row) => ({
      seq: row.seq,
      deliveredAt: row.created_at,
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
    const rows: { seq: string; message: string }[] = await this.dataSource.query('SELECT seq, message FROM feed_entries WHERE channel_id = $1 AND seq = ANY($2::bigint[])', [
      channelId,
      seqs,
    ]);
    return new Map(rows.map((row) => [row.seq, row.message]));
  }

  /** The content of TLP:CLEAR item versions the channel was delivered (only those). */
  async clearContent(heads: readonly EntryHead[]): Promise<Map<string, ItemContent>> {
    const wanted = heads.filter(inClear);
    if (wanted.length === 0) return new Map();
    const rows: { item_id: string; version: number; title: string; summary: string; body: string; tlp: string }[] = await this.dataSource.query(
      `SELECT v.item_id, v.version, v.title, v.summary, v.body, v.tlp
         FROM item_versions v
         JOIN unnest($1::uuid[], $2::int[]) AS w(item_id, version) ON w.item_id = v.item_id AND w.version = v.version`,
      [wanted.map((head) => head.itemId), wanted.map((head) => head.version)],
    );
    const byKey = new Map(rows.filter((row) => row.tlp === 'TLP:CLEAR').map((row) => [`${row.item_id}/${row.version}`, row]));
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

  /** The recipient's own copy of an entry, described without its content. */
  sealedCopy(head: EntryHead, message: string): SealedCopy {
    return {
      itemId: head.itemId,
      version: head.version,
      kind: head.kind,
      tlp: head.tlp,
      pap: head.entry === 'item' ? head.pap : null,
      createdAt: head.itemCreatedAt,
      modifiedAt: modifiedOf(head),
      deliveryId: head.deliveryId,
      armoredMessage: message,
      keyFingerprint: head.keyFingerprint,
      revoked: head.entry === 'recall',
      recall: head.entry === 'recall',
    };
  }

  /** The team, as STIX and MISP name it. */
  async publisher(): Promise<Publisher> {
    const keys = await this.teamKey.all();
    const since = keys.reduce((first, key) => (key.createdAt < first ? key.createdAt : first), keys[0]?.createdAt ?? new Date(0));
    return { name: this.teamKey.publisherName(), since, contactEmail: this.config.teamKey.userId.email };
  }
}

/** The STIX `modified` of an entry: its version's release, or the recall's time. */
export function modifiedOf(head: EntryHead): Date {
  return head.entry === 'recall' ? head.deliveredAt : head.versionCreatedAt;
}
