import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Routing jobs are named after a UUID of their outbox row, never after its sequence number: a
 * database restored from a backup (or a fresh one beside a Redis that was used before) starts the
 * sequence again, and a job id BullMQ still keeps as completed would make every new enqueue a
 * silent no-op.
 */
export class OutboxJobKeys1764600000000 implements MigrationInterface {
  name = 'OutboxJobKeys1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE outbox ADD COLUMN job_key uuid NOT NULL DEFAULT gen_random_uuid();
      ALTER TABLE outbox ADD CONSTRAINT outbox_job_key_unique UNIQUE (job_key);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE outbox DROP COLUMN job_key;`);
  }
}
