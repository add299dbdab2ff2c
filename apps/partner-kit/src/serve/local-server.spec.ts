import { request as httpRequest } from 'node:http';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { StixObject, taxiiTimestamp } from '@tlp-broker/stix';
import type { TlpLabel } from '@tlp-broker/tlp';
import type { LocalCollectionSource, LocalObjectRecord } from '../collection';
import { LocalServer, LocalServerOptions, startLocalServer } from './local-server';

const TOKEN = 'local-token-0123456789-abcdefghijklmnopqrstuvwxyz';
const COLLECTION = { id: '6f1e8a52-3c0b-4d8e-9a61-2b7c4d5e6f70', title: 'Deliveries from broker.example' };
const TAXII = 'application/taxii+json;version=2.1';
const BASE = Date.parse('2026-12-01T10:00:00Z') * 1000;

const IDENTITY = 'identity--0b5a1c3e-1111-4111-8111-111111111111';
const MARKING = 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487';
const CLEAR_REPORT = 'report--1a1a1a1a-1111-4111-8111-111111111111';
const CLEAR_INDICATOR = 'indicator--1b1b1b1b-1111-4111-8111-111111111111';
const AMBER_REPORT = 'report--2a2a2a2a-2222-4222-8222-222222222222';
const AMBER_INDICATOR = 'indicator--2b2b2b2b-2222-4222-8222-222222222222';
const RED_REPORT = 'report--3a3a3a3a-3333-4333-8333-333333333333';
const RED_INDICATOR = 'indicator--3b3b3b3b-3333-4333-8333-333333333333';

const CLEAR_EVENT = '11111111-aaaa-4aaa-8aaa-111111111111';
const AMBER_EVENT = '22222222-aaaa-4aaa-8aaa-222222222222';
const RED_EVENT = '33333333-aaaa-4aaa-8aaa-333333333333';
const UNLISTED_EVENT = '44444444-aaaa-4aaa-8aaa-444444444444';

function record(offset: number, tlp: TlpLabel, object: Record<string, unknown> & { id: string }): LocalObjectRecord {
  const type = object.id.split('--')[0];
  const fixed = type === 'identity' || type === 'marking-definition';
  return {
    dateAdded: BASE + offset,
    tlp,
    itemId: fixed ? null : `item-${object.id.slice(-4)}`,
    deliveryId: fixed ? null : `delivery-${offset}`,
    object: { type, spec_version: '2.1', ...object } satisfies StixObject,
  };
}

const at = (time: string) => ({ created: '2026-12-01T08:00:00.000Z', modified: `2026-12-01T${time}:00.000Z` });

/** The collection in date_added order: the AMBER report has three versions, added at 2000, 4000 and 5000. */
const RECORDS: readonly LocalObjectRecord[] = [
  record(1, 'TLP:CLEAR', { id: IDENTITY, name: 'Police CSIRT', ...at('07:00') }),
  record(2, 'TLP:CLEAR', { id: MARKING, created: '2022-10-01T00:00:00.000Z', name: 'TLP:CLEAR' }),
  record(1000, 'TLP:CLEAR', { id: CLEAR_REPORT, name: 'Clear advisory', ...at('09:00') }),
  record(1001, 'TLP:CLEAR', { id: CLEAR_INDICATOR, pattern: "[domain-name:value = 'one.example']", ...at('09:00') }),
  record(2000, 'TLP:AMBER', { id: AMBER_REPORT, name: 'Amber advisory, first', ...at('09:00') }),
  record(2001, 'TLP:AMBER', { id: AMBER_INDICATOR, pattern: "[ipv4-addr:value = '192.0.2.1']", ...at('09:00') }),
  record(3000, 'TLP:RED', { id: RED_REPORT, name: 'Red advisory', ...at('09:30') }),
  record(3001, 'TLP:RED', { id: RED_INDICATOR, pattern: "[ipv4-addr:value = '192.0.2.66']", ...at('09:30') }),
  record(4000, 'TLP:AMBER', { id: AMBER_REPORT, name: 'Amber advisory, second', ...at('10:00') }),
  record(5000, 'TLP:AMBER', { id: AMBER_REPORT, name: 'Amber advisory, third', ...at('11:00') }),
];

