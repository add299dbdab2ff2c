import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSealed } from '@tlp-broker/crypto';
import { startBroker, TestBroker } from './support/broker';
import { eventually, http } from './support/http';
import { newKeyPair, postOrganisation, teamPublicKey } from './support/partners';

/**
 * Key life cycle over HTTP: pinned fingerprints, e-mail user IDs, updates merged over the stored
 * key, revocation certificates, replacement keys, the expiry report, keys only modern software
 * reads, and rotation of the team's own key.
 */
describe('key life cycle', () => {
  let broker: TestBroker;
  const DAY = 86_400;

  const register = (name: string, publicKey: string, extra: Record<string, unknown> = {}) =>
    postOrganisation(broker.url, broker.adminKey, name, publicKey, extra);

  const ecc = (name: string, options: Partial<Parameters<typeof openpgp.generateKey>[0]> = {}) =>
    openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name, email: `soc@${name.toLowerCase().replace(/\W+/g, '-')}.example` }],
      format: 'object',
      ...options,
    });

  /** Publishes a TLP:AMBER item to one organisation and waits until it is routed; returns the decision for its team channel. */
  const publishTo = async (organisationId: string, title: string) => {
    const published = await http(broker.url, 'POST', '/items', {
      key: broker.analystKey,
      json: { type: 'alert', title, body: title, tlp: 'TLP:AMBER', audience: { organisations: [organisationId] } },
    });
    expect(published.status).toBe(201);
    const routed = await eventually(async () => {
      const response = await http(broker.url, 'GET', `/items/${published.body.id}/decisions`, {
        key: broker.analystKey,
      });
      const decision = response.body.decisions.find(
        (d: { organisationId: string }) => d.organisationId === organisationId,
      );
      return response.body.routed && (!decision.allow || decision.delivery?.state === 'delivered')
        ? decision
        : undefined;
    });
    return {
      itemId: published.body.id as string,
      decision: routed as { allow: boolean; code: string; keyFingerprint: string | null },
    };
  };

  beforeAll(async () => {
    broker = await startBroker();
  });

  afterAll(async () => {
    await broker?.close();
  });

  describe('registration', () => {
    it('accepts a key matching the fingerprint pinned out of band, however it is written', async () => {
      const pair = await newKeyPair('Pinned CERT', 'soc@pinned.example');
      const written = pair.fingerprint
        .toLowerCase()
        .replace(/(.{4})/g, '$1 ')
        .trim();
      const response = await register('Pinned CERT', pair.publicArmored, { fingerprint: written });
      expect(response.status).toBe(201);
      expect(response.body.key.fingerprint).toBe(pair.fingerprint);
    });

    it('refuses a key that does not match the pinned fingerprint', async () => {
      const pair = await newKeyPair('Swapped CERT', 'soc@swapped.example');
      const other = await newKeyPair('Attacker', 'x@attacker.example');
      const response = await register('Swapped CERT', pair.publicArmored, { fingerprint: other.fingerprint });
      expect(response.status).toBe(400);
      expect(response.body.details[0]).toMatchObject({
        field: 'publicKey',
        message: expect.stringContaining('does not match the pinned fingerprint'),
      });
    });

    it("refuses a person's key that has no user ID with the person's e-mail address", async () => {
      const org = await register(
        'Email CERT',
        (await newKeyPair('Email CERT', 'soc@email-cert.example')).publicArmored,
      );
      const wrong = await newKeyPair('Jane', 'jane@elsewhere.example');
      const response = await http(broker.url, 'POST', `/organisations/${org.body.id}/contacts`, {
        key: broker.adminKey,
        json: { name: 'Jane', email: 'jane@email-cert.example', publicKey: wrong.publicArmored },
      });
      expect(response.status).toBe(400);
      expect(response.body.details[0].message).toContain('no user ID with jane@email-cert.example');
      const right = await newKeyPair('Jane', 'Jane@Email-Cert.example');
      const accepted = await http(broker.url, 'POST', `/organisations/${org.body.id}/contacts`, {
        key: broker.adminKey,
        json: { name: 'Jane', email: 'jane@email-cert.example', publicKey: right.publicArmored },
      });
      expect(accepted.status).toBe(201);
    });

    it('says which partners only modern (RFC 9580) software can reach, and reaches them', async () => {
      const { privateKey, publicKey } = await openpgp.generateKey({
        type: 'curve25519',
        userIDs: [{ name: 'Modern CERT', email: 'soc@modern.example' }],
        format: 'object',
      });
      const response = await register('Modern CERT', publicKey.armor());
      expect(response.status).toBe(201);
      expect(response.body.key.modernOnly).toBe(true);
      const classic = await register(
        'Classic CERT',
        (await newKeyPair('Classic CERT', 'soc@classic.example')).publicArmored,
      );
      expect(classic.body.key.modernOnly).toBe(false);

      await publishTo(response.body.id, 'for a modern partner');
      const feed = await http(broker.url, 'GET', '/feed', { key: response.body.channels[0].apiKey });
      const team = await teamPublicKey(broker.url);
      const opened = await openSealed(feed.body.entries[0].message, privateKey, [team]);
      expect(JSON.parse(opened.text).title).toBe('for a modern partner');
    });
  });

  describe('updates, revocations and replacements', () => {
    it('merges an updated copy of the key: a renewed expiry leaves the expiry report', async () => {
      // Made an hour ago: the renewal's self-signature is then the newer one (signature times have one-second resolution).
      const { privateKey } = await ecc('Renewing CERT', {
        keyExpirationTime: 10 * DAY,
        date: new Date(Date.now() - 3_600_000),
      });
      const org = await register('Renewing CERT', privateKey.toPublic().armor());
      expect(org.status).toBe(201);
      const soon = await http(broker.url, 'GET', '/keys?expiringWithinDays=30', { key: broker.adminKey });
      const listed = soon.body.find((row: { organisation: string }) => row.organisation === 'Renewing CERT');
      expect(listed).toMatchObject({ fingerprint: org.body.key.fingerprint, contact: null });
      expect(listed.daysLeft).toBeGreaterThanOrEqual(9);
      expect(listed.daysLeft).toBeLessThanOrEqual(10);

      const { publicKey: renewed } = await openpgp.reformatKey({
        privateKey,
        userIDs: [{ name: 'Renewing CERT', email: 'soc@renewing-cert.example' }],
        keyExpirationTime: 400 * DAY,
        format: 'object',
      });
      const update = await http(broker.url, 'PUT', `/organisations/${org.body.id}/key`, {
        key: broker.adminKey,
        json: { publicKey: renewed.armor() },
      });
      expect(update.status).toBe(200);
      expect(update.body.result).toBe('updated');
      expect(update.body.key.fingerprint).toBe(org.body.key.fingerprint);
      expect(Date.parse(update.body.key.expiresAt)).toBeGreaterThan(Date.now() + 300 * DAY * 1000);
      const after = await http(broker.url, 'GET', '/keys?expiringWithinDays=30', { key: broker.adminKey });
      expect(after.body.find((row: { organisation: string }) => row.organisation === 'Renewing CERT')).toBeUndefined();
    });

    it('applies a revocation certificate at once: nothing above TLP:CLEAR is encrypted to that key any more', async () => {
      const { publicKey, revocationCertificate } = await ecc('Revoking CERT');
      const org = await register('Revoking CERT', publicKey.armor());
      expect((await publishTo(org.body.id, 'before revocation')).decision).toMatchObject({ allow: true });

      const update = await http(broker.url, 'PUT', `/organisations/${org.body.id}/key`, {
        key: broker.adminKey,
        json: { publicKey: revocationCertificate },
      });
      expect(update.status).toBe(200);
      expect(update.body.result).toBe('revoked');
      expect(update.body.key.revokedAt).not.toBeNull();
      expect((await publishTo(org.body.id, 'after revocation')).decision).toMatchObject({
        allow: false,
        code: 'key.revoked',
      });
      const [audit] = await broker.db.query(
        `SELECT details FROM audit_events WHERE action = 'key.revoked' AND subject_id = $1`,
        [org.body.id],
      );
      expect(audit.details.fingerprint).toBe(org.body.key.fingerprint);
    });

    it('refuses a revocation certificate made for another key', async () => {
      const mine = await ecc('Careful CERT');
      const other = await ecc('Other CERT');
      const org = await register('Careful CERT', mine.publicKey.armor());
      const update = await http(broker.url, 'PUT', `/organisations/${org.body.id}/key`, {
        key: broker.adminKey,
        json: { publicKey: other.revocationCertificate },
      });
      expect(update.status).toBe(400);
      expect(update.body.details[0].field).toBe('publicKey');
      const organisation = await http(broker.url, 'GET', `/organisations/${org.body.id}`, { key: broker.adminKey });
      expect(organisation.body.key.revokedAt).toBeNull();
    });

    it('replaces the key with a new one: later deliveries are encrypted to the new key only', async () => {
      const old = await ecc('Rotating CERT');
      const org = await register('Rotating CERT', old.publicKey.armor());
      const fresh = await ecc('Rotating CERT');
      const update = await http(broker.url, 'PUT', `/organisations/${org.body.id}/key`, {
        key: broker.adminKey,
        json: { publicKey: fresh.publicKey.armor(), fingerprint: fresh.publicKey.getFingerprint() },
      });
      expect(update.body).toMatchObject({
        result: 'replaced',
        key: { fingerprint: fresh.publicKey.getFingerprint().toUpperCase() },
      });
      const { decision } = await publishTo(org.body.id, 'after replacement');
      expect(decision.keyFingerprint).toBe(fresh.publicKey.getFingerprint().toUpperCase());
      const feed = await http(broker.url, 'GET', '/feed', { key: org.body.channels[0].apiKey });
      const team = await teamPublicKey(broker.url);
      const message = feed.body.entries[0].message as string;
      expect(JSON.parse((await openSealed(message, fresh.privateKey, [team])).text).title).toBe('after replacement');
      await expect(openSealed(message, old.privateKey, [team])).rejects.toThrow();
    });

    it('refuses a private key sent as an update, and keeps the registered key', async () => {
      const { privateKey, publicKey } = await ecc('Leaky CERT');
      const org = await register('Leaky CERT', publicKey.armor());
      const update = await http(broker.url, 'PUT', `/organisations/${org.body.id}/key`, {
        key: broker.adminKey,
        json: { publicKey: privateKey.armor() },
      });
      expect(update.status).toBe(400);
      expect(update.body.details[0].message).toContain('private key');
      const stored: unknown[] = await broker.db.query(`SELECT 1 FROM recipient_keys WHERE armored LIKE '%PRIVATE%'`);
      expect(stored).toHaveLength(0);
    });
  });

  describe('TLP:CLEAR to a recipient whose key cannot be used', () => {
    it('goes signed and unencrypted to a partner whose key is revoked and to a contact whose key expired, and reaches their feeds', async () => {
      const revoking = await ecc('Revoked CLEAR CERT');
      const revokedOrg = await register('Revoked CLEAR CERT', revoking.publicKey.armor());
      const revocation = await http(broker.url, 'PUT', `/organisations/${revokedOrg.body.id}/key`, {
        key: broker.adminKey,
        json: { publicKey: revoking.revocationCertificate },
      });
      expect(revocation.body.result).toBe('revoked');
      const host = await register('Host CERT', (await newKeyPair('Host CERT', 'soc@host-cert.example')).publicArmored);
      const expiring = await openpgp.generateKey({
        type: 'ecc',
        curve: 'curve25519Legacy',
        userIDs: [{ name: 'Short Key', email: 'short.key@host-cert.example' }],
        keyExpirationTime: 2,
        format: 'object',
      });
      const contact = await http(broker.url, 'POST', `/organisations/${host.body.id}/contacts`, {
        key: broker.adminKey,
        json: { name: 'Short Key', email: 'short.key@host-cert.example', publicKey: expiring.publicKey.armor() },
      });
      expect(contact.status, JSON.stringify(contact.body)).toBe(201);
      const expiry = expiring.publicKey.getCreationTime().getTime() + 2_000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiry - Date.now() + 200)));

      const item = {
        type: 'advisory',
        title: 'Clear advisory for everyone',
        body: 'Public guidance.',
        tlp: 'TLP:CLEAR',
        audience: { contacts: [contact.body.id] },
      };
      const preview = await http(broker.url, 'POST', '/items/preview', { key: broker.analystKey, json: item });
      const previewed = (
        preview.body.decisions as {
          organisationId: string;
          contactId: string | null;
          allow: boolean;
          keyFingerprint: string | null;
        }[]
      ).filter((d) => d.organisationId === revokedOrg.body.id || d.contactId === contact.body.id);
      expect(previewed).toHaveLength(2);
      for (const decision of previewed) expect(decision).toMatchObject({ allow: true, keyFingerprint: null });
      const published = await http(broker.url, 'POST', '/items', { key: broker.analystKey, json: item });
      expect(published.status).toBe(201);
      const readers = [
        { organisationId: revokedOrg.body.id, feedKey: revokedOrg.body.channels[0].apiKey as string },
        { organisationId: host.body.id, feedKey: contact.body.channels[0].apiKey as string },
      ];
      const decisions = await eventually(async () => {
        const response = await http(broker.url, 'GET', `/items/${published.body.id}/decisions`, {
          key: broker.analystKey,
        });
        const mine = (
          response.body.decisions as {
            organisationId: string;
            contactId: string | null;
            allow: boolean;
            keyFingerprint: string | null;
            delivery: { state: string } | null;
          }[]
        ).filter((d) => d.organisationId === revokedOrg.body.id || d.contactId === contact.body.id);
        return response.body.routed && mine.length === 2 && mine.every((d) => d.delivery?.state === 'delivered')
          ? mine
          : undefined;
      });
      for (const decision of decisions) expect(decision).toMatchObject({ allow: true, keyFingerprint: null });

      const team = await teamPublicKey(broker.url);
      for (const reader of readers) {
        const feed = await http(broker.url, 'GET', '/feed', { key: reader.feedKey });
        const entry = (feed.body.entries as { itemId: string; message: string; keyFingerprint: string }[]).find(
          (e) => e.itemId === published.body.id,
        )!;
        expect(entry.keyFingerprint).toBe('');
        const message = await openpgp.readMessage({ armoredMessage: entry.message });
        expect(message.getEncryptionKeyIDs()).toHaveLength(0);
        const verified = await openpgp.verify({ message, verificationKeys: team });
        await expect(verified.signatures[0].verified).resolves.toBe(true);
        expect(JSON.parse(verified.data as string).title).toBe('Clear advisory for everyone');
      }
    });
  });

  describe("the team's own key", () => {
    it('rotates: new deliveries are signed with the new key, and the retired key stays published to verify older ones', async () => {
      const partner = await ecc('Verifying CERT');
      const org = await register('Verifying CERT', partner.publicKey.armor());
      await publishTo(org.body.id, 'signed before rotation');
      const before = (await http(broker.url, 'GET', '/team/key')).body.fingerprint as string;

      expect((await http(broker.url, 'POST', '/team/key/rotate', { key: broker.analystKey })).status).toBe(403);
      const rotated = await http(broker.url, 'POST', '/team/key/rotate', { key: broker.adminKey });
      expect(rotated.status).toBe(200);
      expect(rotated.body.previous).toBe(before);
      const after = rotated.body.current.fingerprint as string;
      expect(after).not.toBe(before);

      const keys = await http(broker.url, 'GET', '/team/keys');
      expect(keys.body.map((k: { fingerprint: string; active: boolean }) => [k.fingerprint, k.active])).toEqual([
        [after, true],
        [before, false],
      ]);
      expect(keys.body[1].retiredAt).not.toBeNull();
      const [newKey, oldKey] = await Promise.all(
        keys.body.map((k: { armored: string }) => openpgp.readKey({ armoredKey: k.armored })),
      );

      // Other processes notice the rotation within a couple of seconds.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      await publishTo(org.body.id, 'signed after rotation');
      const feed = await http(broker.url, 'GET', '/feed', { key: org.body.channels[0].apiKey });
      const byTitle = new Map<string, string>();
      for (const entry of feed.body.entries as { message: string }[]) {
        const opened = await openSealed(entry.message, partner.privateKey, [newKey, oldKey]);
        byTitle.set(JSON.parse(opened.text).title, entry.message);
      }
      expect((await openSealed(byTitle.get('signed after rotation')!, partner.privateKey, [newKey])).text).toContain(
        'signed after rotation',
      );
      await expect(openSealed(byTitle.get('signed after rotation')!, partner.privateKey, [oldKey])).rejects.toThrow();
      expect((await openSealed(byTitle.get('signed before rotation')!, partner.privateKey, [oldKey])).text).toContain(
        'signed before rotation',
      );
      const [audit] = await broker.db.query(`SELECT details FROM audit_events WHERE action = 'team-key.rotated'`);
      expect(audit.details).toEqual({ previous: before, current: after });
    });
  });
});
