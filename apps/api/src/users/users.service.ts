import { ConflictException, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLog, createUser, CreatedUser } from '@tlp-broker/persistence';
import { Role } from '@tlp-broker/domain';

@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async create(name: string, roles: Role[], actorId: string): Promise<CreatedUser> {
    try {
      return await this.dataSource.transaction((manager) =>
        createUser(manager, this.audit, name.trim(), roles, `user:${actorId}`),
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23505')
        throw new ConflictException(`a user named "${name.trim()}" already exists`);
      throw error;
    }
  }
}
