import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { TeamKeyEntity } from './entities';

const TEAM_KEY_LOCK = 0x746b6579; // "tkey"

@Injectable()
export class TeamKeyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `work` while holding a database-wide lock, so that two processes starting together
   * (api and dispatcher) agree on one team key instead of generating two.
   */
  async withLock<T>(
    work: (
      repo: { active(): Promise<TeamKeyEntity | null>; save(key: TeamKeyEntity): Promise<void> },
      manager: EntityManager,
    ) => Promise<T>,
  ): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [TEAM_KEY_LOCK]);
      const repo = manager.getRepository(TeamKeyEntity);
      return work(
        {
          active: () => repo.findOne({ where: { active: true } }),
          save: async (key) => {
            // The previous key is retired, never deleted: it still verifies what it signed.
            await repo
              .createQueryBuilder()
              .update()
              .set({ active: false, retiredAt: () => 'now()' })
              .where('active AND fingerprint <> :fingerprint', { fingerprint: key.fingerprint })
              .execute();
            await repo.save(key);
          },
        },
        manager,
      );
    });
  }

  async activeFingerprint(): Promise<string | null> {
    const row = await this.dataSource
      .getRepository(TeamKeyEntity)
      .findOne({ where: { active: true }, select: { fingerprint: true } });
    return row?.fingerprint ?? null;
  }

  all(): Promise<TeamKeyEntity[]> {
    return this.dataSource.getRepository(TeamKeyEntity).find({ order: { createdAt: 'ASC' } });
  }
}
