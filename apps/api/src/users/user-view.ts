import type { PartnerStatus, Role } from '@tlp-broker/domain';
import type { UserEntity } from '@tlp-broker/persistence';

/** A team member as administrators see them (GET /users): never a credential. */
export interface UserView {
  id: string;
  name: string;
  roles: Role[];
  status: PartnerStatus;
  /** An authenticator is enrolled (the member signs in to the console with its codes). */
  totpEnrolled: boolean;
  createdAt: string;
}

export function userView(user: UserEntity): UserView {
  return {
    id: user.id,
    name: user.name,
    roles: user.roles,
    status: user.status,
    totpEnrolled: user.totpEnrolledAt !== null,
    createdAt: user.createdAt.toISOString(),
  };
}
