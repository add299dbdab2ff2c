import { MigrationInterface, QueryRunner } from 'typeorm';

export class CaveatsAndProvenance1764000000000 implements MigrationInterface {
  name = 'CaveatsAndProvenance1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE caveats (
        name text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
        description text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO caveats (name, description) VALUES
        ('judicial-secret', 'Secret of a judicial investigation: only for services accredited to the investigation'),
        ('need-to-know', 'Only for recipients with an established need to know');

      ALTER TABLE item_versions
        ADD COLUMN caveats text[] NOT NULL DEFAULT '{}',
        ADD COLUMN provenance jsonb;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE item_versions DROP COLUMN provenance, DROP COLUMN caveats;
      DROP TABLE caveats;
    `);
  }
}
