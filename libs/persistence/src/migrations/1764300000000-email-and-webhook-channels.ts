import { MigrationInterface, QueryRunner } from 'typeorm';

export class EmailAndWebhookChannels1764300000000 implements MigrationInterface {
  name = 'EmailAndWebhookChannels1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      -- The webhook's HMAC secret (the broker computes the signature, so it keeps the secret itself).
      ALTER TABLE channels ADD COLUMN secret text;
      ALTER TABLE channels ADD CONSTRAINT channels_address CHECK (
        (kind = 'email' AND address IS NOT NULL) OR (kind = 'webhook' AND address IS NOT NULL AND secret IS NOT NULL) OR kind IN ('feed', 'public'));

      -- One sealed payload per form: the JSON document (feeds, webhooks) and the MIME entity (e-mail).
      ALTER TABLE sealed_payloads ADD COLUMN form text NOT NULL DEFAULT 'document' CHECK (form IN ('document', 'mime'));
      ALTER TABLE sealed_payloads DROP CONSTRAINT sealed_payloads_pkey;
      ALTER TABLE sealed_payloads ADD PRIMARY KEY (item_version_id, form);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DELETE FROM sealed_payloads WHERE form <> 'document';
      ALTER TABLE sealed_payloads DROP CONSTRAINT sealed_payloads_pkey;
      ALTER TABLE sealed_payloads ADD PRIMARY KEY (item_version_id);
      ALTER TABLE sealed_payloads DROP COLUMN form;
      ALTER TABLE channels DROP CONSTRAINT channels_address, DROP COLUMN secret;
    `);
  }
}
