import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ApiKeyEntity, AuditLog, ChannelEntity, newApiKey } from '@tlp-broker/persistence';
import { StaffPrincipal } from '../auth/principal';
import { PartnerScope } from '@tlp-broker/domain';

export interface CredentialView {
  id: string;
  /** The key's first characters, to tell keys apart; the key itself is shown once, when made. */
  prefix: string;
  scopes: PartnerScope[];
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/**
 * A partner channel's pull credentials: several may be live at once (one per tool: OpenCTI, MISP,
 * a script), each with its own scopes, revoked or rotated on its own. Only their hash is stored.
 */
@Injectable()
export class CredentialsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async list(organisationId: string, channelId: string): Promise<CredentialView[]> {
    await this.channel(this.dataSource.manager, organisationId, channelId);
    const rows = await this.dataSource
      .getRepository(ApiKeyEntity)
      .find({ where: { channelId }, order: { createdAt: 'ASC' } });
    return rows.map(view);
  }

  async create(
    organisationId: string,
    channelId: string,
    scopes: readonly PartnerScope[],
    actor: StaffPrincipal,
  ): Promise<CredentialView & { apiKey: string }> {
    return this.dataSource.transaction(async (manager) => {
      await this.channel(manager, organisationId, channelId);
      const issued = await this.issue(manager, channelId, [...scopes]);
      await this.audit.append(manager, {
        actor: `user:${actor.userId}`,
        action: 'credential.created',
        subjectType: 'channel',
        subjectId: channelId,
        details: { credentialId: issued.id, prefix: issued.prefix, scopes: issued.scopes },
      });
      return issued;
    });
  }

  /** A new key with the same scopes; the old one stops working at once. */
  async rotate(
    organisationId: string,
    channelId: string,
    credentialId: string,
    actor: StaffPrincipal,
  ): Promise<CredentialView & { apiKey: string }> {
    return this.dataSource.transaction(async (manager) => {
      await this.channel(manager, organisationId, channelId);
      const old = await this.live(manager, channelId, credentialId);
      await manager.getRepository(ApiKeyEntity).update({ id: old.id }, { revokedAt: new Date() });
      const issued = await this.issue(manager, channelId, old.scopes);
      await this.audit.append(manager, {
        actor: `user:${actor.userId}`,
        action: 'credential.rotated',
        subjectType: 'channel',
        subjectId: channelId,
        details: { revoked: old.id, credentialId: issued.id, prefix: issued.prefix, scopes: issued.scopes },
      });
      return issued;
    });
  }

  async revoke(
    organisationId: string,
    channelId: string,
    credentialId: string,
    actor: StaffPrincipal,
  ): Promise<CredentialView> {
    return this.dataSource.transaction(async (manager) => {
      await this.channel(manager, organisationId, channelId);
      const old = await this.live(manager, channelId, credentialId);
      old.revokedAt = new Date();
      await manager.getRepository(ApiKeyEntity).update({ id: old.id }, { revokedAt: old.revokedAt });
      await this.audit.append(manager, {
        actor: `user:${actor.userId}`,
        action: 'credential.revoked',
        subjectType: 'channel',
        subjectId: channelId,
        details: { credentialId: old.id, prefix: old.prefix },
      });
      return view(old);
    });
  }

  private async channel(manager: EntityManager, organisationId: string, channelId: string): Promise<ChannelEntity> {
    const channel = await manager.getRepository(ChannelEntity).findOne({ where: { id: channelId, organisationId } });
    if (!channel) throw new NotFoundException(`organisation ${organisationId} has no channel ${channelId}`);
    if (channel.kind !== 'feed')
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: `channelId: a ${channel.kind} channel has no pull credentials`,
        details: [{ field: 'channelId', message: `a ${channel.kind} channel has no pull credentials` }],
      });
    return channel;
  }

  private async live(manager: EntityManager, channelId: string, credentialId: string): Promise<ApiKeyEntity> {
    const key = await manager
      .getRepository(ApiKeyEntity)
      .findOne({ where: { id: credentialId, channelId }, lock: { mode: 'pessimistic_write' } });
    if (!key) throw new NotFoundException(`channel ${channelId} has no credential ${credentialId}`);
    if (key.revokedAt) throw new ConflictException(`credential ${credentialId} is already revoked`);
    return key;
  }

  private async issue(
    manager: EntityManager,
    channelId: string,
    scopes: PartnerScope[],
  ): Promise<CredentialView & { apiKey: string }> {
    const credential = newApiKey('partner');
    const row = await manager.getRepository(ApiKeyEntity).save(
      manager.getRepository(ApiKeyEntity).create({
        keyHash: credential.hash,
        prefix: credential.prefix,
        userId: null,
        channelId,
        scopes,
        revokedAt: null,
        lastUsedAt: null,
      }),
    );
    return { ...view(row), apiKey: credential.key };
  }
}

function view(row: ApiKeyEntity): CredentialView {
  return {
    id: row.id,
    prefix: row.prefix,
    scopes: row.scopes,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
  };
}
