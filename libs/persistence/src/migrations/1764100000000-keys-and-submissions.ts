import { MigrationInterface, QueryRunner } from 'typeorm';

export class KeysAndSubmissions1764100000000 implements MigrationInterface {
  name = 'KeysAndSubmissions1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE team_keys ADD COLUMN retired_at timestamptz;

      CREATE TABLE submissions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        channel_id uuid NOT NULL REFERENCES channels(id),
        status text NOT NULL CHECK (status IN ('verified', 'rejected')),
        reason text,
        detail text,
        signer_fingerprint text,
        content text,
        size_bytes int NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((status = 'verified') = (signer_fingerprint IS NOT NULL AND content IS NOT NULL))
      );
      CREATE INDEX submissions_received ON submissions (received_at DESC);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE submissions; ALTER TABLE team_keys DROP COLUMN retired_at;`);
  }
}
