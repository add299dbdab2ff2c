import type { DataSource } from 'typeorm';
import type {
  DeliveryKind,
  DeliveryState,
  Indicator,
  ItemKind,
  ItemState,
  OrganisationKind,
  PartnerStatus,
  Role,
} from '@tlp-broker/domain';
import type { PapLabel, TlpLabel } from '@tlp-broker/tlp';
import { OutboxTopic, OutboxTopicValue } from '../entities';

/** A feed channel's recipient: the organisation, and the contact when the channel is personal. */
export interface Recipient {
  organisationId: string;
  channelId: string;
  contactId?: string | null;
}

/**
 * Rows arranged directly in a test database, one builder per table, for the repositories' tests.
 * They are written as the superuser (what is arranged here is not under test), on the connection
 * `db.superuser` answers when each row is written: a test file may create its TestRows before its
 * database opens.
 */
export class TestRows {
  /** Names are unique in their tables: each one arranged gets a number. */
  private count = 0;
  /** The analyst who writes every item arranged here, arranged with the first one. */
  private author?: Promise<string>;

  constructor(private readonly db: { readonly superuser: DataSource }) {}

  private async insert(sql: string, parameters: unknown[]): Promise<string> {
    const [row]: { id: string }[] = await this.db.superuser.query(sql, parameters);
    return row.id;
  }

  user(name = 'analyst', roles: readonly Role[] = ['analyst']): Promise<string> {
    return this.insert(`INSERT INTO users (name, roles) VALUES ($1, $2) RETURNING id`, [
      `${name} ${++this.count}`,
      roles,
    ]);
  }

  /**
   * A console session of `userId`, its cookie value's hash given (64 hex digits); times as
   * PostgreSQL intervals from now (`lastSeen` ago, `expiresIn` ahead), revoked when `revoked`.
   */
  session(
    userId: string,
    tokenHash: string,
    options: { stage?: 'enrol' | 'full'; lastSeen?: string; expiresIn?: string; revoked?: boolean } = {},
  ): Promise<string> {
    return this.insert(
      `INSERT INTO sessions (user_id, token_hash, csrf_token, stage, last_seen_at, expires_at, revoked_at)
       VALUES ($1, $2, 'csrf', $3, now() - coalesce($4::interval, interval '0'), now() + coalesce($5::interval, interval '12 hours'),
               CASE WHEN $6 THEN now() END)
       RETURNING id`,
      [
        userId,
        tokenHash,
        options.stage ?? 'full',
        options.lastSeen ?? null,
        options.expiresIn ?? null,
        options.revoked ?? false,
      ],
    );
  }

  /** An active peer CERT named `name` as given, or with a name of its own. */
  organisation(
    name = `partner ${++this.count}`,
    options: { kind?: OrganisationKind; communities?: string[]; status?: PartnerStatus } = {},
  ): Promise<string> {
    return this.insert(
      `INSERT INTO organisations (name, kind, relation, communities, accreditations, status)
       VALUES ($1, $2, 'peer', $3, '{}', $4) RETURNING id`,
      [name, options.kind ?? 'cert', options.communities ?? [], options.status ?? 'active'],
    );
  }

  contact(organisationId: string, name: string): Promise<string> {
    return this.insert(`INSERT INTO contacts (organisation_id, name, email) VALUES ($1, $2, $3) RETURNING id`, [
      organisationId,
      name,
      `person${++this.count}@partner.example`,
    ]);
  }

  /** A recipient key; its key block `armored` (a placeholder by default), revoked if asked. */
  key(
    organisationId: string,
    fingerprint: string,
    contactId: string | null = null,
    options: { armored?: string; revoked?: boolean } = {},
  ): Promise<string> {
    return this.insert(
      `INSERT INTO recipient_keys (organisation_id, contact_id, fingerprint, version, algorithm, key_created_at, encryption_key_id, armored, revoked_at)
       VALUES ($1, $2, $3, 4, 'eddsa', now(), 'ABCDEF0123456789', $4, CASE WHEN $5 THEN now() END) RETURNING id`,
      [organisationId, contactId, fingerprint, options.armored ?? 'armored key', options.revoked ?? false],
    );
  }

  /** A key renewed in place: a new key block under the same row. */
  async renewKey(keyId: string, armored: string): Promise<void> {
    await this.db.superuser.query(`UPDATE recipient_keys SET armored = $2 WHERE id = $1`, [keyId, armored]);
  }

  /** A feed channel; `createdAt` as text PostgreSQL reads (microseconds kept). */
  channel(
    organisationId: string,
    options: { contactId?: string; createdAt?: string; keyId?: string; status?: PartnerStatus } = {},
  ): Promise<string> {
    return this.insert(
      `INSERT INTO channels (organisation_id, contact_id, kind, redistributes, status, created_at, key_id)
       VALUES ($1, $2, 'feed', false, $4, coalesce($3::timestamptz, now()), $5) RETURNING id`,
      [
        organisationId,
        options.contactId ?? null,
        options.createdAt ?? null,
        options.status ?? 'active',
        options.keyId ?? null,
      ],
    );
  }

