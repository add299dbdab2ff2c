import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Team members sign in to the console with a password and a TOTP code, and hold a cookie session.
 * Users get a password hash (scrypt, self-describing) and a TOTP secret with the last time step a
 * code was accepted for (a code is never accepted twice). The TOTP secret is kept as it is, not
 * hashed: the server must compute codes from it, so database backups hold it too and must be
 * guarded like the database itself. A session stores only the SHA-256 of its cookie value, its
 * CSRF token, its stage (`enrol`: password only, may enrol an authenticator and nothing else;
 * `full`), its times and, while an authenticator is being enrolled, the secret awaiting its first
 * code. The application role's privileges on the new table are set by `migrate` (database-roles.ts).
 */
export class UserSignIn1764700000000 implements MigrationInterface {
  name = 'UserSignIn1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE users
        ADD COLUMN password_hash text,
        ADD COLUMN totp_secret text,
        ADD COLUMN totp_enrolled_at timestamptz,
        ADD COLUMN totp_last_step bigint,
        ADD CONSTRAINT users_totp_enrolled CHECK ((totp_secret IS NULL) = (totp_enrolled_at IS NULL));

      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id),
        token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
        csrf_token text NOT NULL,
        stage text NOT NULL CHECK (stage IN ('enrol', 'full')),
        pending_totp_secret text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      );
      CREATE INDEX sessions_user_live ON sessions (user_id) WHERE revoked_at IS NULL;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE sessions;
      ALTER TABLE users
        DROP CONSTRAINT users_totp_enrolled,
        DROP COLUMN totp_last_step,
        DROP COLUMN totp_enrolled_at,
        DROP COLUMN totp_secret,
        DROP COLUMN password_hash;
    `);
  }
}
