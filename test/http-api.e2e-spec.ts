import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { http } from './support/http';
import {
  newKeyPair,
  postOrganisation,
  registerContact,
  registerPartner,
  TestContact,
  TestPartner,
} from './support/partners';

/**
 * The HTTP surface as clients meet it: authentication, roles, and bad input answered with a 400
 * that names the field, with nothing stored. No dispatcher here: nothing needs routing.
 */
describe('HTTP API: credentials and bad input', () => {
  let broker: TestBroker;
  let partner: TestPartner;
  let contact: TestContact;

  const counts = async () => {
    const [row] = await broker.db.query(
      `SELECT (SELECT count(*) FROM items) AS items, (SELECT count(*) FROM item_versions) AS versions,
              (SELECT count(*) FROM outbox) AS outbox, (SELECT count(*) FROM organisations) AS organisations,
              (SELECT count(*) FROM recipient_keys) AS keys, (SELECT count(*) FROM audit_events) AS audit`,
    );
    return row as Record<string, string>;
  };

  const item = (overrides: Record<string, unknown>) => ({
    type: 'alert',
    title: 'Ransomware wave',
    body: 'Details',
    tlp: 'TLP:CLEAR',
    ...overrides,
  });

  beforeAll(async () => {
    broker = await startBroker({ dispatcher: false });
    partner = await registerPartner(broker.url, broker.adminKey, {
      name: 'Interpol',
      kind: 'lea',
      relation: 'peer',
      communities: ['intl-lea'],
    });
    contact = await registerContact(broker.url, broker.adminKey, partner.id, 'Duty Officer');
  });

  afterAll(async () => {
    await broker?.close();
  });

  describe('authentication and roles', () => {
    it('answers 401 without credentials or with an unknown key', async () => {
      expect((await http(broker.url, 'POST', '/items', { json: item({}) })).status).toBe(401);
      expect((await http(broker.url, 'GET', '/organisations')).status).toBe(401);
      expect((await http(broker.url, 'GET', '/feed')).status).toBe(401);
      const unknown = await http(broker.url, 'GET', '/feed', { key: 'tlpb_p_not-a-real-key' });
      expect(unknown.status).toBe(401);
      expect(unknown.body.message).toContain('API key');
    });

    it('answers 403 to a credential of the wrong kind or role', async () => {
      expect((await http(broker.url, 'POST', '/items', { key: partner.feedKey, json: item({}) })).status).toBe(403);
      expect((await http(broker.url, 'POST', '/organisations', { key: broker.analystKey, json: {} })).status).toBe(403);
      expect((await http(broker.url, 'GET', '/feed', { key: broker.analystKey })).status).toBe(403);
    });

    it('documents the API in OpenAPI', async () => {
      const document = await http(broker.url, 'GET', '/docs-json');
      expect(document.status).toBe(200);
      expect(document.body.openapi).toMatch(/^3\./);
      expect(Object.keys(document.body.paths)).toEqual(
        expect.arrayContaining(['/items', '/organisations', '/feed', '/team/key']),
      );
    });

    it('lists partners to staff without any credential in the answer', async () => {
      const list = await http(broker.url, 'GET', '/organisations', { key: broker.analystKey });
      expect(list.status).toBe(200);
      expect(list.body.map((org: { name: string }) => org.name)).toContain('Interpol');
      expect(JSON.stringify(list.body)).not.toMatch(/tlpb_[sp]_/);
      expect(JSON.stringify(list.body)).not.toMatch(/PGP/);
    });

    it('serves the team key and health without credentials', async () => {
      const key = await http(broker.url, 'GET', '/team/key');
      expect(key.status).toBe(200);
      expect(key.body.fingerprint).toMatch(/^[0-9A-F]{40}$/);
      const parsed = await openpgp.readKey({ armoredKey: key.body.publicKey });
      expect(parsed.isPrivate()).toBe(false);
      expect(parsed.getFingerprint().toUpperCase()).toBe(key.body.fingerprint);
      const armored = await http(broker.url, 'GET', '/team/key.asc');
      expect(armored.headers.get('content-type')).toContain('application/pgp-keys');
      const health = await http(broker.url, 'GET', '/health');
      expect(health.status).toBe(200);
      expect(health.body.details).toMatchObject({ postgres: { status: 'up' }, redis: { status: 'up' } });
    });
  });

  describe('publishing refuses bad input and stores nothing', () => {
    const cases: [string, () => { raw?: string; json?: unknown }, string, RegExp][] = [
      ['malformed JSON', () => ({ raw: '{"type": "alert", ' }), 'body', /not valid JSON/],
      ['an unknown TLP label', () => ({ json: item({ tlp: 'TLP:PURPLE' }) }), 'tlp', /"TLP:PURPLE" is not a TLP label/],
      ['a missing TLP label', () => ({ json: item({ tlp: undefined }) }), 'tlp', /TLP label is required/],
      ['an unknown PAP label', () => ({ json: item({ pap: 'PAP:BLUE' }) }), 'pap', /not a PAP label/],
      [
        'TLP:AMBER without an audience',
        () => ({ json: item({ tlp: 'TLP:AMBER' }) }),
        'audience.organisations',
        /need to know/,
      ],
      [
        'TLP:AMBER+STRICT without an audience',
        () => ({ json: item({ tlp: 'TLP:AMBER+STRICT', audience: {} }) }),
        'audience.organisations',
        /need to know/,
      ],
      [
        'TLP:RED without contacts',
        () => ({ json: item({ tlp: 'TLP:RED', audience: { organisations: [partner.id] } }) }),
        'audience.contacts',
        /named people/,
      ],
      [
        'an unknown organisation in the audience',
        () => ({
          json: item({ tlp: 'TLP:AMBER', audience: { organisations: ['5b0b5c4e-8f0e-4a53-9d0e-0c1f7a8f2b11'] } }),
        }),
        'audience.organisations',
        /unknown organisation 5b0b5c4e-8f0e-4a53-9d0e-0c1f7a8f2b11/,
      ],
      [
        'an unknown contact in the audience',
        () => ({ json: item({ tlp: 'TLP:RED', audience: { contacts: [partner.id] } }) }),
        'audience.contacts',
        /unknown contact/,
      ],
      [
        'an audience id that is not an id',
        () => ({ json: item({ tlp: 'TLP:AMBER', audience: { organisations: ['Interpol'] } }) }),
        'audience.organisations',
        /UUID/,
      ],
      [
        'a community no partner belongs to',
        () => ({ json: item({ tlp: 'TLP:GREEN', audience: { communities: ['eu-lae'] } }) }),
        'audience.communities',
        /"eu-lae"/,
      ],
      ['an unknown item type', () => ({ json: item({ type: 'rumour' }) }), 'type', /type must be one of/],
      ['a missing title', () => ({ json: item({ title: undefined }) }), 'title', /title/],
      [
        'an unexpected property',
        () => ({ json: item({ classification: 'secret' }) }),
        'classification',
        /should not exist/,
      ],
    ];

    it.each(cases)('refuses %s with 400 naming the field', async (_name, body, field, message) => {
      const before = await counts();
      const response = await http(broker.url, 'POST', '/items', { key: broker.analystKey, ...body() });
      expect(response.status).toBe(400);
      const details = response.body.details as { field: string; message: string }[];
      const problem = details.find((detail) => detail.field === field);
      expect(problem, JSON.stringify(response.body)).toBeDefined();
      expect(problem!.message).toMatch(message);
      expect(await counts()).toEqual(before);
    });

    it('accepts a valid item, writing item, version, outbox row and audit event together', async () => {
      const before = await counts();
      const response = await http(broker.url, 'POST', '/items', {
        key: broker.analystKey,
        json: item({ tlp: 'tlp:amber+strict', pap: 'PAP:GREEN', audience: { organisations: [partner.id] } }),
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        tlp: 'TLP:AMBER+STRICT',
        pap: 'PAP:GREEN',
        state: 'published',
        version: 1,
      });
      const after = await counts();
      for (const table of ['items', 'versions', 'outbox', 'audit'])
        expect(Number(after[table])).toBe(Number(before[table]) + 1);
    });

    it('accepts TLP:RED for a named contact', async () => {
      const response = await http(broker.url, 'POST', '/items', {
        key: broker.analystKey,
        json: item({ tlp: 'TLP:RED', audience: { contacts: [contact.id] } }),
      });
      expect(response.status).toBe(201);
    });
  });

  describe('registering partners refuses unusable keys', () => {
    const register = (name: string, publicKey: string) =>
      postOrganisation(broker.url, broker.adminKey, name, publicKey);

    it('refuses a private key and does not store it', async () => {
      const pair = await newKeyPair('Careless CERT', 'soc@careless.example');
      const before = await counts();
      const response = await register('Careless CERT', pair.privateArmored);
      expect(response.status).toBe(400);
      expect(response.body.details[0]).toMatchObject({ field: 'publicKey' });
      expect(response.body.details[0].message).toMatch(/private key/);
      expect(await counts()).toEqual(before);
      const stored: unknown[] = await broker.db.query(`SELECT 1 FROM recipient_keys WHERE armored LIKE '%PRIVATE%'`);
      expect(stored).toHaveLength(0);
    });

    it('refuses text that is not a key', async () => {
      const response = await register('Garbled CERT', 'hello');
      expect(response.status).toBe(400);
      expect(response.body.details[0].message).toMatch(/not a readable OpenPGP public key/);
    });

    it('refuses an expired key', async () => {
      const { publicKey } = await openpgp.generateKey({
        type: 'ecc',
        curve: 'curve25519Legacy',
        userIDs: [{ name: 'Expired', email: 'soc@expired.example' }],
        date: new Date(Date.now() - 10 * 86_400_000),
        keyExpirationTime: 86_400,
      });
      const response = await register('Expired CERT', publicKey);
      expect(response.status).toBe(400);
      expect(response.body.details[0].message).toMatch(/expired/);
    });

    it('refuses a revoked key', async () => {
      const { privateKey } = await openpgp.generateKey({
        type: 'ecc',
        curve: 'curve25519Legacy',
        userIDs: [{ name: 'Revoked', email: 'soc@revoked.example' }],
        format: 'object',
      });
      const { publicKey } = await openpgp.revokeKey({ key: privateKey, format: 'armored' });
      const response = await register('Revoked CERT', publicKey);
      expect(response.status).toBe(400);
      expect(response.body.details[0].message).toMatch(/revoked/);
    });

    it('refuses a key with no encryption-capable subkey', async () => {
      const { privateKey } = await openpgp.generateKey({
        type: 'ecc',
        curve: 'curve25519Legacy',
        userIDs: [{ name: 'Sign only', email: 'soc@signonly.example' }],
        format: 'object',
      });
      // Keep the primary (signing) key and its user id, drop the encryption subkey.
      const signOnly = await openpgp.readKey({ armoredKey: privateKey.toPublic().armor() });
      signOnly.subkeys = [];
      const response = await register('Sign-only CERT', signOnly.armor());
      expect(response.status).toBe(400);
      expect(response.body.details[0].message).toMatch(/no valid encryption-capable subkey/);
    });

    it('refuses a second organisation of the same name with 409', async () => {
      const pair = await newKeyPair('Interpol', 'soc@interpol2.example');
      const response = await register('interpol', pair.publicArmored);
      expect(response.status).toBe(409);
    });

    it('refuses unknown kinds, relations and channel kinds, naming the field', async () => {
      const pair = await newKeyPair('Odd CERT', 'soc@odd.example');
      const response = await http(broker.url, 'POST', '/organisations', {
        key: broker.adminKey,
        json: {
          name: 'Odd CERT',
          kind: 'club',
          relation: 'friend',
          publicKey: pair.publicArmored,
          channels: [{ kind: 'pigeon' }],
        },
      });
      expect(response.status).toBe(400);
      const fields = (response.body.details as { field: string }[]).map((detail) => detail.field);
      expect(fields).toEqual(expect.arrayContaining(['kind', 'relation', 'channels.0.kind']));
    });
  });
});
