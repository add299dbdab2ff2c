import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import {
  ApiKeyRepository,
  AuditLog,
  createUser,
  CreatedUser,
  hashPassword,
  isUniqueViolation,
  SessionRepository,
  setUserPassword,
  Transactions,
  UserRepository,
} from '@tlp-broker/persistence';
import { Role } from '@tlp-broker/domain';
import { UserView, userView } from './user-view';

@Injectable()
export class UsersService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly apiKeys: ApiKeyRepository,
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
  ) {}

  /** A new member with an API key (shown once) and, when given, a console password. */
  async create(name: string, roles: Role[], actorId: string, password?: string): Promise<CreatedUser> {
    // Hashed before the transaction opens: scrypt takes a while and holds no lock.
    const passwordHash = password === undefined ? null : await hashPassword(password);
    const actor = `user:${actorId}`;
    try {
      return await this.transactions.run(async (tx) => {
        const created = await createUser(tx, this.audit, name.trim(), roles, actor, this.apiKeys);
        if (passwordHash !== null)
          await setUserPassword(tx, this.audit, created.id, passwordHash, actor, {
            users: this.users,
            sessions: this.sessions,
          });
        return created;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException(`a user named "${name.trim()}" already exists`);
      throw error;
    }
  }

  async list(): Promise<UserView[]> {
    return (await this.users.list()).map(userView);
  }

  /**
   * Forgets the member's authenticator (a lost phone) and ends their sessions: at their next
   * sign-in, with their password, they enrol a new one. 404 for an unknown member.
   */
  async resetTotp(userId: string, actorId: string): Promise<UserView> {
    return this.transactions.run(async (tx) => {
      if (!(await this.users.resetTotp(userId, tx))) throw new NotFoundException(`no user ${userId}`);
      const sessionsEnded = await this.sessions.revokeAllForUser(userId, new Date(), tx);
      await this.audit.append(tx, {
        actor: `user:${actorId}`,
        action: 'user.totp-reset',
        subjectType: 'user',
        subjectId: userId,
        details: { sessionsEnded },
      });
      const user = await this.users.findById(userId, tx);
      if (!user) throw new NotFoundException(`no user ${userId}`);
      return userView(user);
    });
  }
}
