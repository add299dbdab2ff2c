import type { DataSource } from 'typeorm';
import type { ChannelKind, DeliveryKind, DeliveryState, Indicator, ItemKind, ItemState } from '@tlp-broker/domain';
import type { TlpLabel } from '@tlp-broker/tlp';
import { OutboxTopic, OutboxTopicValue } from '../entities';

/**
 * Rows the dispatcher's repositories read and write, arranged directly in a test database (as
 * the superuser: what is arranged here is not under test).
 */
export class DispatchFixtures {
  /** Names are unique in their tables: each one arranged gets a number. */
  private count = 0;

  constructor(private readonly db: DataSource) {}

  private async insert(sql: string, parameters: unknown[]): Promise<string> {
    const [row]: { id: string }[] = await this.db.query(sql, parameters);
    return row.id;
  }

  user(name = 'analyst'): Promise<string> {
    return this.insert(`INSERT INTO users (name, roles) VALUES ($1, ARRAY['analyst']) RETURNING id`, [
      `${name} ${++this.count}`,
    ]);
  }

  organisation(name: string): Promise<string> {
    return this.insert(
      `INSERT INTO organisations (name, kind, relation, communities, accreditations, status)
       VALUES ($1, 'cert', 'peer', '{}', '{}', 'active') RETURNING id`,
      [`${name} ${++this.count}`],
    );
  }

  channel(organisationId: string, kind: ChannelKind = 'feed'): Promise<string> {
    const address =
      kind === 'email' ? 'soc@partner.example' : kind === 'webhook' ? 'https://partner.example/hook' : null;
    return this.insert(
      `INSERT INTO channels (organisation_id, kind, redistributes, address, secret, status)
       VALUES ($1, $2, false, $3, $4, 'active') RETURNING id`,
      [organisationId, kind, address, kind === 'webhook' ? 'secret' : null],
    );
  }

  item(author: string, options: { kind?: ItemKind; state?: ItemState; currentVersion?: number } = {}): Promise<string> {
    return this.insert(
      `INSERT INTO items (kind, state, current_version, created_by, updated_at) VALUES ($1, $2, $3, $4, now()) RETURNING id`,
      [options.kind ?? 'advisory', options.state ?? 'published', options.currentVersion ?? 1, author],
    );
  }

  version(
    itemId: string,
    author: string,
    version: number,
    options: { tlp?: TlpLabel; releaseAt?: Date | null; indicators?: Indicator[] } = {},
  ): Promise<string> {
    return this.insert(
      `INSERT INTO item_versions (item_id, version, title, summary, body, tlp, audience, caveats, indicators, release_at, created_by)
       VALUES ($1, $2, $3, '', 'body', $4, '{}'::jsonb, '{}', $5::jsonb, $6, $7) RETURNING id`,
      [
        itemId,
        version,
        `version ${version}`,
        options.tlp ?? 'TLP:AMBER',
        JSON.stringify(options.indicators ?? []),
        options.releaseAt ?? null,
        author,
      ],
    );
  }

  async outbox(
    itemVersionId: string,
    options: { topic?: OutboxTopicValue; processed?: boolean; notBefore?: string; enqueued?: string } = {},
  ): Promise<{ id: string; jobKey: string }> {
    const [row]: { id: string; job_key: string }[] = await this.db.query(
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

  decision(
    itemVersionId: string,
    target: { organisationId: string; channelId: string },
    options: { allow?: boolean; reason?: string } = {},
  ): Promise<string> {
    const allow = options.allow ?? true;
    return this.insert(
      `INSERT INTO decisions (item_version_id, organisation_id, channel_id, allow, code, reason, decided_at)
       VALUES ($1, $2, $3, $4, $5, $6, now()) RETURNING id`,
      [
        itemVersionId,
        target.organisationId,
        target.channelId,
        allow,
        allow ? 'tlp.amber.named' : 'tlp.amber.not-named',
        options.reason ?? (allow ? 'allowed' : 'denied'),
      ],
    );
  }

  delivery(row: {
    itemVersionId: string;
    organisationId: string;
    channelId: string;
    kind?: DeliveryKind;
    decisionId?: string | null;
    state?: DeliveryState;
    handed?: boolean;
    /** How long ago it last changed, as a PostgreSQL interval. */
    age?: string;
  }): Promise<string> {
    return this.insert(
      `INSERT INTO deliveries (kind, decision_id, item_version_id, channel_id, organisation_id, state, attempts, handed_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 0, CASE WHEN $7 THEN now() END, now() - coalesce($8::interval, interval '0'))
       RETURNING id`,
      [
        row.kind ?? 'item',
        row.decisionId ?? null,
        row.itemVersionId,
        row.channelId,
        row.organisationId,
        row.state ?? 'queued',
        row.handed ?? false,
        row.age ?? null,
      ],
    );
  }
}
