import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each feed entry was added to its channel's feed (`added_at`), in the order entries become
 * visible, with room after it for one distinct microsecond per STIX object the entry may be served
 * as: TAXII's date_added, the JSON feed's deliveredAt and `since`. `feed_clocks` holds, per channel,
 * the first instant the next entry may take; it survives entries that a retraction removes.
 * Existing entries are given times in their insertion order, from their creation time.
 */
export class FeedAddedTimes1764620000000 implements MigrationInterface {
  name = 'FeedAddedTimes1764620000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE feed_entries ADD COLUMN added_at timestamptz;
      CREATE TABLE feed_clocks (
        channel_id uuid PRIMARY KEY REFERENCES channels(id),
        added_until timestamptz NOT NULL
      );
      DO $$
      DECLARE
        entry record;
        channel uuid;
        until timestamptz;
        at timestamptz;
      BEGIN
        FOR entry IN
          SELECT f.seq, f.channel_id, f.created_at,
                 (2 + coalesce((SELECT sum(jsonb_array_length(v.indicators)) FROM item_versions v WHERE v.item_id = f.item_id), 0)) * interval '1 microsecond' AS width
            FROM feed_entries f ORDER BY f.channel_id, f.seq
        LOOP
          IF channel IS DISTINCT FROM entry.channel_id THEN
            IF channel IS NOT NULL THEN INSERT INTO feed_clocks (channel_id, added_until) VALUES (channel, until); END IF;
            channel := entry.channel_id;
            until := '-infinity';
          END IF;
          at := greatest(entry.created_at, until);
          UPDATE feed_entries SET added_at = at WHERE seq = entry.seq;
          until := at + entry.width;
        END LOOP;
        IF channel IS NOT NULL THEN INSERT INTO feed_clocks (channel_id, added_until) VALUES (channel, until); END IF;
      END $$;
      ALTER TABLE feed_entries ALTER COLUMN added_at SET NOT NULL;
      CREATE UNIQUE INDEX feed_entries_added ON feed_entries (channel_id, added_at);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP INDEX feed_entries_added;
      DROP TABLE feed_clocks;
      ALTER TABLE feed_entries DROP COLUMN added_at;
    `);
  }
}
