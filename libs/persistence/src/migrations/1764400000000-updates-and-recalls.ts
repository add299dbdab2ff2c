import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Updates and recalls. A delivery is either an item version (`item`, carrying out an allow
 * decision) or a recall notice (`recall`: the item was retracted, or a later version may no longer
 * reach this recipient). A recall after an update points at the later version's deny decision; a
 * recall after a retraction has none. One row per (item version, channel, kind) stays the guarantee
 * that a retry cannot create a second delivery. `sending` marks a delivery handed to its channel:
 * such a delivery is no longer cancelled by an update or a retraction (it may already have left),
 * and a worker that dies in that state leaves it to be sent again (same Message-ID, same
 * idempotency key). `handed_at` records that a delivery was handed to its channel at least once.
 */
export class UpdatesAndRecalls1764400000000 implements MigrationInterface {
  name = 'UpdatesAndRecalls1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE deliveries ADD COLUMN kind text NOT NULL DEFAULT 'item' CHECK (kind IN ('item', 'recall'));
      ALTER TABLE deliveries ADD COLUMN reason text;
      -- First time the delivery was handed to its channel: from then on the recipient may have it,
      -- whatever happens next (a worker killed, a timeout after the peer took it), and a recall
      -- goes to it if the item is withdrawn.
      ALTER TABLE deliveries ADD COLUMN handed_at timestamptz;
      ALTER TABLE deliveries ALTER COLUMN decision_id DROP NOT NULL;
      ALTER TABLE deliveries ADD CONSTRAINT deliveries_item_decided CHECK (kind = 'recall' OR decision_id IS NOT NULL);
      ALTER TABLE deliveries DROP CONSTRAINT deliveries_item_version_id_channel_id_key;
      ALTER TABLE deliveries ADD CONSTRAINT deliveries_one_per_kind UNIQUE (item_version_id, channel_id, kind);
      ALTER TABLE deliveries DROP CONSTRAINT deliveries_state_check;
      ALTER TABLE deliveries ADD CONSTRAINT deliveries_state_check
        CHECK (state IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'dead', 'recalled', 'cancelled'));
      DROP INDEX deliveries_pending;
      CREATE INDEX deliveries_pending ON deliveries (updated_at) WHERE state IN ('queued', 'failed', 'sending');
      CREATE INDEX deliveries_channel ON deliveries (channel_id);

      -- A retraction: when, and the note sent to every earlier recipient with the recall (optional).
      ALTER TABLE items ADD COLUMN retracted_at timestamptz, ADD COLUMN retraction_notice text;

      ALTER TABLE feed_entries ADD COLUMN entry text NOT NULL DEFAULT 'item' CHECK (entry IN ('item', 'recall'));
      CREATE INDEX feed_entries_item ON feed_entries (item_id);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DELETE FROM feed_entries WHERE entry = 'recall';
      DROP INDEX feed_entries_item;
      ALTER TABLE feed_entries DROP COLUMN entry;
      ALTER TABLE items DROP COLUMN retracted_at, DROP COLUMN retraction_notice;
      DELETE FROM deliveries WHERE kind = 'recall';
      UPDATE deliveries SET state = 'queued' WHERE state = 'sending';
      DROP INDEX deliveries_channel;
      DROP INDEX deliveries_pending;
      CREATE INDEX deliveries_pending ON deliveries (updated_at) WHERE state IN ('queued', 'failed');
      ALTER TABLE deliveries DROP CONSTRAINT deliveries_state_check;
      ALTER TABLE deliveries ADD CONSTRAINT deliveries_state_check
        CHECK (state IN ('queued', 'sent', 'delivered', 'failed', 'dead', 'recalled', 'cancelled'));
      ALTER TABLE deliveries DROP CONSTRAINT deliveries_one_per_kind;
      ALTER TABLE deliveries ADD CONSTRAINT deliveries_item_version_id_channel_id_key UNIQUE (item_version_id, channel_id);
      ALTER TABLE deliveries DROP CONSTRAINT deliveries_item_decided;
      ALTER TABLE deliveries ALTER COLUMN decision_id SET NOT NULL;
      ALTER TABLE deliveries DROP COLUMN reason;
      ALTER TABLE deliveries DROP COLUMN handed_at;
      ALTER TABLE deliveries DROP COLUMN kind;
    `);
  }
}
