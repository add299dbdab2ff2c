import { EntityManager } from 'typeorm';
import { newApiKey } from './api-keys';
import { AuditLog } from './audit-log';
import type { Role } from '@tlp-broker/domain';
import { ApiKeyEntity, UserEntity } from './entities';

export interface CreatedUser {
  id: string;
  name: string;
  roles: Role[];
  /** Shown once. */
  apiKey: string;
}

/** Creates a team member with an API key. Used by the HTTP route and the command line. */
export async function createUser(
  manager: EntityManager,
  audit: AuditLog,
  name: string,
  roles: Role[],
  actor: string,
): Promise<CreatedUser> {
  const user = await manager
    .getRepository(UserEntity)
    .save(manager.getRepository(UserEntity).create({ name, roles, status: 'active' }));
  const credential = newApiKey('staff');
  await manager.getRepository(ApiKeyEntity).insert({
    keyHash: credential.hash,
    prefix: credential.prefix,
    userId: user.id,
    channelId: null,
    scopes: [],
    revokedAt: null,
    lastUsedAt: null,
  });
  await audit.append(manager, {
    actor,
    action: 'user.created',
    subjectType: 'user',
    subjectId: user.id,
    details: { name, roles },
  });
  return { id: user.id, name: user.name, roles: user.roles, apiKey: credential.key };
}
