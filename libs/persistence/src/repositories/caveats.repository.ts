import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { CaveatEntity } from '../entities';

/**
 * The handling caveats items may carry (caveats).
 * Every query on these tables is a named method here; a method that must take part in a
 * caller's transaction takes its `tx` as last argument (default: outside any transaction).
 */
@Injectable()
export class CaveatRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The caller's transaction, or the pool outside any. */
  protected db(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  /** Every caveat, by name. */
  list(tx?: EntityManager): Promise<CaveatEntity[]> {
    return this.db(tx)
      .getRepository(CaveatEntity)
      .find({ order: { name: 'ASC' } });
  }

  exists(name: string, tx?: EntityManager): Promise<boolean> {
    return this.db(tx).getRepository(CaveatEntity).exists({ where: { name } });
  }

  /** Of `names`, those registered. */
  async registered(names: readonly string[], tx?: EntityManager): Promise<Set<string>> {
    if (names.length === 0) return new Set();
    const rows = await this.db(tx)
      .getRepository(CaveatEntity)
      .find({ where: { name: In([...names]) }, select: { name: true } });
    return new Set(rows.map((row) => row.name));
  }

  /** A new caveat; a name already registered fails with a unique violation (never overwritten). */
  async insert(caveat: { name: string; description: string }, tx?: EntityManager): Promise<CaveatEntity> {
    const [row] = (await this.db(tx).query(
      'INSERT INTO caveats (name, description) VALUES ($1, $2) RETURNING name, description, created_at',
      [caveat.name, caveat.description],
    )) as { name: string; description: string; created_at: Date }[];
    return Object.assign(new CaveatEntity(), {
      name: row.name,
      description: row.description,
      createdAt: row.created_at,
    });
  }
}
