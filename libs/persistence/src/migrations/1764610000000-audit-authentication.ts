import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit events carry a MAC made with a key PostgreSQL never holds (events written before have
 * none: the verifier reports them as unauthenticated), and the chain head is signed with the team
 * key at intervals into audit_checkpoints, append-only like the trail itself.
 */
export class AuditAuthentication1764610000000 implements MigrationInterface {
  name = 'AuditAuthentication1764610000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE audit_events ADD COLUMN mac text CHECK (mac ~ '^[0-9a-f]{64}$');

      CREATE TABLE audit_checkpoints (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        seq bigint NOT NULL,
        hash text NOT NULL,
        signed_at timestamptz NOT NULL,
        key_fingerprint text NOT NULL,
        signed text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX audit_checkpoints_seq ON audit_checkpoints (seq);

      CREATE FUNCTION audit_checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_checkpoints is append-only';
      END $$;
      CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_checkpoints
        FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_append_only();
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE audit_checkpoints;
      DROP FUNCTION audit_checkpoints_append_only();
      ALTER TABLE audit_events DROP COLUMN mac;
    `);
  }
}
