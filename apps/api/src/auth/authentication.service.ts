import { Injectable, Logger } from '@nestjs/common';
import { ApiKeyRepository, hashApiKey, LAST_USED_RESOLUTION_MS, LiveApiKey } from '@tlp-broker/persistence';
import { isApiKeyShaped } from './auth-failure-throttle';
import { Principal } from './principal';

/**
 * Who a bearer API key belongs to: a team member, or a partner channel whose organisation (and
 * contact, for a personal channel) is active. One query per request; only the key's SHA-256 is
 * stored and looked up.
 */
@Injectable()
export class AuthenticationService {
  private readonly logger = new Logger(AuthenticationService.name);

  constructor(private readonly apiKeys: ApiKeyRepository) {}

  /** The principal, or null for anything that is not a live key of an active holder. */
  async authenticate(token: string, now = Date.now()): Promise<Principal | null> {
    if (!isApiKeyShaped(token)) return null;
    const key = await this.apiKeys.findLive(hashApiKey(token));
    if (!key) return null;
    if (key.user) {
      const { user } = key;
      return user.status === 'active' ? { kind: 'staff', userId: user.id, name: user.name, roles: user.roles } : null;
    }
    const { channel } = key;
    if (!channel || channel.status !== 'active' || channel.organisationStatus !== 'active') return null;
    if (channel.contactId !== null && channel.contactStatus !== 'active') return null;
    this.recordUse(key, now);
    return {
      kind: 'partner',
      channelId: channel.id,
      organisationId: channel.organisationId,
      contactId: channel.contactId,
      apiKeyId: key.id,
      scopes: key.scopes,
    };
  }

  /**
   * When a partner credential was last used, for its owner and the administrators: written at
   * most once a minute, and not waited for (a lost write only loses the time of one use).
   */
  private recordUse(key: LiveApiKey, now: number): void {
    if (key.lastUsedAt !== null && now - key.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
    this.apiKeys.markUsed(key.id).catch((error: unknown) => {
      this.logger.warn(
        `could not record the use of credential ${key.id}: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }
}
