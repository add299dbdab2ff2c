import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { LiveSession } from '@tlp-broker/persistence';
import { Principal } from './principal';
import { PartnerScope, Role } from '@tlp-broker/domain';

export const ACCESS_KEY = 'tlpb:access';

export type Access =
  | { kind: 'public' }
  | { kind: 'staff'; roles: readonly Role[] }
  /** A partner credential holding `scope` (or one of them). */
  | { kind: 'partner'; scope: PartnerScope | readonly PartnerScope[] }
  | { kind: 'staff-or-partner'; roles: readonly Role[]; scope: PartnerScope }
  | { kind: 'session' };

/** Anyone, without credentials. */
export const Public = () => SetMetadata(ACCESS_KEY, { kind: 'public' } satisfies Access);
/** A team member holding at least one of these roles. */
export const Roles = (...roles: Role[]) => SetMetadata(ACCESS_KEY, { kind: 'staff', roles } satisfies Access);
/** A partner, through one of its channel's credentials holding `scope`. */
export const Partner = (...scopes: [PartnerScope, ...PartnerScope[]]) =>
  SetMetadata(ACCESS_KEY, { kind: 'partner', scope: scopes.length === 1 ? scopes[0] : scopes } satisfies Access);
/**
 * Either a user holding one of these roles or a partner credential holding `scope`: routes that
 * serve senders of every kind alike (a reporting form posted by a partner's tool, a reporter's
 * portal account or a team member), each then seeing only what is its own.
 */
export const RolesOrPartner = (scope: PartnerScope, ...roles: Role[]) =>
  SetMetadata(ACCESS_KEY, { kind: 'staff-or-partner', roles, scope } satisfies Access);
/**
 * A team member signed in to the console (the session cookie), in either stage: the routes that
 * manage the session itself, the only ones a session still enrolling its authenticator may call.
 */
export const SignedIn = () => SetMetadata(ACCESS_KEY, { kind: 'session' } satisfies Access);

export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const request = context.switchToHttp().getRequest<{ principal?: Principal }>();
  if (!request.principal) throw new Error('route has no authenticated principal');
  return request.principal;
});

/** The console session of a @SignedIn() route. */
export const CurrentSession = createParamDecorator((_data: unknown, context: ExecutionContext): LiveSession => {
  const request = context.switchToHttp().getRequest<{ staffSession?: LiveSession }>();
  if (!request.staffSession) throw new Error('route has no signed-in session');
  return request.staffSession;
});
