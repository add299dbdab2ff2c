import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reporters' portal accounts: a users row with the role `reporter`, tied to its contact. The
 * database keeps reporters and team members apart: a portal account holds that one role and
 * belongs to a contact; a team member (no contact) never holds it. Routes open to team members
 * name their roles, so a reporter reaches none of them.
 */
export class PortalAccounts1764820000000 implements MigrationInterface {
  name = 'PortalAccounts1764820000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE users DROP CONSTRAINT users_roles_check;
      ALTER TABLE users
        ADD CONSTRAINT users_roles
          CHECK (roles <@ ARRAY['admin','analyst','approver','reporter']::text[] AND cardinality(roles) > 0),
        ADD CONSTRAINT users_reporter_contact CHECK (
          CASE WHEN contact_id IS NULL THEN NOT ('reporter' = ANY (roles))
               ELSE roles = ARRAY['reporter']::text[] END);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      UPDATE submissions SET reporter_user_id = NULL
       WHERE reporter_user_id IN (SELECT id FROM users WHERE contact_id IS NOT NULL);
      DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE contact_id IS NOT NULL);
      DELETE FROM users WHERE contact_id IS NOT NULL;
      ALTER TABLE users DROP CONSTRAINT users_reporter_contact, DROP CONSTRAINT users_roles;
      ALTER TABLE users ADD CONSTRAINT users_roles_check
        CHECK (roles <@ ARRAY['admin','analyst','approver']::text[] AND cardinality(roles) > 0);
    `);
  }
}
