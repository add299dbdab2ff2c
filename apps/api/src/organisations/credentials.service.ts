import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  ApiKeyEntity,
  ApiKeyRepository,
  AuditLog,
  ChannelEntity,
  IssuedApiKey,
  OrganisationRepository,
  Transactions,
} from '@tlp-broker/persistence';
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

/** A credential as made (created, or by a rotation): the key itself is in this answer only. */
export interface IssuedCredentialView extends CredentialView {
  apiKey: string;
}

/**
 * A partner channel's pull credentials: several may be live at once (one per tool: OpenCTI, MISP,
 * a script), each with its own scopes, revoked or rotated on its own. Only their hash is stored.
 */
@Injectable()
export class CredentialsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly organisations: OrganisationRepository,
    private readonly apiKeys: ApiKeyRepository,
  ) {}

  async list(organisationId: string, channelId: string): Promise<CredentialView[]> {
    await this.feedChannel(organisationId, channelId);
    return (await this.apiKeys.listForChannel(channelId)).map(view);
  }

  async create(
    organisationId: string,
    channelId: string,
    scopes: readonly PartnerScope[],
    actor: StaffPrincipal,
  ): Promise<IssuedCredentialView> {
    return this.transactions.run(async (tx) => {
      await this.feedChannel(organisationId, channelId, tx);
      const issued = issuedView(await this.apiKeys.issueForChannel(channelId, scopes, tx));
      await this.audit.append(tx, {
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
  ): Promise<IssuedCredentialView> {
    return this.transactions.run(async (tx) => {
      await this.feedChannel(organisationId, channelId, tx);
      const old = await this.live(channelId, credentialId, tx);
      await this.apiKeys.revoke(old.id, new Date(), tx);
      const issued = issuedView(await this.apiKeys.issueForChannel(channelId, old.scopes, tx));
      await this.audit.append(tx, {
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
    return this.transactions.run(async (tx) => {
      await this.feedChannel(organisationId, channelId, tx);
      const old = await this.live(channelId, credentialId, tx);
      const revokedAt = new Date();
      await this.apiKeys.revoke(old.id, revokedAt, tx);
      await this.audit.append(tx, {
        actor: `user:${actor.userId}`,
        action: 'credential.revoked',
        subjectType: 'channel',
        subjectId: channelId,
        details: { credentialId: old.id, prefix: old.prefix },
      });
      return view({ ...old, revokedAt });
    });
  }

  /** The organisation's channel, which must be a pull (feed) channel: only those have credentials. */
  private async feedChannel(organisationId: string, channelId: string, tx?: EntityManager): Promise<ChannelEntity> {
    const channel = await this.organisations.findChannel(organisationId, channelId, tx);
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

  /** The channel's credential, locked for the transaction; 404 if it has none such, 409 if it is revoked. */
  private async live(channelId: string, credentialId: string, tx: EntityManager): Promise<ApiKeyEntity> {
    const key = await this.apiKeys.lockForUpdate(channelId, credentialId, tx);
    if (!key) throw new NotFoundException(`channel ${channelId} has no credential ${credentialId}`);
    if (key.revokedAt) throw new ConflictException(`credential ${credentialId} is already revoked`);
    return key;
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

function issuedView({ credential, apiKey }: IssuedApiKey): IssuedCredentialView {
  return { ...view(credential), apiKey };
}
