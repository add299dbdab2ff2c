import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbound half: every way in (the team mailbox, reporting forms, the TAXII inbox, partners'
 * feeds, the API) becomes a submission with its source, how its sender is known, its label and
 * PAP, its content, attachments and extracted indicators, a reference returned to the sender, and
 * a triage state. Messages the team sends back about a submission (the acknowledgement, replies)
 * are rows of their own, sent by the dispatcher and re-enqueued by the reconciler. Reporters get
 * portal accounts tied to a contact. Administrators configure partners' feeds to poll, each with
 * its cursor.
 */
export class Intake1764800000000 implements MigrationInterface {
  name = 'Intake1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE partner_feeds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        kind text NOT NULL CHECK (kind IN ('taxii', 'misp')),
        name text NOT NULL,
        url text NOT NULL,
        -- Sent as the Authorization header (e.g. "Bearer …" or "Basic …"); never shown back.
        authorization_header text,
        interval_seconds int NOT NULL CHECK (interval_seconds BETWEEN 10 AND 86400),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
        -- TAXII: the last X-TAXII-Date-Added-Last seen; MISP: event uuid -> timestamp taken.
        cursor jsonb NOT NULL DEFAULT '{}'::jsonb,
        last_polled_at timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      ALTER TABLE users ADD COLUMN contact_id uuid REFERENCES contacts(id);
      CREATE UNIQUE INDEX users_contact_unique ON users (contact_id) WHERE contact_id IS NOT NULL;

      CREATE TABLE submission_reference_counters (
        year int PRIMARY KEY,
        last int NOT NULL
      );