/** Every record served without TLP:RED, as `id@date added offset`. */
const NOT_RED = RECORDS.filter((r) => r.tlp !== 'TLP:RED').map((r) => `${r.object.id}@${r.dateAdded - BASE}`);

const event = (uuid: string, tlp: string) => ({
  Event: { uuid, info: `Event ${tlp}`, Tag: [{ name: tlp, colour: '#FFC000', exportable: true }], Attribute: [] },
});
const manifestEntry = (tlp: string) => ({ info: `Event ${tlp}`, timestamp: '1796200201', Tag: [{ name: tlp }] });
const MANIFEST = {
  [CLEAR_EVENT]: manifestEntry('tlp:clear'),
  [AMBER_EVENT]: manifestEntry('tlp:amber'),
  [RED_EVENT]: manifestEntry('tlp:red'),
};
const HASHES = [
  `0a1b2c3d4e5f60718293a4b5c6d7e8f9,${CLEAR_EVENT}`,
  `1a1b2c3d4e5f60718293a4b5c6d7e8f9,${AMBER_EVENT}`,
  `2a1b2c3d4e5f60718293a4b5c6d7e8f9,${RED_EVENT}`,
  `3a1b2c3d4e5f60718293a4b5c6d7e8f9,${AMBER_EVENT}`,
];

let home: string;
let mispDirectory: string;
const servers: LocalServer[] = [];

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'tlpb-serve-'));
  mispDirectory = join(home, 'misp');
  await mkdir(mispDirectory);
  await writeFile(join(home, 'settings.json'), '{"apiKey": "broker-secret"}');
  await writeFile(join(mispDirectory, 'manifest.json'), JSON.stringify(MANIFEST));
  await writeFile(join(mispDirectory, 'hashes.csv'), `${HASHES.join('\n')}\n`);
  for (const [uuid, tlp] of [
    [CLEAR_EVENT, 'tlp:clear'],
    [AMBER_EVENT, 'tlp:amber'],
    [RED_EVENT, 'tlp:red'],
    [UNLISTED_EVENT, 'tlp:green'],
  ])
    await writeFile(join(mispDirectory, `${uuid}.json`), JSON.stringify(event(uuid, tlp)));
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  vi.restoreAllMocks();
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

/** A server on a free port of 127.0.0.1 over `records` (read at every request: the array may change). */
async function start(over: Partial<LocalServerOptions> = {}, records: LocalObjectRecord[] = [...RECORDS]) {
  const source = { records: vi.fn(async () => records) } satisfies LocalCollectionSource;
  const server = await startLocalServer({
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    collection: COLLECTION,
    source,
    mispDirectory,
    includeRed: false,
    ...over,
  });
  servers.push(server);
  const call = (path: string, init: RequestInit & { auth?: string | null; accept?: string } = {}) => {
    const { auth = `Bearer ${TOKEN}`, accept = TAXII, ...rest } = init;
    const headers: Record<string, string> = { Accept: accept };
    if (auth !== null) headers.Authorization = auth;
    return fetch(`${server.url}${path}`, { ...rest, headers });
  };
  const json = async (path: string) => {
    const response = await call(path);
    expect(response.status, `${path}: ${response.status}`).toBe(200);
    return (await response.json()) as any;
  };
  return { server, source, records, call, json };
}

const objectsPath = `/taxii2/api/collections/${COLLECTION.id}/objects/`;
const manifestPath = `/taxii2/api/collections/${COLLECTION.id}/manifest/`;
const objectPath = (id: string) => `${objectsPath}${id}/`;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
/** A date_added (six fractional digits) in microseconds. */
const addedUs = (dateAdded: string) =>
  Date.parse(`${dateAdded.slice(0, 19)}Z`) * 1000 + Number(dateAdded.slice(20, 26));
const shown = (objects: any[] | undefined) =>
  (objects ?? []).map((object) => `${object.id}@${object.modified ?? object.created}`);

