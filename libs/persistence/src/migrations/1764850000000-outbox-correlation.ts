import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The correlation id of the request that published (or retracted) an item, kept on its outbox
 * row so that the dispatcher's routing and deliveries log under the same id as the request that
 * caused them. Null for rows written before, or outside any request.
 */
export class OutboxCorrelation1764850000000 implements MigrationInterface {
  name = 'OutboxCorrelation1764850000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE outbox ADD COLUMN correlation_id text;`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE outbox DROP COLUMN correlation_id;`);
  }
}
