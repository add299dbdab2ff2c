import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The partner directory's clock: every statement that writes organisations, contacts, recipient
 * keys or channels sets it to a new number, in its own transaction. A process that keeps the
 * directory as it read it (PartnerDirectory) reads the clock first and reuses what it kept while
 * the clock is where it was. The numbers come from a sequence, which never hands out a number
 * twice, even to a transaction that rolled back: a number seen stands for one state of the directory.
 */
export class DirectoryClock1764880000000 implements MigrationInterface {
  name = 'DirectoryClock1764880000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE SEQUENCE directory_changes;
      CREATE TABLE directory_clock (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        changed bigint NOT NULL
      );
      INSERT INTO directory_clock (changed) VALUES (nextval('directory_changes'));
      CREATE FUNCTION tlpb_directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE directory_clock SET changed = nextval('directory_changes');
        RETURN NULL;
      END $$;
    `);
    for (const table of DIRECTORY_TABLES)
      await queryRunner.query(
        `CREATE TRIGGER ${table}_directory_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
           FOR EACH STATEMENT EXECUTE FUNCTION tlpb_directory_changed()`,
      );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of DIRECTORY_TABLES)
      await queryRunner.query(`DROP TRIGGER ${table}_directory_changed ON ${table}`);
    await queryRunner.query(
      `DROP FUNCTION tlpb_directory_changed(); DROP TABLE directory_clock; DROP SEQUENCE directory_changes;`,
    );
  }
}

const DIRECTORY_TABLES = ['organisations', 'contacts', 'recipient_keys', 'channels'] as const;
