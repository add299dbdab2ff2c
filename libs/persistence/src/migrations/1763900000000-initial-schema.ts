import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763900000000 implements MigrationInterface {
  name = 'InitialSchema1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE organisations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('lea','cert','csirt','soc','isac','government','private')),
        country text CHECK (country ~ '^[A-Z]{2}$'),
        relation text NOT NULL CHECK (relation IN ('constituent','peer')),
        communities text[] NOT NULL DEFAULT '{}',
        accreditations text[] NOT NULL DEFAULT '{}',
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended')),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX organisations_name_key ON organisations (lower(name));

      CREATE TABLE contacts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        name text NOT NULL,
        email text NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended')),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX contacts_email_key ON contacts (organisation_id, lower(email));

      CREATE TABLE recipient_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        contact_id uuid REFERENCES contacts(id),
        fingerprint text NOT NULL CHECK (fingerprint ~ '^[0-9A-F]{40}([0-9A-F]{24})?$'),
        version int NOT NULL,
        algorithm text NOT NULL,
        bits int,
        key_created_at timestamptz NOT NULL,
        expires_at timestamptz,
        revoked_at timestamptz,
        user_ids text[] NOT NULL DEFAULT '{}',
        encryption_key_id text NOT NULL,
        armored text NOT NULL,
        imported_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX recipient_keys_owner ON recipient_keys (organisation_id, contact_id);

      CREATE TABLE channels (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        contact_id uuid REFERENCES contacts(id),
        kind text NOT NULL CHECK (kind IN ('feed','email','webhook','public')),
        redistributes boolean NOT NULL DEFAULT false,
        address text,
        key_id uuid REFERENCES recipient_keys(id),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended')),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX channels_organisation ON channels (organisation_id);

      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        roles text[] NOT NULL CHECK (roles <@ ARRAY['admin','analyst','approver']::text[] AND cardinality(roles) > 0),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended')),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX users_name_key ON users (lower(name));

      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key_hash text NOT NULL UNIQUE,
        prefix text NOT NULL,
        user_id uuid REFERENCES users(id),
        channel_id uuid REFERENCES channels(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CHECK ((user_id IS NULL) <> (channel_id IS NULL))
      );

      CREATE TABLE items (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('alert','advisory','intel-report','threat-datasheet','announcement','annual-report')),
        state text NOT NULL CHECK (state IN ('draft','pending-approval','scheduled','published','retracted')),
        current_version int NOT NULL,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE item_versions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        item_id uuid NOT NULL REFERENCES items(id),
        version int NOT NULL CHECK (version > 0),
        title text NOT NULL,
        summary text NOT NULL DEFAULT '',
        body text NOT NULL,
        tlp text NOT NULL CHECK (tlp IN ('TLP:CLEAR','TLP:GREEN','TLP:AMBER','TLP:AMBER+STRICT','TLP:RED')),
        pap text CHECK (pap IN ('PAP:CLEAR','PAP:GREEN','PAP:AMBER','PAP:RED')),
        audience jsonb NOT NULL,
        severity text,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (item_id, version)
      );

      CREATE TABLE outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        topic text NOT NULL,
        item_version_id uuid NOT NULL REFERENCES item_versions(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        enqueued_at timestamptz,
        processed_at timestamptz
      );
      CREATE INDEX outbox_pending ON outbox (id) WHERE processed_at IS NULL;

      CREATE TABLE sealed_payloads (
        item_version_id uuid PRIMARY KEY REFERENCES item_versions(id),
        team_key_fingerprint text NOT NULL,
        session_key_algorithm text NOT NULL,
        session_key bytea NOT NULL,
        encrypted_data bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE decisions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        item_version_id uuid NOT NULL REFERENCES item_versions(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        contact_id uuid REFERENCES contacts(id),
        channel_id uuid NOT NULL REFERENCES channels(id),
        allow boolean NOT NULL,
        code text NOT NULL,
        reason text NOT NULL,
        handling text,
        key_fingerprint text,
        decided_at timestamptz NOT NULL,
        UNIQUE (item_version_id, channel_id)
      );

      CREATE TABLE deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        decision_id uuid NOT NULL UNIQUE REFERENCES decisions(id),
        item_version_id uuid NOT NULL REFERENCES item_versions(id),
        channel_id uuid NOT NULL REFERENCES channels(id),
        organisation_id uuid NOT NULL REFERENCES organisations(id),
        contact_id uuid REFERENCES contacts(id),
        state text NOT NULL CHECK (state IN ('queued','sent','delivered','failed','dead','recalled','cancelled')),
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        key_fingerprint text,
        message_id text,
        queued_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (item_version_id, channel_id)
      );
      CREATE INDEX deliveries_pending ON deliveries (updated_at) WHERE state IN ('queued','failed');

      CREATE TABLE feed_entries (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        delivery_id uuid NOT NULL UNIQUE REFERENCES deliveries(id),
        channel_id uuid NOT NULL REFERENCES channels(id),
        item_id uuid NOT NULL REFERENCES items(id),
        item_version int NOT NULL,
        kind text NOT NULL,
        tlp text NOT NULL,
        pap text,
        handling text,
        key_fingerprint text NOT NULL,
        message text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX feed_entries_channel ON feed_entries (channel_id, seq DESC);

      CREATE TABLE team_keys (
        fingerprint text PRIMARY KEY,
        public_armored text NOT NULL,
        private_armored text,
        source text NOT NULL CHECK (source IN ('generated','file')),
        active boolean NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX team_keys_one_active ON team_keys (active) WHERE active;

      CREATE TABLE audit_events (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        action text NOT NULL,
        subject_type text NOT NULL,
        subject_id text NOT NULL,
        details jsonb NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL UNIQUE
      );
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only';
      END $$;
      CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE audit_events, team_keys, feed_entries, deliveries, decisions, sealed_payloads, outbox,
        item_versions, items, api_keys, users, channels, recipient_keys, contacts, organisations;
      DROP FUNCTION audit_events_append_only();
    `);
  }
}
