import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * On-call channels: a duty contact's own channel marked `on_call`, and `pager`, an organisation's
 * paging hook (a webhook to its SMS or pager gateway, with its HMAC secret), which is always on call
 * and never carries content. An on-call channel other than a pager belongs to a named contact.
 */
export class OnCallChannels1764900000000 implements MigrationInterface {
  name = 'OnCallChannels1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE channels DROP CONSTRAINT channels_kind_check;
      ALTER TABLE channels ADD CONSTRAINT channels_kind_check CHECK (kind IN ('feed', 'email', 'webhook', 'public', 'pager'));
      ALTER TABLE channels DROP CONSTRAINT channels_address;
      ALTER TABLE channels ADD CONSTRAINT channels_address CHECK (
        (kind = 'email' AND address IS NOT NULL)
        OR (kind IN ('webhook', 'pager') AND address IS NOT NULL AND secret IS NOT NULL)
        OR kind IN ('feed', 'public'));
      ALTER TABLE channels ADD COLUMN on_call boolean NOT NULL DEFAULT false;
      ALTER TABLE channels ADD CONSTRAINT channels_pager_on_call CHECK (kind <> 'pager' OR on_call);
      ALTER TABLE channels ADD CONSTRAINT channels_on_call_contact CHECK (NOT on_call OR kind = 'pager' OR contact_id IS NOT NULL);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DELETE FROM channels WHERE kind = 'pager' OR on_call;
      ALTER TABLE channels DROP CONSTRAINT channels_on_call_contact, DROP CONSTRAINT channels_pager_on_call, DROP COLUMN on_call;
      ALTER TABLE channels DROP CONSTRAINT channels_address;
      ALTER TABLE channels ADD CONSTRAINT channels_address CHECK (
        (kind = 'email' AND address IS NOT NULL) OR (kind = 'webhook' AND address IS NOT NULL AND secret IS NOT NULL) OR kind IN ('feed', 'public'));
      ALTER TABLE channels DROP CONSTRAINT channels_kind_check;
      ALTER TABLE channels ADD CONSTRAINT channels_kind_check CHECK (kind IN ('feed', 'email', 'webhook', 'public'));
    `);
  }
}
