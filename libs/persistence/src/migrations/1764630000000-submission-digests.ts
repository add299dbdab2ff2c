import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Submissions: `size_bytes` becomes the size of the content kept (0 when none is), `raw_size_bytes`
 * the size of what was received (a compressed message is far smaller than what it inflates to),
 * and `digest` names the signed statement (or, for a rejected one, the exact bytes received), so
 * that the same message sent again by the same organisation is recognised and not stored twice.
 */
export class SubmissionDigests1764630000000 implements MigrationInterface {
  name = 'SubmissionDigests1764630000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE submissions ADD COLUMN raw_size_bytes int;
      UPDATE submissions SET raw_size_bytes = size_bytes, size_bytes = COALESCE(octet_length(content), 0);
      ALTER TABLE submissions ALTER COLUMN raw_size_bytes SET NOT NULL;
      ALTER TABLE submissions ADD COLUMN digest text CHECK (digest ~ '^[0-9a-f]{64}$');
      CREATE UNIQUE INDEX submissions_digest_unique ON submissions (organisation_id, digest);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP INDEX submissions_digest_unique;
      ALTER TABLE submissions DROP COLUMN digest;
      UPDATE submissions SET size_bytes = raw_size_bytes;
      ALTER TABLE submissions DROP COLUMN raw_size_bytes;
    `);
  }
}
