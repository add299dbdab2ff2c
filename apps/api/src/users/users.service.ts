import { ConflictException, Injectable } from '@nestjs/common';
import {
  ApiKeyRepository,
  AuditLog,
  createUser,
  CreatedUser,
  isUniqueViolation,
  Transactions,
} from '@tlp-broker/persistence';
import { Role } from '@tlp-broker/domain';

@Injectable()
export class UsersService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly apiKeys: ApiKeyRepository,
  ) {}

  async create(name: string, roles: Role[], actorId: string): Promise<CreatedUser> {
    try {
      return await this.transactions.run((tx) =>
        createUser(tx, this.audit, name.trim(), roles, `user:${actorId}`, this.apiKeys),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException(`a user named "${name.trim()}" already exists`);
      throw error;
    }
  }
}
