import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indicators carried by an item version (mapped to STIX indicators and MISP attributes), and
 * scopes on partner credentials: which of a channel's pull forms a key opens (JSON feed, TAXII,
 * MISP feed, submissions). Existing partner keys keep every scope.
 */
export class IndicatorsAndFeedCredentials1764500000000 implements MigrationInterface {
  name = 'IndicatorsAndFeedCredentials1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE item_versions ADD COLUMN indicators jsonb NOT NULL DEFAULT '[]';
      ALTER TABLE api_keys ADD COLUMN scopes text[] NOT NULL DEFAULT '{}';
      UPDATE api_keys SET scopes = '{feed,taxii,misp,submit}' WHERE channel_id IS NOT NULL;
      ALTER TABLE api_keys ADD COLUMN last_used_at timestamptz;
      CREATE INDEX api_keys_channel ON api_keys (channel_id) WHERE channel_id IS NOT NULL;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP INDEX api_keys_channel;
      ALTER TABLE api_keys DROP COLUMN last_used_at;
      ALTER TABLE api_keys DROP COLUMN scopes;
      ALTER TABLE item_versions DROP COLUMN indicators;
    `);
  }
}
