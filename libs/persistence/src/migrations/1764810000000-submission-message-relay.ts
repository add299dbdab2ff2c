import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a message to send back about a submission was last handed to the queue. The dispatcher's
 * relay takes a row never handed over at once, and looks again at one handed over long ago and
 * still not sent: its job may be gone (Redis lost it) or finished without sending it (a database
 * restored from before it was sent). PostgreSQL stays the source of truth, as for the outbox.
 */
export class SubmissionMessageRelay1764810000000 implements MigrationInterface {
  name = 'SubmissionMessageRelay1764810000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE submission_messages ADD COLUMN enqueued_at timestamptz;`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE submission_messages DROP COLUMN enqueued_at;`);
  }
}
