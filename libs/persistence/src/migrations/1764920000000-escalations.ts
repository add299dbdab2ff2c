import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Escalations: when an urgent item is not acknowledged in time, the engine decides again for the
 * organisation's on-call channels (decisions of purpose `escalation`, beside those of routing) and
 * each one allowed is a `reminder` delivery; then the team's duty officer is told, through a
 * notice kept here until it is sent. An urgent report received outside the team's hours is told
 * to the duty officer the same way.
 */
export class Escalations1764920000000 implements MigrationInterface {
  name = 'Escalations1764920000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE decisions ADD COLUMN purpose text NOT NULL DEFAULT 'routing' CHECK (purpose IN ('routing', 'escalation'));
      ALTER TABLE decisions DROP CONSTRAINT decisions_item_version_id_channel_id_key;
      ALTER TABLE decisions ADD CONSTRAINT decisions_one_per_purpose UNIQUE (item_version_id, channel_id, purpose);
      ALTER TABLE deliveries DROP CONSTRAINT deliveries_kind_check;
      ALTER TABLE deliveries ADD CONSTRAINT deliveries_kind_check CHECK (kind IN ('item', 'recall', 'reminder'));
      CREATE TABLE duty_officer_notices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        request_id uuid UNIQUE REFERENCES acknowledgement_requests(id),
        submission_id uuid UNIQUE REFERENCES submissions(id),
        created_at timestamptz NOT NULL,
        state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'dead')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        sent_at timestamptz,
        last_error text,
        CHECK ((request_id IS NULL) <> (submission_id IS NULL))
      );
      CREATE INDEX duty_officer_notices_queued ON duty_officer_notices (next_attempt_at) WHERE state = 'queued';
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE duty_officer_notices;
      DELETE FROM deliveries WHERE kind = 'reminder';
      ALTER TABLE deliveries DROP CONSTRAINT deliveries_kind_check;
      ALTER TABLE deliveries ADD CONSTRAINT deliveries_kind_check CHECK (kind IN ('item', 'recall'));
      DELETE FROM decisions WHERE purpose = 'escalation';
      ALTER TABLE decisions DROP CONSTRAINT decisions_one_per_purpose;
      ALTER TABLE decisions ADD CONSTRAINT decisions_item_version_id_channel_id_key UNIQUE (item_version_id, channel_id);
      ALTER TABLE decisions DROP COLUMN purpose;
    `);
  }
}