  private authorId(): Promise<string> {
    this.author ??= this.user();
    return this.author;
  }

  async item(options: { kind?: ItemKind; state?: ItemState; currentVersion?: number } = {}): Promise<string> {
    return this.insert(
      `INSERT INTO items (kind, state, current_version, created_by, updated_at) VALUES ($1, $2, $3, $4, now()) RETURNING id`,
      [options.kind ?? 'advisory', options.state ?? 'published', options.currentVersion ?? 1, await this.authorId()],
    );
  }

  async version(
    itemId: string,
    version: number,
    options: {
      tlp?: TlpLabel;
      pap?: PapLabel;
      indicators?: Indicator[];
      title?: string;
      releaseAt?: Date | null;
      createdAt?: string;
      body?: string;
      /** The version's author (a user id); the shared analyst unless given. */
      createdBy?: string;
      /** Who approved it (a user id), approved now. */
      approvedBy?: string;
    } = {},
  ): Promise<string> {
    return this.insert(
      `INSERT INTO item_versions (item_id, version, title, summary, body, tlp, pap, severity, audience, caveats, indicators, release_at, created_by, created_at, approved_by, approved_at)
       VALUES ($1, $2, $3, 'summary', $10, $4, $5, 'high', '{}'::jsonb, '{}', $6::jsonb, $7, $8, coalesce($9::timestamptz, now()),
               $11::uuid, CASE WHEN $11::uuid IS NOT NULL THEN now() END)
       RETURNING id`,
      [
        itemId,
        version,
        options.title ?? `version ${version}`,
        options.tlp ?? 'TLP:AMBER',
        options.pap ?? null,
        JSON.stringify(options.indicators ?? []),
        options.releaseAt ?? null,
        options.createdBy ?? (await this.authorId()),
        options.createdAt ?? null,
        options.body ?? 'body',
        options.approvedBy ?? null,
      ],
    );
  }

  /** A release (or another topic) of a version, routed (processed) or not yet; delays as PostgreSQL intervals. */
  async outbox(
    itemVersionId: string,
    options: { topic?: OutboxTopicValue; processed?: boolean; notBefore?: string; enqueued?: string } = {},
  ): Promise<{ id: string; jobKey: string }> {
    const [row]: { id: string; job_key: string }[] = await this.db.superuser.query(
      `INSERT INTO outbox (topic, item_version_id, processed_at, not_before, enqueued_at)
       VALUES ($1, $2, CASE WHEN $3 THEN now() END, now() + $4::interval, now() + $5::interval) RETURNING id, job_key`,
      [
        options.topic ?? OutboxTopic.Published,
        itemVersionId,
        options.processed ?? false,
        options.notBefore ?? null,
        options.enqueued ?? null,
      ],
    );
    return { id: row.id, jobKey: row.job_key };
  }

  decision(itemVersionId: string, to: Recipient, options: { allow?: boolean; reason?: string } = {}): Promise<string> {
    const allow = options.allow ?? true;
    return this.insert(
      `INSERT INTO decisions (item_version_id, organisation_id, contact_id, channel_id, allow, code, reason, decided_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now()) RETURNING id`,
      [
        itemVersionId,
        to.organisationId,
        to.contactId ?? null,
        to.channelId,
        allow,
        allow ? 'tlp.amber.named' : 'tlp.amber.not-named',
        options.reason ?? (allow ? 'allowed' : 'denied'),
      ],
    );
  }

  /** A delivery; an item delivery carries out an allow decision, arranged with it unless one is given. */
  async delivery(
    row: Recipient & {
      itemVersionId: string;
      kind?: DeliveryKind;
      decisionId?: string | null;
      state?: DeliveryState;
      attempts?: number;
      handed?: boolean;
      lastError?: string;
      /** How long ago it last changed, as a PostgreSQL interval. */
      age?: string;
    },
  ): Promise<string> {
    const kind = row.kind ?? 'item';
    const decisionId =
      row.decisionId !== undefined
        ? row.decisionId
        : kind === 'item'
          ? await this.decision(row.itemVersionId, row)
          : null;
    return this.insert(
      `INSERT INTO deliveries (kind, decision_id, item_version_id, channel_id, organisation_id, contact_id, state, attempts, last_error, handed_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $10 THEN now() END, now() - coalesce($11::interval, interval '0'))
       RETURNING id`,
      [
        kind,
        decisionId,
        row.itemVersionId,
        row.channelId,
        row.organisationId,
        row.contactId ?? null,
        row.state ?? 'queued',
        row.attempts ?? 0,
        row.lastError ?? null,
        row.handed ?? false,
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
    const [inserted]: { seq: string }[] = await this.db.superuser.query(
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
