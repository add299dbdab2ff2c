import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partners' pull feeds read one page at a time, whatever the size of the channel's feed:
 * - `feed_entries_channel_item`: the entries of a few items in one channel, in added order (how the
 *   TAXII and MISP forms serve each entry depends on what the channel was handed of its item before);
 *   an item's first and latest entry in the channel (the MISP feed's events).
 * - `feed_entries_misp_event`: the entries of the item a MISP event file names (`<uuid>.json`,
 *   the UUIDv5 of `misp-event:<item id>` in tlp-broker's STIX namespace, as libs/stix makes it),
 *   found without reading the channel's other items. uuid_generate_v5 is immutable, so it can be
 *   indexed; uuid-ossp is a trusted extension (PostgreSQL 13 and later).
 * - `feed_entries_stix_item`, `feed_entries_stix_artifact`, `feed_entries_recalls`: the item a TAXII
 *   object id names (`/objects/<id>/`, `/versions/`, `match[id]`) for a report or note (the UUIDv5
 *   of `item:<item id>`, then of `item:<item id>:<n>` after the channel's n-th recall of it) and
 *   for an artifact (of `delivery:<delivery id>`), as libs/stix makes them.
 * The channel's entries by added time (TAXII) and by seq (the JSON feed) have their indexes
 * already (feed_entries_added, feed_entries_channel).
 */
export class FeedPagingIndexes1764860000000 implements MigrationInterface {
  name = 'FeedPagingIndexes1764860000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
      CREATE INDEX feed_entries_channel_item ON feed_entries (channel_id, item_id, added_at);
      CREATE INDEX feed_entries_misp_event ON feed_entries
        (channel_id, uuid_generate_v5('6f1c1d5e-9a3b-5c2e-8d47-2b1e3f0a9c61'::uuid, 'misp-event:' || item_id::text));
      CREATE INDEX feed_entries_stix_item ON feed_entries
        (channel_id, uuid_generate_v5('6f1c1d5e-9a3b-5c2e-8d47-2b1e3f0a9c61'::uuid, 'item:' || item_id::text));
      CREATE INDEX feed_entries_stix_artifact ON feed_entries
        (channel_id, uuid_generate_v5('6f1c1d5e-9a3b-5c2e-8d47-2b1e3f0a9c61'::uuid, 'delivery:' || delivery_id::text));
      CREATE INDEX feed_entries_recalls ON feed_entries (channel_id, item_id) WHERE entry = 'recall';
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP INDEX feed_entries_recalls;
      DROP INDEX feed_entries_stix_artifact;
      DROP INDEX feed_entries_stix_item;
      DROP INDEX feed_entries_misp_event;
      DROP INDEX feed_entries_channel_item;
    `);
  }
}
