import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { eventually, http } from './support/http';
import { ItemSpec, publishItem, waitForRouting } from './support/items';
import { registerPartner, TestPartner } from './support/partners';
import { stixErrors } from './support/stix-schemas';

/**
 * What anyone may read (the public TLP:CLEAR feed, the team profile, security.txt: each signed
 * and checked here with gpg), and how partner credentials are scoped, rotated, revoked and
 * rate-limited.
 */
describe('public documents and partner access', () => {
  let broker: TestBroker;
  let partner: TestPartner;
  let teamKey: openpgp.PublicKey;
  let gnupgHome: string;
  let clearId: string;
  let greenId: string;

  const gpg = (...args: string[]) =>
    execFileSync('gpg', ['--homedir', gnupgHome, '--batch', '--status-fd', '1', ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  const publish = async (spec: ItemSpec) => {
    const { id } = await publishItem(broker.url, broker.analystKey, { body: 'Body.', ...spec });
    await waitForRouting(broker.url, broker.analystKey, id);
    return id;
  };

  beforeAll(async () => {
    const profile = join(mkdtempSync(join(tmpdir(), 'tlpb-profile-')), 'profile.json');
    writeFileSync(
      profile,
      JSON.stringify({
        name: 'CSIRT Police nationale',
        email: 'csirt@police.example',
        phone: '+33 1 00 00 00 00',
        languages: ['fr', 'en'],
        timeZone: 'Europe/Paris',
        lastUpdated: '2026-11-02',
      }),
    );
    broker = await startBroker({
      env: {
        TEAM_PROFILE_FILE: profile,
        PUBLIC_URL: 'https://broker.police.example',
        PARTNER_RATE_LIMIT: '25',
        PARTNER_RATE_WINDOW_MS: '60000',
      },
    });
    partner = await registerPartner(broker.url, broker.adminKey, {
      name: 'Access CERT',
      relation: 'peer',
      communities: ['eu-csirt'],
    });
    const team = await http(broker.url, 'GET', '/team/key');
    teamKey = await openpgp.readKey({ armoredKey: team.body.publicKey });
    gnupgHome = mkdtempSync(join(tmpdir(), 'tlpb-gpg-'));
    const keyFile = join(gnupgHome, 'team.asc');
    writeFileSync(keyFile, team.body.publicKey);
    gpg('--import', keyFile);
    clearId = await publish({
      title: 'Public warning: fake police fines by SMS',
      tlp: 'TLP:CLEAR',
      indicators: [{ type: 'domain', value: 'amendes-police.example' }],
    });
    greenId = await publish({
      title: 'Green: not for the public',
      tlp: 'TLP:GREEN',
      audience: { communities: ['eu-csirt'] },
    });
  }, 60_000);

  afterAll(async () => {
    await broker?.close();
  });

  it('publishes TLP:CLEAR items, and only those, as JSON, RSS, Atom, JSON Feed and STIX, without credentials', async () => {
    const items = await http(broker.url, 'GET', '/public/items');
    expect(items.status).toBe(200);
    expect(items.body.items.map((item: { id: string }) => item.id)).toEqual([clearId]);
    expect(items.body.items[0]).toMatchObject({
      tlp: 'TLP:CLEAR',
      title: 'Public warning: fake police fines by SMS',
      indicators: [{ type: 'domain', value: 'amendes-police.example' }],
    });
    for (const [path, type, marker] of [
      ['/public/feed.rss', 'application/rss+xml', '<rss'],
      ['/public/feed.atom', 'application/atom+xml', '<feed'],
      ['/public/feed.json', 'application/feed+json', '"version": "https://jsonfeed.org/version/1"'],
    ] as const) {
      const response = await http(broker.url, 'GET', path);
      expect(response.headers.get('content-type')).toContain(type);
      const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body, null, 4);
      expect(body).toContain(marker);
      expect(body).toContain('Public warning: fake police fines by SMS');
      expect(body).toContain('https://broker.police.example/public/items/');
      expect(body).not.toContain('not for the public');
      expect(body).not.toContain(greenId);
    }
    const stix = await http(broker.url, 'GET', '/public/stix.json');
    const bundle = typeof stix.body === 'string' ? JSON.parse(stix.body) : stix.body;
    expect(stixErrors(bundle)).toEqual([]);
    for (const object of bundle.objects) expect(stixErrors(object)).toEqual([]);
    expect(bundle.objects.map((object: { type: string }) => object.type).sort()).toEqual([
      'identity',
      'indicator',
      'marking-definition',
      'report',
    ]);
    expect((await http(broker.url, 'GET', `/public/items/${greenId}`)).status).toBe(404);
  });

  it('takes an item out of the public feed when a new version is above TLP:CLEAR', async () => {
    const id = await publish({ title: 'Clear at first', tlp: 'TLP:CLEAR' });
    expect(
      (await http(broker.url, 'GET', '/public/items')).body.items.map((item: { id: string }) => item.id),
    ).toContain(id);
    const update = await http(broker.url, 'PUT', `/items/${id}`, {
      key: broker.analystKey,
      json: {
        type: 'advisory',
        title: 'Now green',
        body: 'B',
        tlp: 'TLP:GREEN',
        audience: { communities: ['eu-csirt'] },
      },
    });
    expect(update.status).toBe(200);
    await eventually(
      async () =>
        !(await http(broker.url, 'GET', '/public/items')).body.items.some((item: { id: string }) => item.id === id),
    );
    expect(JSON.stringify((await http(broker.url, 'GET', '/public/feed.rss')).body)).not.toContain('Now green');
  });

  it('serves the RFC 2350 profile and security.txt, signed with the team key, as gpg verifies', async () => {
    const text = await http(broker.url, 'GET', '/team/profile.txt');
    expect(text.body).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----/);
    expect(text.body).toContain('2.1 Name of the team: CSIRT Police nationale');
    expect(text.body).toContain('2.3 Time zone: Europe/Paris');
    expect(text.body).toContain('1.1 Date of last update: 2026-11-02');
    expect(text.body).toContain(
      `2.8 Public keys and encryption information: OpenPGP ${teamKey.getFingerprint().toUpperCase()}`,
    );
    const textFile = join(gnupgHome, 'profile.txt');
    writeFileSync(textFile, text.body);
    expect(gpg('--verify', textFile)).toMatch(/\[GNUPG:\] VALIDSIG/);

    const json = await http(broker.url, 'GET', '/team/profile.json');
    expect(json.body).toMatchObject({
      format: 'tlp-broker/team-profile@1',
      contact: { name: 'CSIRT Police nationale', email: 'csirt@police.example', languages: ['fr', 'en'] },
    });
    const raw = await (await fetch(`${broker.url}/team/profile.json`)).text();
    const signature = await (await fetch(`${broker.url}/team/profile.json.asc`)).text();
    writeFileSync(join(gnupgHome, 'profile.json'), raw);
    writeFileSync(join(gnupgHome, 'profile.json.asc'), signature);
    expect(gpg('--verify', join(gnupgHome, 'profile.json.asc'), join(gnupgHome, 'profile.json'))).toMatch(
      /\[GNUPG:\] VALIDSIG/,
    );
    writeFileSync(join(gnupgHome, 'profile.json'), raw.replace('CSIRT Police nationale', 'CSIRT Police nationalE'));
    expect(() => gpg('--verify', join(gnupgHome, 'profile.json.asc'), join(gnupgHome, 'profile.json'))).toThrow();

    const security = await http(broker.url, 'GET', '/.well-known/security.txt');
    expect(security.headers.get('content-type')).toContain('text/plain');
    const body = security.body as string;
    expect(body).toContain('Contact: mailto:csirt@police.example');
    expect(body).toContain('Contact: tel:+33100000000');
    expect(body).toContain('Encryption: https://broker.police.example/team/key.asc');
    expect(body).toContain('Preferred-Languages: fr, en');
    expect(body).toContain('Canonical: https://broker.police.example/.well-known/security.txt');
    const expires = new Date(/Expires: (\S+)/.exec(body)![1]);
    expect(expires.getTime()).toBeGreaterThan(Date.now() + 150 * 86_400_000);
    expect(expires.getTime()).toBeLessThan(Date.now() + 365 * 86_400_000);
    writeFileSync(join(gnupgHome, 'security.txt'), body);
    expect(gpg('--verify', join(gnupgHome, 'security.txt'))).toMatch(/\[GNUPG:\] VALIDSIG/);
  });

  it('scopes, rotates and revokes a channel’s credentials', async () => {
    const base = `/organisations/${partner.id}/channels/${partner.channelId}/credentials`;
    const taxiiOnly = await http(broker.url, 'POST', base, { key: broker.adminKey, json: { scopes: ['taxii'] } });
    expect(taxiiOnly.status).toBe(201);
    expect(taxiiOnly.body).toMatchObject({ scopes: ['taxii'], apiKey: expect.stringMatching(/^tlpb_/) });
    const key = taxiiOnly.body.apiKey as string;
    expect((await http(broker.url, 'GET', '/taxii2/api/collections/', { key })).status).toBe(200);
    const noFeed = await http(broker.url, 'GET', '/feed', { key });
    expect(noFeed.status).toBe(403);
    expect(noFeed.body.message).toContain('"feed"');
    expect((await http(broker.url, 'GET', '/misp/manifest.json', { key })).status).toBe(403);

    const rotated = await http(broker.url, 'POST', `${base}/${taxiiOnly.body.id}/rotate`, { key: broker.adminKey });
    expect(rotated.status).toBe(200);
    expect(rotated.body.scopes).toEqual(['taxii']);
    expect((await http(broker.url, 'GET', '/taxii2/api/collections/', { key })).status).toBe(401);
    expect((await http(broker.url, 'GET', '/taxii2/api/collections/', { key: rotated.body.apiKey })).status).toBe(200);

    const revoked = await http(broker.url, 'DELETE', `${base}/${rotated.body.id}`, { key: broker.adminKey });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    expect((await http(broker.url, 'GET', '/taxii2/api/collections/', { key: rotated.body.apiKey })).status).toBe(401);
    expect((await http(broker.url, 'DELETE', `${base}/${rotated.body.id}`, { key: broker.adminKey })).status).toBe(409);

    const listed = await http(broker.url, 'GET', base, { key: broker.adminKey });
    expect(
      listed.body.map((row: { scopes: string[]; revokedAt: string | null }) => [
        row.scopes.join(','),
        row.revokedAt === null,
      ]),
    ).toEqual([
      ['feed,taxii,misp,submit', true],
      ['taxii', false],
      ['taxii', false],
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(JSON.stringify(listed.body)).not.toContain(rotated.body.apiKey);
    const badScope = await http(broker.url, 'POST', base, { key: broker.adminKey, json: { scopes: ['admin'] } });
    expect(badScope.status).toBe(400);
    expect(badScope.body.details[0].field).toBe('scopes');
    expect((await http(broker.url, 'POST', base, { key: partner.feedKey, json: {} })).status).toBe(403);
  });

  it('rate-limits a partner credential with 429 and Retry-After, in every pull form', async () => {
    const credential = await http(
      broker.url,
      'POST',
      `/organisations/${partner.id}/channels/${partner.channelId}/credentials`,
      { key: broker.adminKey, json: { scopes: ['feed', 'taxii', 'misp'] } },
    );
    const key = credential.body.apiKey as string;
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++)
      statuses.push((await http(broker.url, 'GET', i % 2 ? '/feed' : '/misp/manifest.json', { key })).status);
    expect(statuses.every((status) => status === 200)).toBe(true);
    const limited = await http(broker.url, 'GET', '/feed', { key });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.message).toMatch(/at most 25 requests per 60 s/);
    const taxii = await http(broker.url, 'GET', '/taxii2/', { key });
    expect(taxii.status).toBe(429);
    expect(taxii.body.http_status).toBe('429');
    // Another credential of the same partner has its own allowance.
    expect((await http(broker.url, 'GET', '/feed', { key: partner.feedKey })).status).toBe(200);
  });
});
