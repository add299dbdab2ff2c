import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { PartnerScope, PartnerStatus, Role } from '@tlp-broker/domain';
import { newApiKey } from '../api-keys';
import { AuditLog } from '../audit-log';
import { queryPrepared } from './prepared-statements';
import { ApiKeyEntity, UserEntity } from '../entities';

/** How often a credential's last use is written at most. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * A key that is not revoked, with its holder: a team member, or a partner channel with its
 * organisation and (personal channels) contact, each with its status for the caller to judge.
 */
export interface LiveApiKey {
  readonly id: string;
  readonly scopes: PartnerScope[];
  readonly lastUsedAt: Date | null;
  readonly user: { id: string; name: string; roles: Role[]; status: PartnerStatus } | null;
  readonly channel: {
    id: string;
    status: PartnerStatus;
    organisationId: string;
    organisationStatus: PartnerStatus;
    contactId: string | null;
    /** Null when the channel is not a contact's. */
    contactStatus: PartnerStatus | null;
  } | null;
}

/** A key just made: the stored row, and the key itself, which is shown once and never stored. */
export interface IssuedApiKey {
  readonly credential: ApiKeyEntity;
  readonly apiKey: string;
}

/** $1: the key's hash. */
const FIND_LIVE = `SELECT k.id, k.scopes, k.last_used_at,
         u.id AS user_id, u.name AS user_name, u.roles AS user_roles, u.status AS user_status,
         c.id AS channel_id, c.status AS channel_status,
         o.id AS organisation_id, o.status AS organisation_status,
         c.contact_id, ct.status AS contact_status
    FROM api_keys k
    LEFT JOIN users u ON u.id = k.user_id
    LEFT JOIN channels c ON c.id = k.channel_id
    LEFT JOIN organisations o ON o.id = c.organisation_id
    LEFT JOIN contacts ct ON ct.id = c.contact_id
   WHERE k.key_hash = $1 AND k.revoked_at IS NULL`;

interface LiveApiKeyRow {
  id: string;
  scopes: PartnerScope[];
  last_used_at: Date | null;
  user_id: string | null;
  user_name: string;
  user_roles: Role[];
  user_status: PartnerStatus;
  channel_id: string | null;
  channel_status: PartnerStatus;
  organisation_id: string;
  organisation_status: PartnerStatus;
  contact_id: string | null;
  contact_status: PartnerStatus | null;
}

/**
 * Bearer credentials of team members and partner channels (api_keys), and team members (users).
 * Every query on these tables is a named method here; a method that must take part in a
 * caller's transaction takes its `tx` as last argument (default: outside any transaction).
 */
@Injectable()
export class ApiKeyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The caller's transaction, or the pool outside any. */
  protected db(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  /**
   * The live key with this hash and its holder, in one query. Every authenticated request makes it,
   * as a prepared statement (outside a transaction): planned once per connection, not per request.
   */
  async findLive(keyHash: string, tx?: EntityManager): Promise<LiveApiKey | null> {
    const [row] = tx
      ? ((await tx.query(FIND_LIVE, [keyHash])) as LiveApiKeyRow[])
      : await queryPrepared<LiveApiKeyRow>(this.dataSource, 'api-keys.find-live', FIND_LIVE, [keyHash]);
    return row ? liveApiKey(row) : null;
  }

  /** Records a use of the key, unless one was recorded less than LAST_USED_RESOLUTION_MS ago. */
  async markUsed(apiKeyId: string, tx?: EntityManager): Promise<void> {
    await this.db(tx).query(
      `UPDATE api_keys SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - $2 * interval '1 millisecond')`,
      [apiKeyId, LAST_USED_RESOLUTION_MS],
    );
  }

  /** A new key for a partner channel, opening `scopes`. */
  issueForChannel(channelId: string, scopes: readonly PartnerScope[], tx?: EntityManager): Promise<IssuedApiKey> {
    return this.issue('partner', { userId: null, channelId, scopes: [...scopes] }, tx);
  }

  /** A new key for a team member (what it may do comes from the member's roles). */
  issueForUser(userId: string, tx?: EntityManager): Promise<IssuedApiKey> {
    return this.issue('staff', { userId, channelId: null, scopes: [] }, tx);
  }

  /** A channel's keys, revoked ones included, oldest first. */
  listForChannel(channelId: string, tx?: EntityManager): Promise<ApiKeyEntity[]> {
    return this.db(tx)
      .getRepository(ApiKeyEntity)
      .find({ where: { channelId }, order: { createdAt: 'ASC' } });
  }

  /** One of a channel's keys, locked until the caller's transaction ends; null if the channel has no such key. */
  lockForUpdate(channelId: string, apiKeyId: string, tx: EntityManager): Promise<ApiKeyEntity | null> {
    return tx
      .getRepository(ApiKeyEntity)
      .findOne({ where: { id: apiKeyId, channelId }, lock: { mode: 'pessimistic_write' } });
  }

  async revoke(apiKeyId: string, at: Date, tx?: EntityManager): Promise<void> {
    await this.db(tx).getRepository(ApiKeyEntity).update({ id: apiKeyId }, { revokedAt: at });
  }

  /** A new active team member (a name already taken, in any case, is a unique violation). */
  insertUser(name: string, roles: Role[], tx?: EntityManager): Promise<UserEntity> {
    const repository = this.db(tx).getRepository(UserEntity);
    return repository.save(repository.create({ name, roles, status: 'active' }));
  }

  private async issue(
    kind: 'staff' | 'partner',
    holder: Pick<ApiKeyEntity, 'userId' | 'channelId' | 'scopes'>,
    tx?: EntityManager,
  ): Promise<IssuedApiKey> {
    const issued = newApiKey(kind);
    const repository = this.db(tx).getRepository(ApiKeyEntity);
    const credential = await repository.save(
      repository.create({ ...holder, keyHash: issued.hash, prefix: issued.prefix, revokedAt: null, lastUsedAt: null }),
    );
    return { credential, apiKey: issued.key };
  }
}

function liveApiKey(row: LiveApiKeyRow): LiveApiKey {
  return {
    id: row.id,
    scopes: row.scopes,
    lastUsedAt: row.last_used_at,
    user: row.user_id ? { id: row.user_id, name: row.user_name, roles: row.user_roles, status: row.user_status } : null,
    channel: row.channel_id
      ? {
          id: row.channel_id,
          status: row.channel_status,
          organisationId: row.organisation_id,
          organisationStatus: row.organisation_status,
          contactId: row.contact_id,
          contactStatus: row.contact_status,
        }
      : null,
  };
}

export interface CreatedUser {
  id: string;
  name: string;
  roles: Role[];
  /** Shown once. */
  apiKey: string;
}

/**
 * Creates a team member with an API key, audited, in the caller's transaction. Used by the HTTP
 * route, the command line, the demonstration and the tests.
 */
export async function createUser(
  manager: EntityManager,
  audit: AuditLog,
  name: string,
  roles: Role[],
  actor: string,
  apiKeys = new ApiKeyRepository(manager.dataSource),
): Promise<CreatedUser> {
  const user = await apiKeys.insertUser(name, roles, manager);
  const { apiKey } = await apiKeys.issueForUser(user.id, manager);
  await audit.append(manager, {
    actor,
    action: 'user.created',
    subjectType: 'user',
    subjectId: user.id,
    details: { name, roles },
  });
  return { id: user.id, name: user.name, roles: user.roles, apiKey };
}
