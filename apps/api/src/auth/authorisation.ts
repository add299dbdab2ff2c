import { ForbiddenException } from '@nestjs/common';
import type { PartnerScope } from '@tlp-broker/domain';
import { Access } from './auth.decorators';
import { Principal } from './principal';

/**
 * What the route's decorator demands of an authenticated caller: a team member with one of its
 * roles (@Roles), a partner credential with its scope (@Partner), or either (@RolesOrPartner).
 * 403 otherwise.
 */
export function authorise(access: Exclude<Access, { kind: 'public' | 'session' }>, principal: Principal): void {
  if (access.kind === 'staff-or-partner') {
    if (principal.kind === 'partner') return authorise({ kind: 'partner', scope: access.scope }, principal);
    return authorise({ kind: 'staff', roles: access.roles }, principal);
  }
  if (access.kind === 'staff') {
    if (principal.kind !== 'staff' || !principal.roles.some((role) => access.roles.includes(role)))
      throw new ForbiddenException(`this route requires the role ${access.roles.join(' or ')}`);
    return;
  }
  if (principal.kind !== 'partner') throw new ForbiddenException('this route is for partners pulling their own feed');
  const wanted: readonly PartnerScope[] = typeof access.scope === 'string' ? [access.scope] : access.scope;
  if (!wanted.some((scope) => principal.scopes.includes(scope)))
    throw new ForbiddenException(
      `this credential does not have the scope ${wanted.map((scope) => `"${scope}"`).join(' or ')}`,
    );
}
