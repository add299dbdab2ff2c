import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Acknowledgements: for each organisation an urgent item reached, one request that a person there
 * acknowledge it, with its deadlines (re-send to the on-call channels, then notify the team's duty
 * officer), how far escalation went, and who acknowledged, when and how.
 */
export class Acknowledgements1764910000000 implements MigrationInterface {
  name = 'Acknowledgements1764910000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE acknowledgement_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        item_id uuid NOT NULL REFERENCES items(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        item_version_id uuid NOT NULL REFERENCES item_versions(id),
        requested_at timestamptz NOT NULL,
        escalate_at timestamptz NOT NULL,
        duty_officer_at timestamptz NOT NULL,
        escalation_step int NOT NULL DEFAULT 0 CHECK (escalation_step BETWEEN 0 AND 2),
        acknowledged_at timestamptz,
        acknowledged_by text,
        acknowledged_contact_id uuid REFERENCES contacts(id),
        acknowledged_via text CHECK (acknowledged_via IN ('feed', 'link', 'signed-reply')),
        acknowledged_delivery_id uuid REFERENCES deliveries(id),
        UNIQUE (item_id, organisation_id),
        CHECK ((acknowledged_at IS NULL) = (acknowledged_via IS NULL)),
        CHECK (duty_officer_at >= escalate_at AND escalate_at >= requested_at)
      );
      -- What the escalation clock looks for: open requests by their next deadline.
      CREATE INDEX acknowledgement_requests_open ON acknowledgement_requests (escalate_at, duty_officer_at)
        WHERE acknowledged_at IS NULL AND escalation_step < 2;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE acknowledgement_requests`);
  }
}
