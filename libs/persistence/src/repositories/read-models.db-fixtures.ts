import type { DataSource } from 'typeorm';
import type { DeliveryKind, DeliveryState, Indicator, ItemKind, ItemState } from '@tlp-broker/domain';
import type { PapLabel, TlpLabel } from '@tlp-broker/tlp';
import { OutboxTopic } from '../entities';

/**
 * What partners and staff read — organisations, channels, items, deliveries, feed entries —
 * arranged directly in a test database (as the superuser: what is arranged here is not under test).
 */
export class ReadFixtures {
  /** Names are unique in their tables: each one arranged gets a number. */
  private count = 0;

  constructor(private readonly db: DataSource) {}

  private async insert(sql: string, parameters: unknown[]): Promise<string> {
    const [row]: { id: string }[] = await this.db.query(sql, parameters);
    return row.id;
  }

  user(): Promise<string> {
    return this.insert(`INSERT INTO users (name, roles) VALUES ($1, ARRAY['analyst']) RETURNING id`, [
      `analyst ${++this.count}`,
    ]);
  }

  organisation(name: string): Promise<string> {
    return this.insert(
      `INSERT INTO organisations (name, kind, relation, communities, accreditations, status)
       VALUES ($1, 'cert', 'peer', '{}', '{}', 'active') RETURNING id`,
      [name],
    );
  }

  contact(organisationId: string, name: string): Promise<string> {
    return this.insert(`INSERT INTO contacts (organisation_id, name, email) VALUES ($1, $2, $3) RETURNING id`, [
      organisationId,
      name,
      `person${++this.count}@partner.example`,
    ]);
  }

  key(organisationId: string, fingerprint: string, contactId: string | null = null): Promise<string> {
    return this.insert(
      `INSERT INTO recipient_keys (organisation_id, contact_id, fingerprint, version, algorithm, key_created_at, encryption_key_id, armored)
       VALUES ($1, $2, $3, 4, 'eddsa', now(), 'ABCDEF0123456789', 'armored key') RETURNING id`,
      [organisationId, contactId, fingerprint],
    );
  }

  /** A feed channel; `createdAt` as text PostgreSQL reads (microseconds kept). */
  channel(organisationId: string, options: { contactId?: string; createdAt?: string } = {}): Promise<string> {
    return this.insert(
      `INSERT INTO channels (organisation_id, contact_id, kind, redistributes, status, created_at)
       VALUES ($1, $2, 'feed', false, 'active', coalesce($3::timestamptz, now())) RETURNING id`,
      [organisationId, options.contactId ?? null, options.createdAt ?? null],
    );
  }

  item(author: string, options: { kind?: ItemKind; state?: ItemState } = {}): Promise<string> {
    return this.insert(
      `INSERT INTO items (kind, state, current_version, created_by, updated_at) VALUES ($1, $2, 1, $3, now()) RETURNING id`,
      [options.kind ?? 'advisory', options.state ?? 'published', author],
    );
  }

  version(
    itemId: string,
    author: string,
    version: number,
    options: { tlp?: TlpLabel; pap?: PapLabel; indicators?: Indicator[]; createdAt?: string; title?: string } = {},
  ): Promise<string> {
    return this.insert(
      `INSERT INTO item_versions (item_id, version, title, summary, body, tlp, pap, severity, audience, caveats, indicators, created_by, created_at)
       VALUES ($1, $2, $3, 'summary', 'body', $4, $5, 'high', '{}'::jsonb, '{}', $6::jsonb, $7, coalesce($8::timestamptz, now()))
       RETURNING id`,
      [
        itemId,
        version,
        options.title ?? `version ${version}`,
        options.tlp ?? 'TLP:AMBER',
        options.pap ?? null,
        JSON.stringify(options.indicators ?? []),
        author,
        options.createdAt ?? null,
      ],
    );
  }

  /** The version's release, routed (processed) or not yet. */
  async released(itemVersionId: string, processed = true): Promise<void> {
    await this.db.query(
      `INSERT INTO outbox (topic, item_version_id, processed_at) VALUES ($1, $2, CASE WHEN $3 THEN now() END)`,
      [OutboxTopic.Published, itemVersionId, processed],
    );
  }

  /** A delivery (an item delivery carries out an allow decision, arranged with it). */
  async delivery(row: {
    itemVersionId: string;
    organisationId: string;
    channelId: string;
    contactId?: string | null;
    kind?: DeliveryKind;
    state?: DeliveryState;
    lastError?: string;
    /** How long ago it last changed, as a PostgreSQL interval. */
    age?: string;
  }): Promise<string> {
    const kind = row.kind ?? 'item';
    const decisionId =
      kind === 'item'
        ? await this.insert(
            `INSERT INTO decisions (item_version_id, organisation_id, contact_id, channel_id, allow, code, reason, decided_at)
             VALUES ($1, $2, $3, $4, true, 'tlp.clear', 'allowed', now()) RETURNING id`,
            [row.itemVersionId, row.organisationId, row.contactId ?? null, row.channelId],
          )
        : null;
    return this.insert(
      `INSERT INTO deliveries (kind, decision_id, item_version_id, channel_id, organisation_id, contact_id, state, attempts, last_error, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 3, $8, now() - coalesce($9::interval, interval '0')) RETURNING id`,
      [
        kind,
        decisionId,
        row.itemVersionId,
        row.channelId,
        row.organisationId,
        row.contactId ?? null,
        row.state ?? 'delivered',
        row.lastError ?? null,
        row.age ?? null,
      ],
    );
  }

  /** A feed entry added at `addedAt` (text with microseconds); returns its seq. */
  async feedEntry(row: {
    deliveryId: string;
    channelId: string;
    itemId: string;
    version: number;
    entry?: DeliveryKind;
    tlp?: TlpLabel;
    addedAt: string;
    message?: string;
  }): Promise<string> {
    const [inserted]: { seq: string }[] = await this.db.query(
      `INSERT INTO feed_entries (delivery_id, channel_id, item_id, item_version, entry, kind, tlp, key_fingerprint, message, added_at)
       VALUES ($1, $2, $3, $4, $5, 'advisory', $6, 'F1F2', $7, $8) RETURNING seq`,
      [
        row.deliveryId,
        row.channelId,
        row.itemId,
        row.version,
        row.entry ?? 'item',
        row.tlp ?? 'TLP:AMBER',
        row.message ?? `message of ${row.deliveryId}`,
        row.addedAt,
      ],
    );
    return inserted.seq;
  }
}