/** The TAXII error object of an answer, checked to be one (and in TAXII's media type). */
async function taxiiError(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe(TAXII);
  const body = (await response.json()) as Record<string, string>;
  expect(Object.keys(body).sort()).toEqual(['description', 'http_status', 'title']);
  expect(body.http_status).toBe(String(status));
  return body;
}

/** The events manifest.json lists. */
async function eventsListed(call: (path: string) => Promise<Response>): Promise<string[]> {
  return Object.keys((await (await call('/misp/manifest.json')).json()) as object);
}

/** A request sent with its path exactly as written (fetch would resolve `..`). */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.path = path;
    request.on('error', reject);
    request.end();
  });
}

describe('the local server: credential and content negotiation', () => {
  it('answers /health to anyone, and nothing else without the local token', async () => {
    const { call } = await start();
    const health = await call('/health', { auth: null, accept: '*/*' });
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    for (const path of ['/taxii2/', objectsPath, '/misp/manifest.json', '/misp/hashes.csv', '/nothing-here']) {
      const response = await call(path, { auth: null });
      expect(response.status, path).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="tlp-broker-partner", charset="UTF-8"');
    }
    const body = await taxiiError(await call(objectsPath, { auth: null }), 401);
    expect(body.title).toBe('Unauthorized');
  });

  it('takes the token as a Bearer token or as the Basic password with any user name, and nothing close to it', async () => {
    const { call } = await start();
    for (const auth of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`, basic('opencti', TOKEN), basic('', TOKEN)])
      expect((await call('/taxii2/', { auth })).status, auth).toBe(200);
    expect((await call('/misp/manifest.json', { auth: basic('misp', TOKEN) })).status).toBe(200);
    for (const auth of [
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN} ${TOKEN}`,
      basic(TOKEN, 'wrong'),
      basic('opencti', `${TOKEN} `),
      `Basic ${Buffer.from(TOKEN).toString('base64')}`,
      `Token ${TOKEN}`,
      TOKEN,
    ])
      expect((await call('/taxii2/', { auth })).status, auth).toBe(401);
  });

  it('answers 406 as a TAXII error to a client that does not accept TAXII 2.1', async () => {
    const { call } = await start();
    for (const accept of ['application/json', 'application/taxii+json;version=2.0', 'text/html']) {
      const body = await taxiiError(await call(objectsPath, { accept }), 406);
      expect(body.description).toBe(`This server answers in ${TAXII}; the request accepts only ${accept}.`);
    }
    for (const accept of ['application/taxii+json', 'application/taxii+json; version=2.1', '*/*', 'application/*'])
      expect((await call(objectsPath, { accept })).status, accept).toBe(200);
  });
});