      ALTER TABLE submissions DROP CONSTRAINT IF EXISTS submissions_check;
      ALTER TABLE submissions DROP CONSTRAINT IF EXISTS submissions_status_check;
      ALTER TABLE submissions ALTER COLUMN organisation_id DROP NOT NULL;
      ALTER TABLE submissions ALTER COLUMN channel_id DROP NOT NULL;
      ALTER TABLE submissions
        ADD COLUMN source text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'email', 'form', 'taxii', 'feed')),
        ADD COLUMN sender_proof text NOT NULL DEFAULT 'signature'
          CHECK (sender_proof IN ('signature', 'credential', 'portal', 'staff', 'feed', 'none')),
        ADD COLUMN sender_contact_id uuid REFERENCES contacts(id),
        ADD COLUMN reference text UNIQUE,
        ADD COLUMN from_address text,
        ADD COLUMN message_id text,
        ADD COLUMN encrypted boolean NOT NULL DEFAULT false,
        ADD COLUMN title text,
        ADD COLUMN tlp text CHECK (tlp IN ('TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED')),
        ADD COLUMN pap text CHECK (pap IN ('PAP:CLEAR', 'PAP:GREEN', 'PAP:AMBER', 'PAP:RED')),
        ADD COLUMN consent jsonb,
        ADD COLUMN report_kind text CHECK (report_kind IN ('investigation-incident', 'support-request')),
        ADD COLUMN report jsonb,
        ADD COLUMN indicators jsonb NOT NULL DEFAULT '[]'::jsonb,
        ADD COLUMN flags text[] NOT NULL DEFAULT '{}',
        ADD COLUMN triage_state text NOT NULL DEFAULT 'received' CHECK (triage_state IN ('received', 'in-triage', 'closed')),
        ADD COLUMN close_reason text CHECK (close_reason IN ('duplicate', 'out-of-scope', 'spam', 'resolved')),
        ADD COLUMN closed_at timestamptz,
        ADD COLUMN item_id uuid REFERENCES items(id),
        ADD COLUMN reporter_user_id uuid REFERENCES users(id),
        ADD COLUMN entered_by uuid REFERENCES users(id),
        ADD COLUMN partner_feed_id uuid REFERENCES partner_feeds(id),
        ADD COLUMN external_id text;
      ALTER TABLE submissions
        ADD CONSTRAINT submissions_status CHECK (status IN ('verified', 'unverified', 'rejected')),
        -- A rejected submission keeps nothing of what it carried.
        ADD CONSTRAINT submissions_rejected_empty CHECK (status <> 'rejected' OR content IS NULL),
        -- A proven sender is an organisation; a signature names the key that made it.
        ADD CONSTRAINT submissions_verified_sender CHECK (status <> 'verified' OR organisation_id IS NOT NULL),
        ADD CONSTRAINT submissions_signature_signer CHECK (
          status <> 'verified' OR sender_proof <> 'signature' OR signer_fingerprint IS NOT NULL),
        ADD CONSTRAINT submissions_closed CHECK ((triage_state = 'closed') = (close_reason IS NOT NULL));
      CREATE UNIQUE INDEX submissions_message_id_unique ON submissions (message_id) WHERE message_id IS NOT NULL;
      CREATE UNIQUE INDEX submissions_feed_object_unique ON submissions (partner_feed_id, external_id)
        WHERE partner_feed_id IS NOT NULL;
      CREATE INDEX submissions_triage ON submissions (triage_state, received_at DESC);
      CREATE INDEX submissions_reporter ON submissions (reporter_user_id, received_at DESC) WHERE reporter_user_id IS NOT NULL;
      CREATE INDEX submissions_item ON submissions (item_id) WHERE item_id IS NOT NULL;

      CREATE TABLE submission_attachments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        submission_id uuid NOT NULL REFERENCES submissions(id),
        position int NOT NULL,
        filename text NOT NULL,
        media_type text NOT NULL,
        size_bytes int NOT NULL,
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        content bytea NOT NULL,
        UNIQUE (submission_id, position)
      );

      CREATE TABLE submission_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        submission_id uuid NOT NULL REFERENCES submissions(id),
        kind text NOT NULL CHECK (kind IN ('acknowledgement', 'reply')),
        -- The reply's text as the analyst wrote it (null for an acknowledgement, written from the submission).
        body text,
        -- Whom it goes to: the contact or organisation that signed, at its registered address.
        to_name text NOT NULL,
        to_address text NOT NULL,
        recipient_fingerprint text NOT NULL,
        state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed', 'dead')),
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        mail_message_id text,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      );
      -- One acknowledgement per submission, whatever retries or races happen.
      CREATE UNIQUE INDEX submission_messages_one_ack ON submission_messages (submission_id) WHERE kind = 'acknowledgement';
      CREATE INDEX submission_messages_open ON submission_messages (created_at) WHERE state IN ('queued', 'failed');

      CREATE TABLE taxii_inbox_statuses (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        channel_id uuid NOT NULL REFERENCES channels(id),
        submission_id uuid REFERENCES submissions(id),
        status text NOT NULL CHECK (status IN ('pending', 'complete')),
        request_timestamp timestamptz NOT NULL DEFAULT now(),
        total_count int NOT NULL,
        success_count int NOT NULL,
        failure_count int NOT NULL,
        pending_count int NOT NULL,
        successes jsonb NOT NULL DEFAULT '[]'::jsonb,
        failures jsonb NOT NULL DEFAULT '[]'::jsonb
      );
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE taxii_inbox_statuses;
      DROP TABLE submission_messages;
      DROP TABLE submission_attachments;
      DROP INDEX submissions_item;
      DROP INDEX submissions_reporter;
      DROP INDEX submissions_triage;
      DROP INDEX submissions_feed_object_unique;
      DROP INDEX submissions_message_id_unique;
      ALTER TABLE submissions
        DROP CONSTRAINT submissions_closed,
        DROP CONSTRAINT submissions_signature_signer,
        DROP CONSTRAINT submissions_verified_sender,
        DROP CONSTRAINT submissions_rejected_empty,
        DROP CONSTRAINT submissions_status;
      DELETE FROM submissions WHERE organisation_id IS NULL OR channel_id IS NULL OR status = 'unverified';
      ALTER TABLE submissions
        DROP COLUMN external_id, DROP COLUMN partner_feed_id, DROP COLUMN entered_by, DROP COLUMN reporter_user_id,
        DROP COLUMN item_id, DROP COLUMN closed_at, DROP COLUMN close_reason, DROP COLUMN triage_state,
        DROP COLUMN flags, DROP COLUMN indicators, DROP COLUMN report, DROP COLUMN report_kind, DROP COLUMN consent,
        DROP COLUMN pap, DROP COLUMN tlp, DROP COLUMN title, DROP COLUMN encrypted, DROP COLUMN message_id,
        DROP COLUMN from_address, DROP COLUMN reference, DROP COLUMN sender_contact_id, DROP COLUMN sender_proof,
        DROP COLUMN source;
      ALTER TABLE submissions ALTER COLUMN organisation_id SET NOT NULL;
      ALTER TABLE submissions ALTER COLUMN channel_id SET NOT NULL;
      ALTER TABLE submissions ADD CONSTRAINT submissions_status_check CHECK (status IN ('verified', 'rejected'));
      ALTER TABLE submissions ADD CONSTRAINT submissions_check
        CHECK ((status = 'verified') = (signer_fingerprint IS NOT NULL AND content IS NOT NULL));
      DROP TABLE submission_reference_counters;
      DROP INDEX users_contact_unique;
      ALTER TABLE users DROP COLUMN contact_id;
      DROP TABLE partner_feeds;
    `);
  }
}
