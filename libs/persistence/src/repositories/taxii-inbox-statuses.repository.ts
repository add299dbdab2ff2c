import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { TaxiiInboxStatusEntity } from '../entities';

/** A TAXII status resource as the inbox writes it; its id is chosen by the caller (it names the request). */
export type NewTaxiiInboxStatus = TaxiiInboxStatusEntity;

/**
 * The outcome of each envelope posted to a partner's TAXII inbox collection (TAXII status
 * resources). Every query on this table is a named method here.
 */
@Injectable()
export class TaxiiInboxStatusRepository {
  constructor(private readonly dataSource: DataSource) {}

  protected db(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  async insert(status: NewTaxiiInboxStatus, tx?: EntityManager): Promise<void> {
    await this.db(tx).getRepository(TaxiiInboxStatusEntity).insert(status);
  }

  /** The status, only for the organisation that posted it: null for any other, as for one that does not exist. */
  ofOrganisation(id: string, organisationId: string, tx?: EntityManager): Promise<TaxiiInboxStatusEntity | null> {
    return this.db(tx).getRepository(TaxiiInboxStatusEntity).findOne({ where: { id, organisationId } });
  }
}
