import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/**
 * The one way services open a transaction: the writes that must succeed together (an item and
 * its outbox row; a delivery's state and its audit entry) run inside `run`, and every repository
 * method they call is handed its `tx`.
 */
@Injectable()
export class Transactions {
  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }
}
