import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The team reads the audit trail of one item (GET /items/:id/audit): its events are found by
 * subject (the item, each of its deliveries) and by the item named in their details, through
 * these indexes rather than by reading the whole trail, which only grows.
 */
export class AuditEventLookups1764750000000 implements MigrationInterface {
  name = 'AuditEventLookups1764750000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE INDEX audit_events_subject ON audit_events (subject_type, subject_id, seq);
      CREATE INDEX audit_events_item ON audit_events ((details->>'itemId'), seq) WHERE details ? 'itemId';
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP INDEX audit_events_item;
      DROP INDEX audit_events_subject;
    `);
  }
}