describe('the local server: TAXII 2.1 resources', () => {
  it('serves discovery, the API root and the one read-only collection, in exactly TAXII media type', async () => {
    const { server, call, json } = await start({ title: 'Partner tools feed' });
    const discovery = await call('/taxii2/');
    expect(discovery.headers.get('content-type')).toBe(TAXII);
    expect(await discovery.json()).toMatchObject({
      title: 'Partner tools feed',
      default: `${server.url}/taxii2/api/`,
      api_roots: [`${server.url}/taxii2/api/`],
    });
    expect(await json('/taxii2/api/')).toMatchObject({ versions: [TAXII], max_content_length: 0 });
    const expected = {
      id: COLLECTION.id,
      title: COLLECTION.title,
      description: expect.stringContaining('TLP:RED is not served'),
      can_read: true,
      can_write: false,
      media_types: ['application/stix+json;version=2.1'],
    };
    expect(await json('/taxii2/api/collections/')).toEqual({ collections: [expected] });
    expect(await json(`/taxii2/api/collections/${COLLECTION.id}/`)).toEqual(expected);
    expect((await json('/taxii2')).title).toBe('Partner tools feed');
  });

  it('titles discovery tlp-broker-partner by default', async () => {
    const { json } = await start();
    expect((await json('/taxii2/')).title).toBe('tlp-broker-partner');
  });

  it('pages with limit=2: following `next` returns every record once, in date_added order, with the range in headers', async () => {
    const { call } = await start();
    const addedOf = new Map(RECORDS.map((r) => [`${r.object.id}@${String(r.object.modified ?? r.object.created)}`, r]));
    /** Each page's items as `id@date added offset`. */
    const walk = async (path: string, added: (item: any) => number) => {
      const walked: string[] = [];
      let next: string | undefined;
      do {
        const response = await call(`${path}?limit=2&match[version]=all${next ? `&next=${next}` : ''}`);
        const page = (await response.json()) as { more: boolean; next?: string; objects: any[] };
        expect(page.objects.length).toBeLessThanOrEqual(2);
        expect(page.more).toBe(page.next !== undefined);
        expect(response.headers.get('x-taxii-date-added-first')).toBe(taxiiTimestamp(added(page.objects[0])));
        expect(response.headers.get('x-taxii-date-added-last')).toBe(taxiiTimestamp(added(page.objects.at(-1))));
        walked.push(...page.objects.map((item) => `${item.id}@${added(item) - BASE}`));
        next = page.next;
      } while (next);
      return walked;
    };
    expect(await walk(objectsPath, (object) => addedOf.get(shown([object])[0])!.dateAdded)).toEqual(NOT_RED);
    const manifestWalk = await walk(manifestPath, (entry) => addedUs(entry.date_added));
    expect(manifestWalk).toEqual(NOT_RED);
    expect(NOT_RED).toHaveLength(8);
  });

  it('filters by added_after (to the microsecond) and match[type]; serves the last version of each object by default', async () => {
    const { json } = await start();
    expect(shown((await json(objectsPath)).objects)).toEqual([
      `${IDENTITY}@2026-12-01T07:00:00.000Z`,
      `${MARKING}@2022-10-01T00:00:00.000Z`,
      `${CLEAR_REPORT}@2026-12-01T09:00:00.000Z`,
      `${CLEAR_INDICATOR}@2026-12-01T09:00:00.000Z`,
      `${AMBER_INDICATOR}@2026-12-01T09:00:00.000Z`,
      `${AMBER_REPORT}@2026-12-01T11:00:00.000Z`,
    ]);
    expect(shown((await json(`${objectsPath}?added_after=${taxiiTimestamp(BASE + 2000)}`)).objects)).toEqual([
      `${AMBER_INDICATOR}@2026-12-01T09:00:00.000Z`,
      `${AMBER_REPORT}@2026-12-01T11:00:00.000Z`,
    ]);
    expect(await json(`${objectsPath}?added_after=${taxiiTimestamp(BASE + 5000)}`)).toEqual({ more: false });
    expect(shown((await json(`${objectsPath}?match[type]=indicator`)).objects)).toEqual([
      `${CLEAR_INDICATOR}@2026-12-01T09:00:00.000Z`,
      `${AMBER_INDICATOR}@2026-12-01T09:00:00.000Z`,
    ]);
    expect(
      (await json(`${objectsPath}?match[type]=identity&match[type]=marking-definition`)).objects.map((o: any) => o.id),
    ).toEqual([IDENTITY, MARKING]);
  });

  it('selects versions by match[version]: first, last, all, a timestamp', async () => {
    const { json } = await start();
    const versions = async (version?: string) =>
      shown(
        (await json(`${objectsPath}?match[id]=${AMBER_REPORT}${version ? `&match[version]=${version}` : ''}`)).objects,
      ).map((text) => text.split('@')[1]);
    expect(await versions()).toEqual(['2026-12-01T11:00:00.000Z']);
    expect(await versions('last')).toEqual(['2026-12-01T11:00:00.000Z']);
    expect(await versions('first')).toEqual(['2026-12-01T09:00:00.000Z']);
    expect(await versions('first,last')).toEqual(['2026-12-01T09:00:00.000Z', '2026-12-01T11:00:00.000Z']);
    expect(await versions('all')).toEqual([
      '2026-12-01T09:00:00.000Z',
      '2026-12-01T10:00:00.000Z',
      '2026-12-01T11:00:00.000Z',
    ]);
    expect(await versions('2026-12-01T10:00:00.000Z')).toEqual(['2026-12-01T10:00:00.000Z']);
  });

  it('lists manifest records: id, date_added to the microsecond, version, media type', async () => {
    const { json } = await start();
    const { objects } = await json(`${manifestPath}?match[type]=report,marking-definition`);
    expect(objects).toEqual([
      {
        id: MARKING,
        date_added: '2026-12-01T10:00:00.000002Z',
        version: '2022-10-01T00:00:00.000Z',
        media_type: 'application/stix+json;version=2.1',
      },
      {
        id: CLEAR_REPORT,
        date_added: '2026-12-01T10:00:00.001000Z',
        version: '2026-12-01T09:00:00.000Z',
        media_type: 'application/stix+json;version=2.1',
      },
      {
        id: AMBER_REPORT,
        date_added: '2026-12-01T10:00:00.005000Z',
        version: '2026-12-01T11:00:00.000Z',
        media_type: 'application/stix+json;version=2.1',
      },
    ]);
  });

  it('serves an object by id (ignoring match[id]) and lists its versions; another object or collection is a 404', async () => {
    const { call, json } = await start();
    const latest = await json(`${objectPath(AMBER_REPORT)}?match[id]=${CLEAR_REPORT}`);
    expect(latest).toEqual({ more: false, objects: [expect.objectContaining({ name: 'Amber advisory, third' })] });
    expect((await json(`${objectPath(AMBER_REPORT)}?match[version]=all`)).objects).toHaveLength(3);
    const versions = await call(`${objectPath(AMBER_REPORT)}versions/`);
    expect(versions.headers.get('x-taxii-date-added-first')).toBe('2026-12-01T10:00:00.002000Z');
    expect(versions.headers.get('x-taxii-date-added-last')).toBe('2026-12-01T10:00:00.005000Z');
    expect(await versions.json()).toEqual({
      more: false,
      versions: ['2026-12-01T09:00:00.000Z', '2026-12-01T10:00:00.000Z', '2026-12-01T11:00:00.000Z'],
    });
    const paged = await json(`${objectPath(AMBER_REPORT)}versions/?limit=2`);
    expect(paged).toMatchObject({ more: true, versions: ['2026-12-01T09:00:00.000Z', '2026-12-01T10:00:00.000Z'] });
    // Held, though nothing of it was added after the time: an empty page, not a 404.
    expect(await json(`${objectPath(CLEAR_REPORT)}?added_after=2027-01-01T00:00:00Z`)).toEqual({ more: false });
    const missing = 'report--99999999-9999-4999-8999-999999999999';
    for (const path of [objectPath(missing), `${objectPath(missing)}versions/`])
      expect((await taxiiError(await call(path), 404)).title).toBe('Object not found');
    const other = '/taxii2/api/collections/00000000-0000-4000-8000-000000000000';
    for (const path of [other, `${other}/objects/`, `${other}/manifest/`, `${other}/objects/${CLEAR_REPORT}/versions/`])
      expect((await taxiiError(await call(path), 404)).title, path).toBe('Collection not found');
  });

  it('is read-only: adding or deleting objects is a 405 naming GET, and other paths are 404s', async () => {
    const { call } = await start();
    const post = await call(objectsPath, { method: 'POST', body: '{"objects": []}' });
    expect(post.headers.get('allow')).toBe('GET');
    expect((await taxiiError(post, 405)).title).toBe('Read-only collection');
    const remove = await call(objectPath(CLEAR_REPORT), { method: 'DELETE' });
    expect(remove.headers.get('allow')).toBe('GET');
    expect((await taxiiError(remove, 405)).title).toBe('Read-only collection');
    await taxiiError(await call('/taxii2/api/status/1234/'), 404);
    await taxiiError(await call(`${objectsPath}${CLEAR_REPORT}/versions/extra/`), 404);
    const elsewhere = await call('/admin');
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('answers a bad query with a 400 TAXII error naming the parameter, without internals', async () => {
    const { call, json } = await start();
    const { next } = await json(`${objectsPath}?limit=1`);
    expect(typeof next).toBe('string');
    const cases: [string, string][] = [
      ['limit=0', 'limit: a positive whole number is required'],
      ['limit=ten', 'limit: a positive whole number is required'],
      [
        'added_after=yesterday',
        'added_after: an RFC 3339 timestamp in UTC is required, e.g. 2026-11-30T08:00:00.000000Z',
      ],
      ['added_after=2026-02-31T08:00:00Z', 'added_after: 2026-02-31T08:00:00Z is not a date and time that exists'],
      [
        'match[version]=latest',
        'match[version]: an RFC 3339 timestamp in UTC is required, e.g. 2026-11-30T08:00:00.000Z',
      ],
      ['next=not-a-place', 'next: use the value of `next` from the previous page'],
      [`next=${Buffer.from('-12').toString('base64url')}`, 'next: use the value of `next` from the previous page'],
      [`next=${next}.x`, 'next: use the value of `next` from the previous page'],
      [`next=${next}&next=${next}`, 'next: give it once'],
    ];
    for (const [query, description] of cases) {
      const body = await taxiiError(await call(`${objectsPath}?${query}`), 400);
      expect(body, query).toEqual({ title: 'Invalid query parameter', description, http_status: '400' });
    }
    expect((await call(`${manifestPath}?limit=1&next=${next}`)).status).toBe(200);
  });

  it('answers a failing collection with a 500 TAXII error that tells nothing of the failure', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const failing = { records: async () => Promise.reject(new Error('EACCES: /home/partner/.tlpb/collection.jsonl')) };
    const { call } = await start({ source: failing });
    const body = await taxiiError(await call(objectsPath), 500);
    expect(body.description).toBe('The request could not be served.');
    expect(JSON.stringify(body)).not.toContain('EACCES');
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('GET'), expect.stringContaining('EACCES'));
  });

  it('reads the collection afresh at every request', async () => {
    const { source, records, json } = await start();
    expect((await json(manifestPath)).objects).toHaveLength(6);
    records.push(record(6000, 'TLP:GREEN', { id: 'note--5a5a5a5a-5555-4555-8555-555555555555', ...at('12:00') }));
    expect((await json(manifestPath)).objects.map((o: any) => o.id).at(-1)).toBe(
      'note--5a5a5a5a-5555-4555-8555-555555555555',
    );
    expect(source.records).toHaveBeenCalledTimes(2);
  });
});

