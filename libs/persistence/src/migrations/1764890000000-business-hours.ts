import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Business hours: an organisation's time zone, weekly schedule and public-holiday calendar (null:
 * the team's hours apply, with the organisation's country's holidays), and closures an
 * administrator adds, for an organisation or (organisation_id null) for the team itself.
 */
export class BusinessHours1764890000000 implements MigrationInterface {
  name = 'BusinessHours1764890000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE organisations ADD COLUMN business_hours jsonb;
      CREATE TABLE closures (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid REFERENCES organisations(id) ON DELETE CASCADE,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        reason text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (ends_at > starts_at)
      );
      CREATE INDEX closures_by_organisation ON closures (organisation_id, ends_at);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE closures; ALTER TABLE organisations DROP COLUMN business_hours;`);
  }
}
