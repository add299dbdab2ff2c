import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
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
 * What an attacker's fuzzing sends: hostile input gets a 4xx naming what is at fault, bounded work,
 * and nothing stored. No dispatcher: nothing needs routing.
 */

/** Every character no field may hold: C0 but TAB/LF/CR, DEL, C1, lone surrogates, U+FFFE/U+FFFF. */
const FORBIDDEN = [
  ...Array.from({ length: 0x20 }, (_, code) => code).filter((code) => code !== 0x09 && code !== 0x0a && code !== 0x0d),
  ...Array.from({ length: 0xa0 - 0x7f }, (_, offset) => 0x7f + offset),
  0xd800,
  0xdc00,
  0xfffe,
  0xffff,
].map((code) => String.fromCharCode(code));
/** What a single-line field refuses besides. */
const LINE_BREAKS = ['\n', '\r', '\t', '\u2028', '\u2029'];

const AUTH_FAILURE_LIMIT = 4;

/** A request from a chosen loopback address (127.0.0.2…): the throttle counts per source address. */
function from(
  localAddress: string,
  base: string,
  path: string,
  key: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${base}${path}`,
      { localAddress, headers: { authorization: `Bearer ${key}` } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
        });
      },
    );
    request.on('error', reject);
    request.end();
  });
}

const wellFormedKey = (prefix: string, fill: string) => `tlpb_p_${prefix}${fill.repeat(43 - prefix.length)}`;

describe('hostile input', () => {
  let broker: TestBroker;
  let partner: TestPartner;
  let contact: TestContact;
  let publicKey: string;

  const counts = async () => {
    const [row] = await broker.db.query(
      `SELECT (SELECT count(*) FROM items) AS items, (SELECT count(*) FROM item_versions) AS versions, (SELECT count(*) FROM outbox) AS outbox,
              (SELECT count(*) FROM organisations) AS organisations, (SELECT count(*) FROM contacts) AS contacts, (SELECT count(*) FROM channels) AS channels,
              (SELECT count(*) FROM api_keys) AS api_keys, (SELECT count(*) FROM recipient_keys) AS keys, (SELECT count(*) FROM users) AS users,
              (SELECT count(*) FROM caveats) AS caveats, (SELECT count(*) FROM submissions) AS submissions, (SELECT count(*) FROM audit_events) AS audit`,
    );
    return row as Record<string, string>;
  };

  const item = (overrides: Record<string, unknown> = {}) => ({
    type: 'alert',
    title: 'Ransomware wave',
    body: 'Details',
    tlp: 'TLP:CLEAR',
    ...overrides,
  });
  const organisation = (overrides: Record<string, unknown> = {}) => ({
    name: 'Fuzzed CERT',
    kind: 'cert',
    relation: 'peer',
    publicKey,
    channels: [{ kind: 'feed' }],
    ...overrides,
  });

  const expectRefused = (response: { status: number; body: any }, status: number, field: string, message?: RegExp) => {
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    const problem = (response.body.details as { field: string; message: string }[] | undefined)?.find(
      (detail) => detail.field === field,
    );
    expect(problem, JSON.stringify(response.body)).toBeDefined();
    if (message) expect(problem!.message).toMatch(message);
  };

  beforeAll(async () => {
    broker = await startBroker({
      dispatcher: false,
      env: { AUTH_FAILURE_LIMIT: String(AUTH_FAILURE_LIMIT), AUTH_FAILURE_WINDOW_MS: '600000' },
    });
    partner = await registerPartner(broker.url, broker.adminKey, {
      name: 'Interpol',
      kind: 'lea',
      relation: 'peer',
      communities: ['intl-lea'],
    });
    contact = await registerContact(broker.url, broker.adminKey, partner.id, 'Duty Officer');
    publicKey = (await newKeyPair('Fuzzed CERT', 'soc@fuzzed.example')).publicArmored;
  }, 120_000);

  afterAll(async () => {
    await broker?.close();
  });

  describe('deeply nested JSON', () => {
    const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

    it('is refused with 400 naming body on every route that reads a body, before anything walks it', async () => {
      const document = await http(broker.url, 'GET', '/docs-json');
      const ids: Record<string, string> = {
        id: partner.id,
        contactId: contact.id,
        channelId: partner.channelId,
        credentialId: '5b0b5c4e-8f0e-4a53-9d0e-0c1f7a8f2b11',
      };
      const routes = Object.entries(
        document.body.paths as Record<string, Record<string, { requestBody?: unknown; tags?: string[] }>>,
      ).flatMap(([path, operations]) =>
        Object.entries(operations)
          .filter(([, operation]) => operation.requestBody !== undefined)
          .map(([method, operation]) => ({
            method: method.toUpperCase(),
            path: path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? '5b0b5c4e-8f0e-4a53-9d0e-0c1f7a8f2b11'),
            tags: operation.tags ?? [],
          })),
      );
      expect(routes.map((route) => `${route.method} ${route.path.split('/')[1]}`)).toEqual(
        expect.arrayContaining([
          'POST items',
          'PUT items',
          'POST organisations',
          'PATCH organisations',
          'POST caveats',
          'POST users',
          'POST submissions',
        ]),
      );
      const before = await counts();
      for (const route of routes) {
        const key = route.tags.includes('submissions')
          ? partner.feedKey
          : route.path.startsWith('/items')
            ? broker.analystKey
            : broker.adminKey;
        const response = await http(broker.url, route.method, route.path, { key, raw: `{"title":${deep(100_000)}}` });
        expectRefused(response, 400, 'body', /nested deeper than 32 levels/);
      }
      expect(await counts()).toEqual(before);
    });

    it('is refused on a TAXII route as a TAXII error object', async () => {
      const response = await http(broker.url, 'POST', `/taxii2/api/collections/${partner.channelId}/objects/`, {
        key: partner.feedKey,
        raw: deep(100_000),
        headers: { 'content-type': 'application/taxii+json;version=2.1' },
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/taxii+json;version=2.1');
      expect(response.body).toMatchObject({
        title: 'Bad Request',
        http_status: '400',
        description: expect.stringContaining('body'),
      });
    });

    it('still accepts a body nested as deep as a real request', async () => {
      const response = await http(broker.url, 'POST', '/items/preview', {
        key: broker.analystKey,
        json: item({
          tlp: 'TLP:AMBER',
          audience: { organisations: [partner.id] },
          provenance: {
            originator: 'EC3',
            label: 'TLP:GREEN',
            consent: { audience: { organisations: [partner.id] }, reference: 'phone call' },
          },
        }),
      });
      expect(response.status).toBe(200);
    });
  });

  describe('characters no output can carry', () => {
    it.each([
      ['NUL in a title', item({ title: 'Ransomware\u0000wave' }), 'title', /U\+0000/],
      ['a bell in a title', item({ title: 'Ransomware\u0007wave' }), 'title', /U\+0007/],
      ['ESC in a title', item({ title: '\u001b[31mRed' }), 'title', /U\+001B/],
      ['DEL in a title', item({ title: 'Ransomware\u007fwave' }), 'title', /U\+007F/],
      ['NEL (C1) in a title', item({ title: 'Ransomware\u0085wave' }), 'title', /U\+0085/],
      ['a lone surrogate in a title', item({ title: 'Ransomware\ud800wave' }), 'title', /unpaired surrogate/],
      ['U+FFFE in a title', item({ title: 'Ransomware\ufffewave' }), 'title', /U\+FFFE/],
      ['a line feed in a title', item({ title: 'Ransomware\nBcc: all@evil.example' }), 'title', /single line.*U\+000A/],
      ['a carriage return in a title', item({ title: 'Ransomware\rwave' }), 'title', /single line/],
      ['a tab in a title', item({ title: 'Ransomware\twave' }), 'title', /single line/],
      ['U+2028 in a title', item({ title: 'Ransomware\u2028wave' }), 'title', /single line/],
      ['NUL in a body', item({ body: 'line one\u0000' }), 'body', /U\+0000/],
      ['NUL in a summary', item({ summary: 'x\u0000' }), 'summary', /U\+0000/],
      [
        'a control character in an indicator',
        item({ indicators: [{ type: 'domain', value: 'evil\u0001.example' }] }),
        'indicators.0.value',
        /U\+0001/,
      ],
      [
        'a line break in an indicator',
        item({ indicators: [{ type: 'domain', value: 'evil.example\nother.example' }] }),
        'indicators.0.value',
        /single line/,
      ],
      [
        'a control character in an indicator description',
        item({ indicators: [{ type: 'domain', value: 'evil.example', description: 'C2\u0002' }] }),
        'indicators.0.description',
        /U\+0002/,
      ],
      [
        'a line break in an originator',
        item({ provenance: { originator: 'EC3\nInterpol', label: 'TLP:CLEAR' } }),
        'provenance.originator',
        /single line/,
      ],
      ['a control character in a property name', item({ 'ti\u0000tle': 'x' }), 'body', /property name/],
    ])('refuses %s at intake with 400 naming the field, storing nothing', async (_name, body, field, message) => {
      const before = await counts();
      expectRefused(
        await http(broker.url, 'POST', '/items', { key: broker.analystKey, json: body }),
        400,
        field,
        message,
      );
      expect(await counts()).toEqual(before);
    });

    it('keeps line breaks and tabs where a field is multi-line: body, summary, indicator description', async () => {
      const response = await http(broker.url, 'POST', '/items', {
        key: broker.analystKey,
        json: item({
          title: 'Multi-line fields',
          summary: 'First paragraph.\r\n\r\nSecond.',
          body: 'Line one\nLine two\n\tindented',
          indicators: [{ type: 'domain', value: 'evil.example', description: 'Seen twice:\n- March\n- April' }],
        }),
      });
      expect(response.status).toBe(201);
      const [stored] = await broker.db.query(`SELECT body, summary FROM item_versions WHERE item_id = $1`, [
        response.body.id,
      ]);
      expect(stored).toEqual({ body: 'Line one\nLine two\n\tindented', summary: 'First paragraph.\r\n\r\nSecond.' });
    });

    it.each([
      [
        'a line break in an organisation name',
        () => ({ method: 'POST', path: '/organisations', json: organisation({ name: 'Fuzzed\nCERT' }) }),
        'name',
      ],
      [
        'NUL in an organisation name',
        () => ({ method: 'POST', path: '/organisations', json: organisation({ name: 'Fuzzed\u0000CERT' }) }),
        'name',
      ],
      [
        'a line break in an e-mail channel address',
        () => ({
          method: 'POST',
          path: '/organisations',
          json: organisation({ channels: [{ kind: 'email', address: 'soc@fuzzed.example\r\nBcc: x@evil.example' }] }),
        }),
        'channels.0.address',
      ],
      [
        'a control character in a webhook secret',
        () => ({
          method: 'POST',
          path: '/organisations',
          json: organisation({
            channels: [
              { kind: 'webhook', address: 'https://hooks.fuzzed.example/in', secret: 'sixteen-chars-\u0000-secret' },
            ],
          }),
        }),
        'channels.0.secret',
      ],
      [
        'a line break in a fingerprint',
        () => ({ method: 'POST', path: '/organisations', json: organisation({ fingerprint: 'ABCD\nEF' }) }),
        'fingerprint',
      ],
      [
        'a tab in a contact name',
        () => ({
          method: 'POST',
          path: `/organisations/${partner.id}/contacts`,
          json: { name: 'Jane\tDoe', email: 'jane@fuzzed.example', publicKey },
        }),
        'name',
      ],
      [
        'a line break in a contact e-mail',
        () => ({
          method: 'POST',
          path: `/organisations/${partner.id}/contacts`,
          json: { name: 'Jane', email: 'jane@fuzzed.example\n', publicKey },
        }),
        'email',
      ],
      [
        'a line break in a user name',
        () => ({ method: 'POST', path: '/users', json: { name: 'eve\nadmin', roles: ['analyst'] } }),
        'name',
      ],
      [
        'NUL in a caveat description',
        () => ({ method: 'POST', path: '/caveats', json: { name: 'operation-x', description: 'x\u0000' } }),
        'description',
      ],
      [
        'a control character in a public key',
        () => ({ method: 'PUT', path: `/organisations/${partner.id}/key`, json: { publicKey: `${publicKey}\u0000` } }),
        'publicKey',
      ],
    ])('refuses %s', async (_name, request, field) => {
      const before = await counts();
      const { method, path, json } = request();
      expectRefused(await http(broker.url, method, path, { key: broker.adminKey, json }), 400, field);
      expect(await counts()).toEqual(before);
    });

    it('refuses such characters in a reason for retracting or rejecting, and in a retraction notice', async () => {
      const published = await http(broker.url, 'POST', '/items', {
        key: broker.analystKey,
        json: item({ title: 'To retract' }),
      });
      expect(published.status).toBe(201);
      const before = await counts();
      expectRefused(
        await http(broker.url, 'POST', `/items/${published.body.id}/retract`, {
          key: broker.analystKey,
          json: { reason: 'wrong\nitem' },
        }),
        400,
        'reason',
        /single line/,
      );
      expectRefused(
        await http(broker.url, 'POST', `/items/${published.body.id}/retract`, {
          key: broker.analystKey,
          json: { reason: 'wrong', notice: 'Please delete\u0000' },
        }),
        400,
        'notice',
        /U\+0000/,
      );
      expectRefused(
        await http(broker.url, 'POST', `/items/${published.body.id}/reject`, {
          key: broker.approverKey,
          json: { reason: 'no\u0085' },
        }),
        400,
        'reason',
      );
      expect(await counts()).toEqual(before);
      // A notice is multi-line.
      expect(
        (
          await http(broker.url, 'POST', `/items/${published.body.id}/retract`, {
            key: broker.analystKey,
            json: { reason: 'wrong item', notice: 'Please delete it.\nThank you.' },
          })
        ).status,
      ).toBe(200);
    });

    it('refuses them in query strings and route parameters', async () => {
      expectRefused(
        await http(broker.url, 'GET', '/deliveries?state=dead%00', { key: broker.adminKey }),
        400,
        'state',
        /U\+0000/,
      );
      expectRefused(
        await http(broker.url, 'GET', `/items/${partner.id}/explain?organisation=${partner.id}%0A`, {
          key: broker.analystKey,
        }),
        400,
        'organisation',
      );
      const taxii = await http(
        broker.url,
        'GET',
        `/taxii2/api/collections/${partner.channelId}/objects/?match%5Btype%5D=report%07`,
        { key: partner.feedKey },
      );
      expect(taxii.status).toBe(400);
      expect(taxii.body).toMatchObject({
        http_status: '400',
        description: expect.stringMatching(/^match\[type\]: .*U\+0007/),
      });
    });

    it('refuses any string holding a forbidden character in every single-line field of POST /items and POST /organisations', async () => {
      const itemFields: [string, (value: string) => Record<string, unknown>][] = [
        ['title', (value) => item({ title: value })],
        ['provenance.originator', (value) => item({ provenance: { originator: value, label: 'TLP:CLEAR' } })],
        [
          'provenance.consent.reference',
          (value) =>
            item({
              tlp: 'TLP:GREEN',
              audience: { organisations: [partner.id] },
              provenance: {
                originator: 'EC3',
                label: 'TLP:GREEN',
                consent: { audience: { organisations: [partner.id] }, reference: value },
              },
            }),
        ],
        ['indicators.0.value', (value) => item({ indicators: [{ type: 'domain', value }] })],
      ];
      const organisationFields: [string, (value: string) => Record<string, unknown>][] = [
        ['name', (value) => organisation({ name: value })],
        ['fingerprint', (value) => organisation({ fingerprint: value })],
        ['channels.0.address', (value) => organisation({ channels: [{ kind: 'email', address: value }] })],
        [
          'channels.0.secret',
          (value) =>
            organisation({
              channels: [
                { kind: 'webhook', address: 'https://hooks.fuzzed.example/in', secret: `0123456789abcdef${value}` },
              ],
            }),
        ],
      ];
      const before = await counts();
      const cases = [
        ...itemFields.map(([field, build]) => ({ field, build, path: '/items', key: broker.analystKey })),
        ...organisationFields.map(([field, build]) => ({ field, build, path: '/organisations', key: broker.adminKey })),
      ];
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...cases),
          fc.string({ maxLength: 12 }),
          fc.constantFrom(...FORBIDDEN, ...LINE_BREAKS),
          fc.string({ maxLength: 12 }),
          async ({ field, build, path, key }, head, bad, tail) => {
            const response = await http(broker.url, 'POST', path, { key, json: build(`${head}${bad}${tail}`) });
            expect(response.status, JSON.stringify(response.body)).toBe(400);
            expect((response.body.details as { field: string }[]).map((detail) => detail.field)).toContain(field);
          },
        ),
        { numRuns: 120 },
      );
      expect(await counts()).toEqual(before);
    }, 120_000);
  });

  describe('characters stored before these rules', () => {
    it('are left out of the public RSS and Atom feeds, which stay well-formed XML', async () => {
      const published = await http(broker.url, 'POST', '/items', {
        key: broker.analystKey,
        json: item({ title: 'Stored earlier', summary: 'Summary', body: 'Body' }),
      });
      expect(published.status).toBe(201);
      // As written by an earlier version of the broker, or another path: straight into PostgreSQL.
      await broker.db.query(`UPDATE outbox SET processed_at = now() WHERE processed_at IS NULL`);
      await broker.db.query(`UPDATE item_versions SET title = $2, summary = $3, body = $4 WHERE item_id = $1`, [
        published.body.id,
        'Stored\u0001 earlier\u000b\u0085 \ufffe',
        'Sum\u0008mary',
        'Bo\u001bdy\u007f',
      ]);
      const notXml =
        /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
      for (const path of ['/public/feed.rss', '/public/feed.atom']) {
        const feed = await http(broker.url, 'GET', path);
        expect(feed.status).toBe(200);
        expect(feed.body).toContain('Stored earlier');
        expect(feed.body).not.toMatch(notXml);
        expect(feed.body).not.toMatch(/[\u007f-\u009f]/);
      }
      const json = await http(broker.url, 'GET', '/public/feed.json');
      expect(json.status).toBe(200);
      expect(JSON.stringify(json.body)).toContain('Stored earlier');
    });
  });

  describe('bodies that are not JSON', () => {
    const credentials = () => `/organisations/${partner.id}/channels/${partner.channelId}/credentials`;

    it.each([
      ['text/plain', { 'content-type': 'text/plain' }, /text\/plain is not accepted/],
      [
        'a form',
        { 'content-type': 'application/x-www-form-urlencoded' },
        /application\/x-www-form-urlencoded is not accepted/,
      ],
      ['no Content-Type', { 'content-type': '' }, /Content-Type is missing/],
      ['JSON in UTF-16', { 'content-type': 'application/json; charset=utf-16' }, /charset utf-16/],
    ])('answer 415 naming body for %s, and create no credential', async (_name, headers, message) => {
      const before = await counts();
      const response = await http(broker.url, 'POST', credentials(), {
        key: broker.adminKey,
        raw: JSON.stringify({ scopes: ['taxii'] }),
        headers,
      });
      expectRefused(response, 415, 'body', message);
      expect(response.body.error).toBe('Unsupported Media Type');
      expect(await counts()).toEqual(before);
    });

    it('answer 415 to a PATCH sent as text/plain, which changes nothing', async () => {
      const before = await counts();
      const response = await http(broker.url, 'PATCH', `/organisations/${partner.id}`, {
        key: broker.adminKey,
        raw: JSON.stringify({ status: 'suspended' }),
        headers: { 'content-type': 'text/plain' },
      });
      expectRefused(response, 415, 'body');
      expect(await counts()).toEqual(before);
      expect(
        (await http(broker.url, 'GET', `/organisations/${partner.id}`, { key: broker.adminKey })).body.status,
      ).toBe('active');
    });

    it('accept application/json with a charset, and application/*+json', async () => {
      const typed = await http(broker.url, 'POST', credentials(), {
        key: broker.adminKey,
        raw: JSON.stringify({ scopes: ['misp'] }),
        headers: { 'content-type': 'application/merge-patch+json' },
      });
      expect(typed.status).toBe(201);
      const charset = await http(broker.url, 'POST', credentials(), {
        key: broker.adminKey,
        raw: JSON.stringify({ scopes: ['feed'] }),
        headers: { 'content-type': 'application/json; charset=UTF-8' },
      });
      expect(charset.status).toBe(201);
    });

    it('refuses a JSON body that is not an object', async () => {
      expectRefused(
        await http(broker.url, 'PATCH', `/organisations/${partner.id}`, {
          key: broker.adminKey,
          raw: '[{"status":"suspended"}]',
        }),
        400,
        'body',
        /JSON object/,
      );
    });
  });

  describe('missing fields never widen access, and an empty change is not a success', () => {
    it('refuses a credential without scopes, naming scopes, and creates none', async () => {
      const before = await counts();
      const path = `/organisations/${partner.id}/channels/${partner.channelId}/credentials`;
      expectRefused(
        await http(broker.url, 'POST', path, { key: broker.adminKey, json: {} }),
        400,
        'scopes',
        /scopes is required/,
      );
      expectRefused(
        await http(broker.url, 'POST', path, { key: broker.adminKey }),
        400,
        'scopes',
        /scopes is required/,
      );
      expectRefused(
        await http(broker.url, 'POST', path, { key: broker.adminKey, json: { scopes: [] } }),
        400,
        'scopes',
        /at least one/,
      );
      expect(await counts()).toEqual(before);
    });

    it("gives a feed channel's first key the pull forms only, never submit, unless scopes are given", async () => {
      const pair = await newKeyPair('Narrow CERT', 'soc@narrow-cert.example');
      const register = (name: string, channels: unknown[]) =>
        postOrganisation(broker.url, broker.adminKey, name, pair.publicArmored, { channels });
      const before = await counts();
      expectRefused(
        await register('Narrow CERT', [{ kind: 'email', address: 'soc@narrow-cert.example', scopes: ['feed'] }]),
        400,
        'channels.0.scopes',
      );
      expectRefused(await register('Narrow CERT', [{ kind: 'feed', scopes: [] }]), 400, 'channels.0.scopes');
      expectRefused(
        await register('Narrow CERT', [{ kind: 'feed', scopes: ['everything'] }]),
        400,
        'channels.0.scopes',
      );
      expect(await counts()).toEqual(before);

      const taxii = { accept: 'application/taxii+json;version=2.1' };
      const defaulted = await register('Narrow CERT', [{ kind: 'feed' }]);
      expect(defaulted.status).toBe(201);
      expect(defaulted.body.channels[0].scopes).toEqual(['feed', 'taxii', 'misp']);
      const key = defaulted.body.channels[0].apiKey as string;
      expect((await http(broker.url, 'GET', '/feed', { key })).status).toBe(200);
      expect((await http(broker.url, 'GET', '/taxii2/', { key, headers: taxii })).status).toBe(200);
      expect((await http(broker.url, 'GET', '/misp/manifest.json', { key })).status).toBe(200);
      expect((await http(broker.url, 'POST', '/submissions', { key, json: { message: 'x' } })).status).toBe(403);

      const narrowed = await register('Narrower CERT', [{ kind: 'feed', scopes: ['taxii'] }]);
      expect(narrowed.body.channels[0].scopes).toEqual(['taxii']);
      const taxiiOnly = narrowed.body.channels[0].apiKey as string;
      expect((await http(broker.url, 'GET', '/taxii2/', { key: taxiiOnly, headers: taxii })).status).toBe(200);
      expect((await http(broker.url, 'GET', '/feed', { key: taxiiOnly })).status).toBe(403);
    });

    it('refuses a PATCH that names nothing to change', async () => {
      const before = await counts();
      expectRefused(
        await http(broker.url, 'PATCH', `/organisations/${partner.id}`, { key: broker.adminKey, json: {} }),
        400,
        'body',
        /nothing to change/,
      );
      expectRefused(
        await http(broker.url, 'PATCH', `/organisations/${partner.id}`, { key: broker.adminKey }),
        400,
        'body',
        /nothing to change/,
      );
      expectRefused(
        await http(broker.url, 'PATCH', `/organisations/${partner.id}/contacts/${contact.id}`, {
          key: broker.adminKey,
          json: {},
        }),
        400,
        'status',
      );
      expect(await counts()).toEqual(before);
    });
  });

  describe('query parameters out of range', () => {
    it.each([
      ['/feed?before=9223372036854775808', 'before'],
      ['/feed?before=99999999999999999999', 'before'],
      ['/feed?before=1e3', 'before'],
      ['/feed?before=0', 'before'],
      ['/feed?limit=0', 'limit'],
      ['/feed?limit=501', 'limit'],
      ['/feed?limit=-1', 'limit'],
      ['/feed?limit=0x10', 'limit'],
      ['/feed?limit=', 'limit'],
      ['/feed?limit=1&limit=2', 'limit'],
      ['/feed?since=2026-02-30T00:00:00Z', 'since'],
      ['/feed?since=0000-01-01T00:00:00Z', 'since'],
      ['/feed?since=%2B275760-09-13T00:00:00Z', 'since'],
      ['/feed?since=yesterday', 'since'],
    ])('GET %s answers 400 naming %s', async (path, field) => {
      expectRefused(await http(broker.url, 'GET', path, { key: partner.feedKey }), 400, field);
    });

    it.each([
      ['/deliveries?limit=1e3', 'limit'],
      ['/deliveries?limit=1001', 'limit'],
      ['/deliveries?item=not-a-uuid', 'item'],
      ['/deliveries?state=nope', 'state'],
      ['/keys?expiringWithinDays=', 'expiringWithinDays'],
      ['/keys?expiringWithinDays=-1', 'expiringWithinDays'],
      ['/keys?expiringWithinDays=3651', 'expiringWithinDays'],
      ['/keys?expiringWithinDays=1.5', 'expiringWithinDays'],
    ])('GET %s answers 400 naming %s', async (path, field) => {
      expectRefused(await http(broker.url, 'GET', path, { key: broker.adminKey }), 400, field);
    });

    it('GET /items/:id/explain?organisation= answers 400 naming organisation', async () => {
      expectRefused(
        await http(broker.url, 'GET', `/items/${partner.id}/explain?organisation=interpol`, { key: broker.analystKey }),
        400,
        'organisation',
      );
    });

    it.each(['-1', '0', '101', '1e2', ''])(
      'GET /public/items?limit=%s answers 400 naming limit, on every public feed',
      async (limit) => {
        for (const path of [
          '/public/items',
          '/public/feed.rss',
          '/public/feed.atom',
          '/public/feed.json',
          '/public/stix.json',
        ]) {
          expectRefused(await http(broker.url, 'GET', `${path}?limit=${limit}`), 400, 'limit');
        }
      },
    );

    it('serves at most `limit` public items', async () => {
      for (const title of ['Public one', 'Public two'])
        expect(
          (await http(broker.url, 'POST', '/items', { key: broker.analystKey, json: item({ title }) })).status,
        ).toBe(201);
      await broker.db.query(`UPDATE outbox SET processed_at = now() WHERE processed_at IS NULL`);
      expect((await http(broker.url, 'GET', '/public/items?limit=1')).body.items).toHaveLength(1);
      expect((await http(broker.url, 'GET', '/public/items')).body.items.length).toBeGreaterThan(1);
    });

    it.each([
      ['limit=0', /^limit: /],
      ['limit=-1', /^limit: /],
      ['next=garbage', /^next: /],
      [`next=${Buffer.from('99999999999999999999.1.0').toString('base64url')}`, /^next: /],
      [`next=${Buffer.from('1.99999999999999999999.0').toString('base64url')}`, /^next: /],
      ['added_after=2026-02-30T00:00:00Z', /^added_after: .*not a date and time that exists/],
      ['added_after=0000-01-01T00:00:00Z', /^added_after: /],
      ['added_after=yesterday', /^added_after: /],
      ['match%5Bversion%5D=2026-02-30T00:00:00.000Z', /^match\[version\]: /],
    ])('TAXII ?%s answers a 400 TAXII error object naming the parameter', async (query, description) => {
      const response = await http(broker.url, 'GET', `/taxii2/api/collections/${partner.channelId}/objects/?${query}`, {
        key: partner.feedKey,
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/taxii+json;version=2.1');
      expect(response.body).toMatchObject({
        title: 'Invalid query parameter',
        http_status: '400',
        description: expect.stringMatching(description),
      });
    });
  });

  describe('webhook addresses that can never be called', () => {
    it.each([
      ['https://127.0.0.1/hook', /loopback/],
      ['https://[::1]/hook', /loopback/],
      ['https://localhost:8443/hook', /localhost always means this machine/],
      ['https://hooks.localhost/hook', /this machine/],
      ['https://169.254.169.254/latest/meta-data/', /link-local/],
      ['https://10.0.0.7/hook', /private/],
      ['https://192.168.1.10/hook', /private/],
      ['https://[fd00::7]/hook', /unique-local/],
      ['https://2130706433/hook', /127\.0\.0\.1 is a loopback address/],
      ['http://hooks.partner.example/in', /https/],
      ['https://user:secret@hooks.partner.example/in', /credentials/],
      ['gopher://hooks.partner.example/', /scheme/],
    ])('refuses %s at registration with 400 naming the field and why, storing nothing', async (address, reason) => {
      const before = await counts();
      const response = await http(broker.url, 'POST', '/organisations', {
        key: broker.adminKey,
        json: organisation({ channels: [{ kind: 'feed' }, { kind: 'webhook', address }] }),
      });
      expectRefused(response, 400, 'channels.1.address', reason);
      expect(response.body.details[0].message).toMatch(/not in WEBHOOK_ALLOW_LIST|https|credentials|scheme/);
      expect(await counts()).toEqual(before);
    });

    it('accepts a name that does not resolve (yet) without waiting long: the dispatcher checks again before each call', async () => {
      const started = Date.now();
      const response = await http(broker.url, 'POST', '/organisations', {
        key: broker.adminKey,
        json: organisation({
          name: 'Future CERT',
          channels: [{ kind: 'webhook', address: 'https://hooks.future-cert.invalid/in' }],
        }),
      });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      expect(response.body.channels[0].address).toBe('https://hooks.future-cert.invalid/in');
      expect(Date.now() - started).toBeLessThan(10_000);
    });
  });

  describe('failed authentication', () => {
    it(`answers 429 with Retry-After after ${AUTH_FAILURE_LIMIT} failures from one address, without looking the key up`, async () => {
      const auditBefore = (await counts()).audit;
      for (let i = 0; i < AUTH_FAILURE_LIMIT; i++) {
        const response = await from('127.0.0.2', broker.url, '/feed', wellFormedKey(`ip${i}aa`, 'x'));
        expect(response.status).toBe(401);
      }
      // While the key table is locked, any lookup would hang: a prompt 429 proves none is made.
      const runner = broker.db.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        await runner.query('LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE');
        const started = Date.now();
        const throttled = await from('127.0.0.2', broker.url, '/feed', wellFormedKey('other', 'y'));
        expect(throttled.status).toBe(429);
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
        expect(throttled.body.message).toMatch(/too many failed authentications/);
        const garbage = await from('127.0.0.2', broker.url, '/organisations', 'not-even-a-key');
        expect(garbage.status).toBe(429);
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
      // Failures are log lines, not audit rows: an attack must not fill the trail.
      expect((await counts()).audit).toBe(auditBefore);
    });

    it('counts failures per key prefix across addresses, and answers TAXII clients in TAXII form', async () => {
      for (let i = 0; i < AUTH_FAILURE_LIMIT; i++) {
        expect(
          (await from(`127.0.0.${10 + i}`, broker.url, '/feed', wellFormedKey('PRFXa', String.fromCharCode(0x61 + i))))
            .status,
        ).toBe(401);
      }
      expect((await from('127.0.0.20', broker.url, '/feed', wellFormedKey('PRFXa', 'z'))).status).toBe(429);
      const taxii = await from('127.0.0.21', broker.url, '/taxii2/', wellFormedKey('PRFXa', 'q'));
      expect(taxii.status).toBe(429);
      expect(taxii.body).toMatchObject({ http_status: '429' });
      expect(Number(taxii.headers['retry-after'])).toBeGreaterThan(0);
      // Another prefix from a fresh address is looked up as usual.
      expect((await from('127.0.0.22', broker.url, '/feed', wellFormedKey('PRFXb', 'z'))).status).toBe(401);
    });

    it('lets a credential that has worked before through from a throttled address or prefix', async () => {
      expect((await from('127.0.0.30', broker.url, '/feed', partner.feedKey)).status).toBe(200);
      for (let i = 0; i < AUTH_FAILURE_LIMIT; i++)
        await from('127.0.0.30', broker.url, '/feed', wellFormedKey(`nat${i}b`, 'x'));
      expect((await from('127.0.0.30', broker.url, '/feed', wellFormedKey('natzz', 'x'))).status).toBe(429);
      expect((await from('127.0.0.30', broker.url, '/feed', partner.feedKey)).status).toBe(200);
      // Someone sending wrong keys with the partner's visible prefix does not lock the partner out.
      const prefix = partner.feedKey.slice('tlpb_p_'.length, 12);
      for (let i = 0; i < AUTH_FAILURE_LIMIT; i++)
        await from(`127.0.0.${40 + i}`, broker.url, '/feed', wellFormedKey(prefix, String.fromCharCode(0x61 + i)));
      expect((await from('127.0.0.50', broker.url, '/feed', wellFormedKey(prefix, 'z'))).status).toBe(429);
      expect((await from('127.0.0.51', broker.url, '/feed', partner.feedKey)).status).toBe(200);
    });
  });
});
