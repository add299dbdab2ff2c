import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each statement that writes outbox rows notifies the channel `tlpb_outbox` when its transaction
 * commits: the dispatcher's relay, listening, moves the rows at once instead of at its next poll
 * (which stays, for a lost connection or notice).
 */
export class OutboxNotify1764870000000 implements MigrationInterface {
  name = 'OutboxNotify1764870000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION tlpb_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('tlpb_outbox', '');
        RETURN NULL;
      END $$;
      CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION tlpb_outbox_notify();
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER outbox_notify ON outbox; DROP FUNCTION tlpb_outbox_notify();`);
  }
}
