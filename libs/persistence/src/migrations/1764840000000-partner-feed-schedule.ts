import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partners' feeds on a schedule shared by every dispatcher: when each feed is next due (an
 * administrator's "poll now" brings it forward), and until when one dispatcher holds it. The claim
 * is a lease rather than a lock held in a transaction, so that a poll of a slow or large feed,
 * which may outlast the feed's interval, is never started a second time by another dispatcher; a
 * dispatcher that dies mid-poll leaves a lease that simply runs out. One feed per URL and partner:
 * the same collection configured twice would bring everything in twice.
 */
export class PartnerFeedSchedule1764840000000 implements MigrationInterface {
  name = 'PartnerFeedSchedule1764840000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE partner_feeds
        ADD COLUMN next_poll_at timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN claimed_until timestamptz;
      CREATE UNIQUE INDEX partner_feeds_url_unique ON partner_feeds (organisation_id, url);
      CREATE INDEX partner_feeds_due ON partner_feeds (next_poll_at) WHERE status = 'active';
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP INDEX partner_feeds_due;
      DROP INDEX partner_feeds_url_unique;
      ALTER TABLE partner_feeds DROP COLUMN claimed_until, DROP COLUMN next_poll_at;
    `);
  }
}
