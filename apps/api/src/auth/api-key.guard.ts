import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { ApiKeyEntity, ChannelEntity, ContactEntity, hashApiKey, OrganisationEntity, UserEntity } from '@tlp-broker/persistence';
import { Access, ACCESS_KEY } from './auth.decorators';
import { Principal } from './principal';

/**
 * Every route is closed unless it declares who may call it (@Public, @Roles, @Partner).
 * Credentials are bearer API keys; only their SHA-256 is stored.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @InjectRepository(ApiKeyEntity) private readonly apiKeys: Repository<ApiKeyEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(ChannelEntity) private readonly channels: Repository<ChannelEntity>,
    @InjectRepository(OrganisationEntity) private readonly organisations: Repository<OrganisationEntity>,
    @InjectRepository(ContactEntity) private readonly contacts: Repository<ContactEntity>,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [context.getHandler(), context.getClass()]);
    if (!access) throw new ForbiddenException('this route declares no access rule');
    if (access.kind === 'public') return true;

    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; principal?: Principal }>();
    const principal = await this.authenticate(request.headers.authorization);
    if (!principal) {
      throw new UnauthorizedException('a valid API key is required: Authorization: Bearer <key>');
    }
    if (access.kind === 'staff') {
      if (principal.kind !== 'staff' || !principal.roles.some((role) => access.roles.includes(role))) {
        throw new ForbiddenException(`this route requires the role ${access.roles.join(' or ')}`);
      }
    } else if (principal.kind !== 'partner') {
      throw new ForbiddenException('this route is for partners pulling their own feed');
    }
    request.principal = principal;
    return true;
  }

  private async authenticate(header: string | undefined): Promise<Principal | null> {
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) return null;
    const apiKey = await this.apiKeys.findOne({ where: { keyHash: hashApiKey(match[1]), revokedAt: IsNull() } });
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
    return { kind: 'partner', channelId: channel.id, organisationId: organisation.id, contactId: channel.contactId };
  }
}
