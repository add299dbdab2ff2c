import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectRepository } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import { IsNull, Repository } from 'typeorm';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import {
  ApiKeyEntity,
  ChannelEntity,
  ContactEntity,
  hashApiKey,
  OrganisationEntity,
  UserEntity,
} from '@tlp-broker/persistence';
import { Access, ACCESS_KEY } from './auth.decorators';
import { Principal } from './principal';
import { HEALTH_REDIS } from '../health/health.controller';
import { AuthFailureThrottle, isApiKeyShaped } from './auth-failure-throttle';

/**
 * Every route is closed unless it declares who may call it (@Public, @Roles, @Partner).
 * Credentials are bearer API keys; only their SHA-256 is stored.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly logger = new Logger(ApiKeyGuard.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @Inject(HEALTH_REDIS) private readonly redis: Redis,
    private readonly reflector: Reflector,
    @InjectRepository(ApiKeyEntity) private readonly apiKeys: Repository<ApiKeyEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(ChannelEntity) private readonly channels: Repository<ChannelEntity>,
    @InjectRepository(OrganisationEntity) private readonly organisations: Repository<OrganisationEntity>,
    @InjectRepository(ContactEntity) private readonly contacts: Repository<ContactEntity>,
    private readonly failures: AuthFailureThrottle,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!access) throw new ForbiddenException('this route declares no access rule');
    if (access.kind === 'public') return true;

    const request = context.switchToHttp().getRequest<{
      headers: Record<string, string | undefined>;
      ip?: string;
      socket?: { remoteAddress?: string };
      principal?: Principal;
    }>();
    const response = context.switchToHttp().getResponse<{ setHeader(name: string, value: string): void }>();
    const token = bearerToken(request.headers.authorization);
    if (token === null) throw new UnauthorizedException('a valid API key is required: Authorization: Bearer <key>');
    // Throttled sources are answered before any lookup, so guessing keys costs the database nothing.
    const attempt = { address: request.ip ?? request.socket?.remoteAddress ?? '', token };
    const { retryAfter, knownGood } = await this.failures.check(attempt);
    if (retryAfter !== null) {
      response.setHeader('Retry-After', String(retryAfter));
      throw new HttpException(
        {
          statusCode: 429,
          error: 'Too Many Requests',
          message: `too many failed authentications from this address or with this key; retry in ${retryAfter} s`,
          retryAfter,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const principal = isApiKeyShaped(token) ? await this.authenticate(token) : null;
    if (!principal) {
      await this.failures.failed(attempt);
      throw new UnauthorizedException('a valid API key is required: Authorization: Bearer <key>');
    }
    this.failures.succeeded(attempt, knownGood);
    if (access.kind === 'staff') {
      if (principal.kind !== 'staff' || !principal.roles.some((role) => access.roles.includes(role))) {
        throw new ForbiddenException(`this route requires the role ${access.roles.join(' or ')}`);
      }
    } else if (principal.kind !== 'partner') {
      throw new ForbiddenException('this route is for partners pulling their own feed');
    } else {
      if (!principal.scopes.includes(access.scope))
        throw new ForbiddenException(`this credential does not have the scope "${access.scope}"`);
      await this.throttle(principal.apiKeyId, response);
    }
    request.principal = principal;
    return true;
  }

  private async authenticate(token: string): Promise<Principal | null> {
    const apiKey = await this.apiKeys.findOne({ where: { keyHash: hashApiKey(token), revokedAt: IsNull() } });
    if (!apiKey) return null;
    if (apiKey.userId) {
      const user = await this.users.findOne({ where: { id: apiKey.userId } });
      if (!user || user.status !== 'active') return null;
      return { kind: 'staff', userId: user.id, name: user.name, roles: user.roles };
    }
    const channel = apiKey.channelId ? await this.channels.findOne({ where: { id: apiKey.channelId } }) : null;
    if (!channel || channel.status !== 'active') return null;
    const organisation = await this.organisations.findOne({ where: { id: channel.organisationId } });
    if (!organisation || organisation.status !== 'active') return null;
    if (channel.contactId) {
      const contact = await this.contacts.findOne({ where: { id: channel.contactId } });
      if (!contact || contact.status !== 'active') return null;
    }
    // When a credential was last used, for its owner and the administrators (at most once a minute).
    await this.apiKeys.query(
      `UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [apiKey.id],
    );
    return {
      kind: 'partner',
      channelId: channel.id,
      organisationId: organisation.id,
      contactId: channel.contactId,
      apiKeyId: apiKey.id,
      scopes: apiKey.scopes,
    };
  }

  /** Partners' requests per credential: a fixed window in Redis, shared by every API process. */
  private async throttle(apiKeyId: string, response: { setHeader(name: string, value: string): void }): Promise<void> {
    const { limit, windowMs } = this.config.partnerRateLimit;
    const now = Date.now();
    const window = Math.floor(now / windowMs);
    const key = `${this.config.redis.prefix}:api-rate:${apiKeyId}:${window}`;
    let count: number;
    try {
      [[, count]] = (await this.redis
        .multi()
        .incr(key)
        .pexpire(key, windowMs * 2)
        .exec()) as [[null, number], [null, number]];
    } catch (error) {
      // Redis unreachable: partners keep pulling (PostgreSQL serves the feeds); only the limit lapses.
      this.logger.warn(
        `partner rate limit not applied (Redis: ${error instanceof Error ? error.message : String(error)})`,
      );
      return;
    }
    if (count > limit) {
      const retryAfter = Math.ceil(((window + 1) * windowMs - now) / 1000);
      response.setHeader('Retry-After', String(retryAfter));
      throw new HttpException(
        {
          statusCode: 429,
          error: 'Too Many Requests',
          message: `at most ${limit} requests per ${windowMs / 1000} s for this credential; retry in ${retryAfter} s`,
          retryAfter,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }
}

function bearerToken(header: string | undefined): string | null {
  return (header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null)?.[1] ?? null;
}
