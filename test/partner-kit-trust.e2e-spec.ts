import { readFile } from 'node:fs/promises';
import { createServer, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '@tlp-broker/harness';
import { startBroker, TestBroker } from './support/broker';
import { GnuPG } from './support/gnupg';
import { eventually, http } from './support/http';
import { ItemSpec, publishItem } from './support/items';
import { KitHome, printed, runWithNpx } from './support/partner-kit';
import { newKeyPair, registerPartner, TestPartner } from './support/partners';
import { TaxiiClient } from './support/taxii-client';

interface FeedEntry {
  itemId: string;
  version: number;
  tlp: string;
  message: string;
}

/**
 * A machine between the partner and the broker (a compromised proxy, or the broker's server
 * itself taken over) that swaps one item's message for one it made: encrypted to the partner's
 * key, as the real one, but signed with its own key.
 */
class Tampering {
  private server!: Server;
  target: string | null = null;

  constructor(
    private readonly broker: string,
    private readonly forge: (entry: FeedEntry) => Promise<string>,
  ) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void this.relay(request.url ?? '/', request.method ?? 'GET', request.headers.authorization, response);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async relay(path: string, method: string, authorization: string | undefined, response: ServerResponse) {
    const answer = await fetch(`${this.broker}${path}`, { method, headers: authorization ? { authorization } : {} });
    let body = Buffer.from(await answer.arrayBuffer());
    if (this.target && path.startsWith('/feed') && answer.ok) {
      const page = JSON.parse(body.toString()) as { entries?: FeedEntry[] } & FeedEntry;
      for (const entry of page.entries ?? [page])
        if (entry.itemId === this.target) entry.message = await this.forge(entry);
      body = Buffer.from(JSON.stringify(page));
    }
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    response.end(body);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * What the kit trusts: only the team key whose fingerprint the partner pinned, whatever the broker
 * or a machine on the way serves; a key rotation waits for the partner to pin the new key. And
 * what it sends: acknowledgements and submissions, signed by the partner and encrypted to the team.
 */
describe('the partner kit trusts the pinned team key only, and speaks back to the team', () => {
  let broker: TestBroker;
  let partner: TestPartner;
  let rogue: openpgp.PrivateKey;
  let teamFingerprint: string;
  const homes: KitHome[] = [];

  const home = async () => {
    const created = await KitHome.create();
    homes.push(created);
    return created;
  };
  const publish = async (spec: ItemSpec) => {
    const { id } = await publishItem(broker.url, broker.analystKey, {
      body: 'Details.',
      audience: { organisations: [partner.id] },
      ...spec,
    });
    await eventually(
      async () =>
        (await call<{ entries: FeedEntry[] }>(broker.url, 'GET', '/feed', { key: partner.feedKey })).entries.some(
          (entry) => entry.itemId === id,
        ),
      30_000,
      100,
      `item ${id} in the feed`,
    );
    return id;
  };

  beforeAll(async () => {
    broker = await startBroker();
    partner = await registerPartner(broker.url, broker.adminKey, {
      name: 'Trusting CERT',
      relation: 'peer',
      communities: ['eu-csirt'],
    });
    rogue = (await newKeyPair('Test CSIRT', 'csirt@test.example')).privateKey;
    teamFingerprint = (await call<{ fingerprint: string }>(broker.url, 'GET', '/team/key')).fingerprint;
  }, 60_000);

  afterAll(async () => {
    await broker?.close();
    for (const created of homes) await created.remove();
  });

  it('refuses to set up with a fingerprint that is not the team key the broker publishes, writing nothing', async () => {
    const kit = await home();
    const run = await kit.init(broker.url, partner.feedKey, partner.privateKey, rogue.getFingerprint());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the broker publishes no team key with the pinned fingerprint');
    await expect(kit.read('..', 'settings.json')).rejects.toThrow();
  });

  it('takes the API key from the environment, and refuses a secret typed on the command line', async () => {
    const kit = await home();
    const key = await kit.file('partner.asc', partner.privateKey.armor());
    const base = ['init', '--broker', broker.url, '--key', key, '--team-fingerprint', teamFingerprint];
    const typed = await kit.run([...base, '--api-key-env', partner.feedKey]);
    expect(typed.code).toBe(1);
    expect(typed.stderr).toContain('never on the command line');
    await expect(kit.read('..', 'settings.json')).rejects.toThrow();
    const fromEnvironment = await kit.run(base, { TLPB_PARTNER_API_KEY: partner.feedKey });
    expect(fromEnvironment.code, fromEnvironment.stderr).toBe(0);
    expect(fromEnvironment.stdout).not.toContain(partner.feedKey);
  });

  it('refuses an item signed by another key than the pinned one, writes nothing of it, and takes the genuine one once it comes through', async () => {
    const tampering = new Tampering(broker.url, async (entry) => {
      const document = {
        format: 'tlp-broker/item@1',
        id: entry.itemId,
        version: entry.version,
        type: 'advisory',
        tlp: entry.tlp,
        pap: null,
        severity: null,
        title: 'Forged: block 192.0.2.1',
        summary: '',
        body: 'Forged.',
        indicators: [],
        publishedAt: new Date().toISOString(),
        publisher: { name: 'Test CSIRT', fingerprint: teamFingerprint },
      };
      return openpgp.encrypt({
        message: await openpgp.createMessage({ text: JSON.stringify(document) }),
        encryptionKeys: partner.privateKey.toPublic(),
        signingKeys: rogue,
      });
    });
    const proxy = await tampering.start();
    const kit = await home();
    try {
      expect((await kit.init(proxy, partner.feedKey, partner.privateKey, teamFingerprint)).code).toBe(0);
      const itemId = await publish({ title: 'Genuine amber advisory', tlp: 'TLP:AMBER' });
      tampering.target = itemId;
      const refused = await kit.run(['pull', '--json']);
      expect(refused.code).toBe(3);
      expect(printed<{ refused: { itemId: string; reason: string }[] }>(refused).refused).toEqual([
        { deliveryId: expect.any(String), itemId, reason: expect.stringContaining("not the team's pinned key") },
      ]);
      await expect(kit.read('json', itemId, 'v1.json')).rejects.toThrow();
      expect(await kit.read('taxii', 'collection.jsonl').catch(() => '')).not.toContain('Forged');
      tampering.target = null;
      const genuine = await kit.run(['pull', '--json']);
      expect(genuine.code, genuine.stderr).toBe(0);
      expect(printed(genuine)).toMatchObject({ items: 1, refused: [] });
      expect(await kit.json('json', itemId, 'v1.json')).toMatchObject({ title: 'Genuine amber advisory' });
    } finally {
      await tampering.stop();
    }
    // The way to the broker gone, the partner's tools are still served what the kit holds.
    const served = await kit.serve();
    try {
      const client = new TaxiiClient(served.url, served.token);
      const [collection] = await client.collections();
      const objects = await client.allObjects(collection.id, 100);
      expect(objects.map((object) => object.name)).toContain('Genuine amber advisory');
      expect(objects.map((object) => object.name)).not.toContain('Forged: block 192.0.2.1');
    } finally {
      await served.stop();
    }
  });

  it("opens with GnuPG's agent holding the key, and acknowledges an urgent alert by its reference", async () => {
    const gnupg = await GnuPG.create();
    try {
      await gnupg.importKey(partner.privateKey.armor());
      const kit = await home();
      const init = await kit.run([
        'init',
        '--broker',
        broker.url,
        '--api-key-file',
        await kit.file('key', partner.feedKey),
        '--gpg',
        '--gpg-homedir',
        gnupg.home,
        '--team-fingerprint',
        teamFingerprint,
        '--json',
      ]);
      expect(init.code, init.stderr).toBe(0);
      expect(printed(init)).toMatchObject({ partnerKey: partner.fingerprint });
      const alertId = await publish({
        type: 'alert',
        title: 'Ransomware on a hospital network',
        tlp: 'TLP:AMBER',
        severity: 'critical',
      });
      const pulled = await kit.run(['pull', '--json']);
      expect(pulled.code, pulled.stderr).toBe(0);
      expect(await kit.json('json', alertId, 'v1.json')).toMatchObject({
        title: 'Ransomware on a hospital network',
        acknowledge: { method: 'POST' },
      });
      const acked = await kit.run(['ack', `[TLP:AMBER] alert ${alertId.replace(/-/g, '').slice(0, 8)} v1`]);
      expect(acked.code, acked.stderr).toBe(0);
      expect(acked.stdout).toContain(`Item ${alertId} acknowledged`);
      const view = await http(broker.url, 'GET', `/items/${alertId}/acknowledgements`, { key: broker.analystKey });
      expect(view.body).toMatchObject({
        acknowledged: 1,
        waiting: 0,
        recipients: [{ organisationId: partner.id, via: 'feed' }],
      });
    } finally {
      await gnupg.destroy();
    }
  });

  it('submits a STIX bundle signed with the partner key and encrypted to the team key', async () => {
    const kit = await home();
    expect((await kit.init(broker.url, partner.feedKey, partner.privateKey, teamFingerprint)).code).toBe(0);
    const bundle = {
      type: 'bundle',
      id: 'bundle--6f1c1d5e-9a3b-4c2e-8d47-2b1e3f0a9c61',
      objects: [
        {
          type: 'indicator',
          spec_version: '2.1',
          id: 'indicator--6f1c1d5e-9a3b-4c2e-8d47-2b1e3f0a9c62',
          created: '2026-11-30T08:00:00.000Z',
          modified: '2026-11-30T08:00:00.000Z',
          name: 'C2 seen in our SOC',
          pattern: "[domain-name:value = 'c2-from-partner.example']",
          pattern_type: 'stix',
          valid_from: '2026-11-30T08:00:00Z',
          object_marking_refs: ['marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'],
        },
      ],
    };
    const sent = await kit.run(['submit', await kit.file('bundle.json', JSON.stringify(bundle)), '--json']);
    expect(sent.code, sent.stderr).toBe(0);
    const receipt = printed<{ id: string; reference: string }>(sent);
    expect(receipt.reference).toMatch(/-\d{4}-\d{6}$/);
    const stored = await http(broker.url, 'GET', `/submissions/${receipt.id}`, { key: broker.analystKey });
    expect(stored.body).toMatchObject({
      status: 'verified',
      organisationId: partner.id,
      signerFingerprint: partner.fingerprint,
      tlp: 'TLP:AMBER',
    });
    expect(JSON.stringify(stored.body)).toContain('c2-from-partner.example');
  });

  it('waits for the partner to pin a rotated team key: refused until pinned, then opened', async () => {
    const kit = await home();
    expect((await kit.init(broker.url, partner.feedKey, partner.privateKey, teamFingerprint)).code).toBe(0);
    expect((await kit.run(['pull'])).code).toBe(0);
    const rotated = await http(broker.url, 'POST', '/team/key/rotate', { key: broker.adminKey });
    expect(rotated.status).toBe(200);
    const itemId = await publish({
      title: 'Signed with the new team key',
      tlp: 'TLP:GREEN',
      audience: { communities: ['eu-csirt'] },
    });
    const refused = await kit.run(['pull']);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toContain(`REFUSED delivery`);
    expect((await kit.run(['pin', rotated.body.current.fingerprint])).code).toBe(0);
    const opened = await kit.run(['pull', '--json']);
    expect(opened.code, opened.stderr).toBe(0);
    expect(printed(opened)).toMatchObject({ items: 1, refused: [] });
    expect(await kit.json('json', itemId, 'v1.json')).toMatchObject({ title: 'Signed with the new team key' });
    expect((await kit.run(['check'])).code).toBe(0);
  });

  it('installs on its own with npx, from the versioned URL the broker hands it out at', async () => {
    const manifest = JSON.parse(await readFile(join(__dirname, '..', 'apps', 'partner-kit', 'package.json'), 'utf8'));
    const about = await http(broker.url, 'GET', '/partner-kit');
    expect(about.body).toEqual({
      name: 'tlp-broker-partner',
      version: manifest.version,
      url: `https://broker.test.example/partner-kit/tlp-broker-partner-${manifest.version}.tgz`,
    });
    // npx keeps what it fetched from a URL: each version has its own.
    const run = await runWithNpx(`${broker.url}${new URL(about.body.url).pathname}`, ['--version']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(manifest.version);
    expect((await http(broker.url, 'GET', '/partner-kit/tlp-broker-partner-0.0.1.tgz')).status).toBe(404);
  }, 150_000);
});