describe('the local server: TLP:RED', () => {
  it('leaves TLP:RED records out of every route unless opted in', async () => {
    const { call, json } = await start();
    const everything = await json(`${manifestPath}?match[version]=all`);
    expect(everything.objects.map((o: any) => o.id)).not.toContain(RED_REPORT);
    expect(everything.objects.map((o: any) => o.id)).not.toContain(RED_INDICATOR);
    expect(await json(`${objectsPath}?match[id]=${RED_REPORT},${RED_INDICATOR}`)).toEqual({ more: false });
    for (const path of [objectPath(RED_REPORT), `${objectPath(RED_INDICATOR)}versions/`])
      expect((await taxiiError(await call(path), 404)).title).toBe('Object not found');
  });

  it('serves TLP:RED records when opted in', async () => {
    const { json } = await start({ includeRed: true });
    const walked = (await json(`${manifestPath}?match[version]=all`)).objects.map(
      (o: any) => `${o.id}@${addedUs(o.date_added) - BASE}`,
    );
    expect(walked).toEqual(RECORDS.map((r) => `${r.object.id}@${r.dateAdded - BASE}`));
    expect((await json(objectPath(RED_REPORT))).objects).toEqual([expect.objectContaining({ name: 'Red advisory' })]);
    expect((await json(`/taxii2/api/collections/${COLLECTION.id}/`)).description).toContain('TLP:RED included');
  });
});

