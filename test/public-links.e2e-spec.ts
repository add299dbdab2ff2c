import { request } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { GnuPG } from './support/gnupg';
import { eventually, http } from './support/http';
import { registerPartner, TestPartner } from './support/partners';

/** What a client claiming to be elsewhere sends: every header a proxy might be trusted for. */
const HOSTILE_HEADERS = {
  host: 'evil.example',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'http',
  'x-forwarded-port': '8080',
  'x-forwarded-prefix': '/evil',
  forwarded: 'host=evil.example;proto=http',
};

/** Namespaces and format identifiers the feed formats must carry: not links to the broker. */
const FORMAT_URIS = new Set([
  'https://jsonfeed.org/version/1',
  'http://www.w3.org/2005/Atom',
  'http://purl.org/rss/1.0/modules/content/',
  'http://purl.org/dc/elements/1.1/',
  'https://github.com/jpmonette/feed',
  'https://validator.w3.org/feed/docs/rss2.html',
]);

interface RawAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

/** A GET with the given headers, Host included (fetch does not let a caller set Host). */
function rawGet(base: string, path: string, headers: Record<string, string>): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const call = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'GET', headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks),
          }),
        );
        response.on('error', reject);
      },
    );
    call.on('error', reject);
    call.end();
  });
}

function absoluteUrls(text: string): string[] {
  return [...text.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>\\)\]]+/gi)].map((match) => match[0]);
}

/**
 * Every absolute link the broker signs or hands out comes from PUBLIC_URL: a request naming
 * another host (Host, X-Forwarded-*, Forwarded) changes nothing in security.txt, the team profile,
 * TAXII discovery or the public feeds, and what the team key signs still verifies with gpg.
 * Without PUBLIC_URL (allowed outside production) the base is where the API is configured to
 * listen (HOST, PORT), never the request's.
 */
