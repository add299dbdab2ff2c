import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { SealedPayloadEntity } from '../entities';

/** The two forms an item version is sealed in: the JSON document (feeds, webhooks) and the MIME entity (e-mail). */
export type SealedForm = SealedPayloadEntity['form'];

/** A sealed payload before the database gives it its creation time. */
export type NewSealedPayload = Omit<SealedPayloadEntity, 'createdAt'>;

/**
 * Item versions signed and encrypted once, waiting for each recipient's key packet (sealed_payloads).
 * Every query on these tables is a named method here; a method that must take part in a
 * caller's transaction takes its `tx` as last argument (default: outside any transaction).
 */
@Injectable()
export class SealedPayloadRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The caller's transaction, or the pool outside any. */
  protected db(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  exists(itemVersionId: string, form: SealedForm, tx?: EntityManager): Promise<boolean> {
    return this.db(tx).getRepository(SealedPayloadEntity).exists({ where: { itemVersionId, form } });
  }

  /** The version sealed in `form`; routing seals before it queues a delivery, so a missing one is a fault (it throws). */
  get(itemVersionId: string, form: SealedForm, tx?: EntityManager): Promise<SealedPayloadEntity> {
    return this.db(tx).getRepository(SealedPayloadEntity).findOneOrFail({ where: { itemVersionId, form } });
  }

  async insert(payload: NewSealedPayload, tx?: EntityManager): Promise<void> {
    await this.db(tx).getRepository(SealedPayloadEntity).insert(payload);
  }
}
