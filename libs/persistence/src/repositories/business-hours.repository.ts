import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull, MoreThan } from 'typeorm';
import type { BusinessHours } from '@tlp-broker/hours';
import { ClosureEntity, OrganisationEntity } from '../entities';

export type NewClosure = Pick<ClosureEntity, 'organisationId' | 'startsAt' | 'endsAt' | 'reason' | 'createdBy'>;

/** What an organisation's availability is computed from. */
export interface RegisteredHours {
  readonly organisationId: string;
  readonly name: string;
  readonly country: string | null;
  /** Null: none registered (the team's hours apply, with the country's holidays). */
  readonly businessHours: BusinessHours | null;
}

/** Organisations' business hours and the closures administrators add (closures, organisations.business_hours). */
@Injectable()
export class BusinessHoursRepository {
  constructor(private readonly dataSource: DataSource) {}

  private db(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  /** The registered hours of each of `ids` that exists. */
  async hoursOf(ids: readonly string[], tx?: EntityManager): Promise<Map<string, RegisteredHours>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db(tx)
      .getRepository(OrganisationEntity)
      .find({
        where: { id: In([...ids]) },
        select: { id: true, name: true, country: true, businessHours: true },
      });
    return new Map(
      rows.map((row) => [
        row.id,
        { organisationId: row.id, name: row.name, country: row.country, businessHours: row.businessHours },
      ]),
    );
  }

  async setHours(organisationId: string, hours: BusinessHours | null, tx: EntityManager): Promise<void> {
    await tx.getRepository(OrganisationEntity).update({ id: organisationId }, { businessHours: hours });
  }

  /** Closures of the organisation (null: the team's) that have not ended at `after`, earliest first. */
  closuresOf(organisationId: string | null, after: Date, tx?: EntityManager): Promise<ClosureEntity[]> {
    return this.db(tx)
      .getRepository(ClosureEntity)
      .find({
        where: { organisationId: organisationId ?? IsNull(), endsAt: MoreThan(after) },
        order: { startsAt: 'ASC' },
      });
  }

  /** Of each of `ids`, the closures not ended at `after`. */
  async closuresFor(ids: readonly string[], after: Date, tx?: EntityManager): Promise<Map<string, ClosureEntity[]>> {
    const byOrganisation = new Map<string, ClosureEntity[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return byOrganisation;
    const rows = await this.db(tx)
      .getRepository(ClosureEntity)
      .find({ where: { organisationId: In([...ids]), endsAt: MoreThan(after) }, order: { startsAt: 'ASC' } });
    for (const row of rows) byOrganisation.get(row.organisationId!)?.push(row);
    return byOrganisation;
  }

  async addClosure(closure: NewClosure, tx: EntityManager): Promise<ClosureEntity> {
    return tx.getRepository(ClosureEntity).save(tx.getRepository(ClosureEntity).create(closure));
  }

  findClosure(organisationId: string | null, id: string, tx?: EntityManager): Promise<ClosureEntity | null> {
    return this.db(tx)
      .getRepository(ClosureEntity)
      .findOne({ where: { id, organisationId: organisationId ?? IsNull() } });
  }

  async removeClosure(id: string, tx: EntityManager): Promise<void> {
    await tx.getRepository(ClosureEntity).delete({ id });
  }
}