describe('the local server: MISP feed', () => {
  it('serves manifest.json and hashes.csv without TLP:RED events', async () => {
    const { call } = await start();
    const manifest = await call('/misp/manifest.json');
    expect(manifest.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await manifest.json()).toEqual({
      [CLEAR_EVENT]: MANIFEST[CLEAR_EVENT],
      [AMBER_EVENT]: MANIFEST[AMBER_EVENT],
    });
    const hashes = await call('/misp/hashes.csv');
    expect(hashes.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(await hashes.text()).toBe(`${[HASHES[0], HASHES[1], HASHES[3]].join('\n')}\n`);
  });

  it('serves an event by uuid as pull wrote it; TLP:RED, unlisted, misnamed and outside files are 404s', async () => {
    const { server, call } = await start();
    const amber = await call(`/misp/${AMBER_EVENT}.json`);
    expect(amber.status).toBe(200);
    expect(await amber.text()).toBe(JSON.stringify(event(AMBER_EVENT, 'tlp:amber')));
    for (const path of [
      `/misp/${RED_EVENT}.json`,
      `/misp/${UNLISTED_EVENT}.json`,
      `/misp/${AMBER_EVENT.toUpperCase()}.json`,
      `/misp/${AMBER_EVENT}`,
      '/misp/55555555-aaaa-4aaa-8aaa-555555555555.json',
      '/misp/..%2Fsettings.json',
      '/misp/%2E%2E%2Fsettings.json',
      '/misp/..%2F..%2Fetc%2Fpasswd',
      '/misp/%ZZ.json',
    ]) {
      const response = await call(path);
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain('broker-secret');
    }
    const raw = await rawGet(server.url, '/misp/../settings.json');
    expect(raw.status).toBe(404);
    expect(raw.body).not.toContain('broker-secret');
  });

  it('serves TLP:RED events when opted in', async () => {
    const { call } = await start({ includeRed: true });
    expect(await eventsListed(call)).toEqual([CLEAR_EVENT, AMBER_EVENT, RED_EVENT]);
    expect(await (await call('/misp/hashes.csv')).text()).toBe(`${HASHES.join('\n')}\n`);
    expect((await call(`/misp/${RED_EVENT}.json`)).status).toBe(200);
  });

  it('leaves out an event whose own file is tagged tlp:red, whatever the manifest says', async () => {
    const directory = join(home, 'misp-mislabelled');
    await mkdir(directory);
    await writeFile(join(directory, 'manifest.json'), JSON.stringify({ [RED_EVENT]: manifestEntry('tlp:amber') }));
    await writeFile(join(directory, `${RED_EVENT}.json`), JSON.stringify(event(RED_EVENT, 'TLP:RED')));
    const { call } = await start({ mispDirectory: directory });
    expect((await call(`/misp/${RED_EVENT}.json`)).status).toBe(404);
  });

  it('serves a missing feed as an empty one', async () => {
    const { call } = await start({ mispDirectory: join(home, 'not-pulled-yet') });
    expect(await (await call('/misp/manifest.json')).json()).toEqual({});
    const hashes = await call('/misp/hashes.csv');
    expect(hashes.status).toBe(200);
    expect(await hashes.text()).toBe('');
    expect((await call(`/misp/${CLEAR_EVENT}.json`)).status).toBe(404);
  });

  it('reads the feed at every request, as pull replaces its files', async () => {
    const directory = join(home, 'misp-replaced');
    await mkdir(directory);
    await writeFile(join(directory, 'manifest.json'), JSON.stringify({ [CLEAR_EVENT]: MANIFEST[CLEAR_EVENT] }));
    const { call } = await start({ mispDirectory: directory });
    expect(await eventsListed(call)).toEqual([CLEAR_EVENT]);
    await writeFile(join(directory, 'manifest.json.tmp'), JSON.stringify(MANIFEST));
    await rename(join(directory, 'manifest.json.tmp'), join(directory, 'manifest.json'));
    expect(await eventsListed(call)).toEqual([CLEAR_EVENT, AMBER_EVENT]);
  });
});

describe('the local server: lifecycle', () => {
  it('listens where asked and closes, even when `close` is handed on unbound', async () => {
    const server = await startLocalServer({
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      collection: COLLECTION,
      source: { records: async () => [] },
      mispDirectory,
      includeRed: false,
    });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { close } = server;
    await close();
    await close();
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });

  it('refuses to start without a token', async () => {
    await expect(
      startLocalServer({
        host: '127.0.0.1',
        port: 0,
        token: '',
        collection: COLLECTION,
        source: { records: async () => [] },
        mispDirectory,
        includeRed: false,
      }),
    ).rejects.toThrow(/token/);
  });
});