describe.each<{ setting: string; env: Record<string, string>; PUBLIC_URL: string }>([
  {
    setting: 'PUBLIC_URL set',
    env: { PUBLIC_URL: 'https://broker.police.example/' },
    PUBLIC_URL: 'https://broker.police.example',
  },
  {
    setting: 'PUBLIC_URL unset (test mode)',
    env: { PUBLIC_URL: '', HOST: '127.0.0.1', PORT: '3999' },
    PUBLIC_URL: 'http://127.0.0.1:3999',
  },
])('absolute links come from configuration only: $setting', ({ env, PUBLIC_URL }) => {
  let broker: TestBroker;
  let partner: TestPartner;
  let gnupg: GnuPG;
  let itemId: string;

  const fromElsewhere = (path: string, extra: Record<string, string> = {}) =>
    rawGet(broker.url, path, { ...HOSTILE_HEADERS, ...extra });

  const gpgVerify = async (name: string, content: Buffer, detachedData?: Buffer): Promise<string> => {
    const file = join(gnupg.home, name);
    await writeFile(file, content);
    if (detachedData) await writeFile(`${file}.data`, detachedData);
    const { stderr } = await gnupg.gpg([
      '--status-fd',
      '2',
      '--verify',
      file,
      ...(detachedData ? [`${file}.data`] : []),
    ]);
    return stderr;
  };

  beforeAll(async () => {
    broker = await startBroker({ env });
    expect(broker.config.http.publicUrl).toBe(PUBLIC_URL);
    partner = await registerPartner(broker.url, broker.adminKey, {
      name: 'Links CERT',
      relation: 'peer',
      communities: ['eu-csirt'],
    });
    gnupg = await GnuPG.create();
    await gnupg.importKey((await http(broker.url, 'GET', '/team/key.asc')).body as string);
    const published = await http(broker.url, 'POST', '/items', {
      key: broker.analystKey,
      json: { type: 'advisory', title: 'Public warning: fake fines by SMS', body: 'Do not pay.', tlp: 'TLP:CLEAR' },
    });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    itemId = published.body.id;
    await eventually(async () =>
      ((await http(broker.url, 'GET', '/public/items')).body.items as { id: string }[]).some(
        (item) => item.id === itemId,
      ),
    );
  }, 60_000);

  afterAll(async () => {
    await gnupg?.destroy();
    await broker?.close();
  });

  it('serves every document with links under PUBLIC_URL alone, whatever host the request names', async () => {
    const documents: [string, Record<string, string>][] = [
      ['/.well-known/security.txt', {}],
      ['/team/profile.txt', {}],
      ['/team/profile.json', {}],
      ['/public/feed.rss', {}],
      ['/public/feed.atom', {}],
      ['/public/feed.json', {}],
      ['/public/items', {}],
      ['/public/stix.json', {}],
      ['/taxii2/', { authorization: `Bearer ${partner.feedKey}`, accept: 'application/taxii+json;version=2.1' }],
    ];
    for (const [path, extra] of documents) {
      const answer = await fromElsewhere(path, extra);
      expect(answer.status, `${path}: ${answer.body.toString()}`).toBe(200);
      const text = answer.body.toString('utf8');
      expect(text, path).not.toMatch(/evil/);
      expect(text, path).not.toContain(new URL(broker.url).host);
      const links = absoluteUrls(text).filter((url) => !FORMAT_URIS.has(url));
      expect(
        links.filter((url) => !url.startsWith(`${PUBLIC_URL}/`)),
        path,
      ).toEqual([]);
      if (path !== '/public/items' && path !== '/public/stix.json') expect(links.length, path).toBeGreaterThan(0);
    }
  });

  it('signs security.txt and the team profile with links to PUBLIC_URL, as gpg verifies', async () => {
    const security = (await fromElsewhere('/.well-known/security.txt')).body;
    const text = security.toString('utf8');
    expect(text).toContain(`Encryption: ${PUBLIC_URL}/team/key.asc\n`);
    expect(text).toContain(`Canonical: ${PUBLIC_URL}/.well-known/security.txt\n`);
    expect(text).toContain(`Policy: ${PUBLIC_URL}/team/profile.txt\n`);
    expect(await gpgVerify('security.txt', security)).toMatch(/\[GNUPG:\] VALIDSIG/);

    const profile = (await fromElsewhere('/team/profile.txt')).body;
    expect(profile.toString('utf8')).toContain(
      `1.3 Locations where this document may be found: ${PUBLIC_URL}/team/profile.txt\n`,
    );
    expect(await gpgVerify('profile.txt', profile)).toMatch(/\[GNUPG:\] VALIDSIG/);

    const json = (await fromElsewhere('/team/profile.json')).body;
    expect(JSON.parse(json.toString('utf8'))).toMatchObject({
      documentInformation: { location: `${PUBLIC_URL}/team/profile.txt` },
      contact: { publicKey: { url: `${PUBLIC_URL}/team/key.asc` } },
    });
    const signature = (await fromElsewhere('/team/profile.json.asc')).body;
    expect(await gpgVerify('profile.json.asc', signature, json)).toMatch(/\[GNUPG:\] VALIDSIG/);
  });

  it('answers the same bytes to every host: nothing signed depends on the request', async () => {
    for (const path of [
      '/.well-known/security.txt',
      '/team/profile.txt',
      '/team/profile.json',
      '/team/profile.json.asc',
      '/public/feed.atom',
    ]) {
      const honest = await rawGet(broker.url, path, {});
      const hostile = await fromElsewhere(path, { host: 'another.evil.example' });
      expect(hostile.body.equals(honest.body), path).toBe(true);
    }
  });

  it('ends every line of the signed text documents with LF, armor lines included', async () => {
    for (const path of ['/.well-known/security.txt', '/team/profile.txt']) {
      const body = (await fromElsewhere(path)).body;
      expect(body.includes(0x0d), `${path} holds a CR`).toBe(false);
      expect(body.subarray(-1)[0], path).toBe(0x0a);
      const lines = body.toString('utf8').split('\n');
      expect(lines.slice(0, 2), path).toEqual(['-----BEGIN PGP SIGNED MESSAGE-----', expect.stringMatching(/^Hash: /)]);
      expect(lines).toContain('-----BEGIN PGP SIGNATURE-----');
      expect(lines.at(-2)).toBe('-----END PGP SIGNATURE-----');
    }
    const signature = (await fromElsewhere('/team/profile.json.asc')).body;
    expect(signature.includes(0x0d)).toBe(false);
  });
});
