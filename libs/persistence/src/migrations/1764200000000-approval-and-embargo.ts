import { MigrationInterface, QueryRunner } from 'typeorm';

export class ApprovalAndEmbargo1764200000000 implements MigrationInterface {
  name = 'ApprovalAndEmbargo1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE item_versions
        ADD COLUMN release_at timestamptz,
        ADD COLUMN approved_by uuid REFERENCES users(id),
        ADD COLUMN approved_at timestamptz,
        ADD CONSTRAINT item_versions_four_eyes CHECK (approved_by IS NULL OR approved_by <> created_by);
      ALTER TABLE outbox ADD COLUMN not_before timestamptz;
      DROP INDEX outbox_pending;
      CREATE INDEX outbox_pending ON outbox (not_before, id) WHERE processed_at IS NULL;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP INDEX outbox_pending;
      CREATE INDEX outbox_pending ON outbox (id) WHERE processed_at IS NULL;
      ALTER TABLE outbox DROP COLUMN not_before;
      ALTER TABLE item_versions DROP CONSTRAINT item_versions_four_eyes, DROP COLUMN approved_at, DROP COLUMN approved_by, DROP COLUMN release_at;
    `);
  }
}
