import { readdir, readFile, stat } from 'node:fs/promises';
import { get } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { call, waitForRecalls } from '@tlp-broker/harness';
import { eventually, http } from './support/http';
import { ItemSpec, publishItem } from './support/items';
import { KitHome, printed } from './support/partner-kit';
import { newKeyPair, registerContact, registerPartner, TestContact, TestPartner } from './support/partners';
import { stixErrors } from './support/stix-schemas';
import { Stix, TAXII, TaxiiClient } from './support/taxii-client';
import { selfSignedCertificate } from './support/tls';

const OFFICIAL_TLP: Record<string, string> = {
  'TLP:CLEAR': 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  'TLP:GREEN': 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  'TLP:AMBER': 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'TLP:AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  'TLP:RED': 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

interface PullJson {
  entries: number;
  items: number;
  recalls: number;
  held: number;
  byLabel: Record<string, number>;
  refused: { reason: string }[];
}

type Bundle = { type: string; id: string; objects: Stix[] };
type MispFile = { Event: { info: string; Tag: { name: string }[]; Attribute: { value: string; deleted: boolean }[] } };

/** Every file under a directory with its modification time: what a second pull must leave as it is. */
async function snapshot(directory: string): Promise<Record<string, number>> {
  const files: Record<string, number> = {};
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files[path] = (await stat(path)).mtimeMs;
    }
  return files;
}

async function everything(directory: string): Promise<string> {
  const texts: string[] = [];
  for (const path of Object.keys(await snapshot(directory))) texts.push(await readFile(path, 'utf8'));
  return texts.join('\n');
}

/**
 * A partner team's side, against a running broker: the kit pulls what the team delivered at every
 * label, decrypts and verifies it, applies updates and recalls, and hands the cleartext to the
 * partner's OpenCTI (TAXII 2.1) and MISP (feed); TLP:RED stays out unless the operator opts in.
 */
describe('the partner kit (tlp-broker-partner) against a running broker', () => {
  let broker: TestBroker;
  let partner: TestPartner;
  let other: TestPartner;
  let duty: TestContact;
  let teamFingerprint: string;
  const kit = { org: null as unknown as KitHome, person: null as unknown as KitHome };
  const items: Record<string, string> = {};
  const indicator = (value: string) => ({ type: 'domain', value });

  const publish = async (name: string, spec: ItemSpec) => {
    items[name] = (await publishItem(broker.url, broker.analystKey, { body: `Details of ${spec.title}.`, ...spec })).id;
  };
  const feedEntries = (key: string, count: number) =>
    eventually(
      async () => (await call<{ entries: unknown[] }>(broker.url, 'GET', '/feed', { key })).entries.length >= count,
      30_000,
      100,
      `${count} feed entries`,
    );
  const pull = async (home: KitHome, ...args: string[]) => {
    const run = await home.run(['pull', '--json', ...args]);
    expect(run.code, run.stderr).toBe(0);
    return printed<PullJson>(run);
  };

  beforeAll(async () => {
    broker = await startBroker();
    [partner, other] = await Promise.all([
      registerPartner(broker.url, broker.adminKey, {
        name: 'Kit Partner CERT',
        relation: 'peer',
        communities: ['eu-csirt'],
      }),
      registerPartner(broker.url, broker.adminKey, {
        name: 'Other Peer CERT',
        relation: 'peer',
        communities: ['eu-csirt'],
      }),
    ]);
    duty = await registerContact(broker.url, broker.adminKey, partner.id, 'Dana Duty');
    teamFingerprint = (await call<{ fingerprint: string }>(broker.url, 'GET', '/team/key')).fingerprint;
    await publish('clear', {
      title: 'Clear advisory on court-order lures',
      tlp: 'TLP:CLEAR',
      indicators: [indicator('lure-clear.example')],
    });
    await publish('green', {
      title: 'Green botnet for the community',
      tlp: 'TLP:GREEN',
      audience: { communities: ['eu-csirt'] },
      indicators: [indicator('botnet-green.example')],
    });
    await publish('amber', {
      title: 'Amber phishing kit',
      tlp: 'TLP:AMBER',
      audience: { organisations: [partner.id] },
      indicators: [indicator('kit-a.example'), indicator('kit-b.example')],
    });
    await publish('strict', {
      title: 'Amber strict intrusion set',
      tlp: 'TLP:AMBER+STRICT',
      audience: { organisations: [partner.id] },
    });
    await publish('red', {
      title: 'Red source in the investigation',
      tlp: 'TLP:RED',
      audience: { contacts: [duty.id] },
    });
    await Promise.all([feedEntries(partner.feedKey, 4), feedEntries(duty.feedKey, 1)]);
    [kit.org, kit.person] = await Promise.all([KitHome.create(), KitHome.create()]);
  }, 120_000);

  afterAll(async () => {
    await broker?.close();
    await kit.org?.remove();
    await kit.person?.remove();
  });

  it('sets up from an API key, a protected private key and the pinned fingerprint, keeping secrets to a 0600 file', async () => {
    // Not the channel's key: every entry would be a refusal, so it is said before anything is written.
    const stranger = (await newKeyPair('Someone Else', 'someone@else.example')).privateKey;
    const wrong = await kit.org.init(broker.url, partner.feedKey, stranger, teamFingerprint);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`this channel's deliveries are encrypted to key ${partner.fingerprint}`);
    await expect(stat(join(kit.org.home, 'settings.json'))).rejects.toThrow();

    const run = await kit.org.init(broker.url, partner.feedKey, partner.privateKey, teamFingerprint);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('signed by the pinned key');
    const settings = await stat(join(kit.org.home, 'settings.json'));
    expect(settings.mode & 0o777).toBe(0o600);
    expect((await stat(kit.org.home)).mode & 0o777).toBe(0o700);
    for (const secret of [partner.feedKey, 'partner key passphrase'])
      expect(run.stdout + run.stderr).not.toContain(secret);
    // Set up again (say with a renewed key): the local server keeps the credential the partner's tools hold.
    const token = await kit.org.read('..', 'serve-token');
    expect((await kit.org.init(broker.url, partner.feedKey, partner.privateKey, teamFingerprint)).code).toBe(0);
    expect(await kit.org.read('..', 'serve-token')).toBe(token);
  });

  it('pulls every label it was sent: a STIX 2.1 bundle per item with the official TLP 2.0 marking, a MISP event, the signed document', async () => {
    const summary = await pull(kit.org);
    expect(summary).toMatchObject({ entries: 4, items: 4, recalls: 0, held: 0, refused: [] });
    expect(summary.byLabel).toMatchObject({ 'TLP:CLEAR': 1, 'TLP:GREEN': 1, 'TLP:AMBER': 1, 'TLP:AMBER+STRICT': 1 });
    const manifest = await kit.org.json<Record<string, { info: string; Tag: { name: string }[] }>>(
      'misp',
      'manifest.json',
    );
    expect(
      Object.values(manifest)
        .map((event) => event.Tag[0].name)
        .sort(),
    ).toEqual(['tlp:amber', 'tlp:amber+strict', 'tlp:clear', 'tlp:green']);
    for (const [name, label] of [
      ['clear', 'TLP:CLEAR'],
      ['green', 'TLP:GREEN'],
      ['amber', 'TLP:AMBER'],
      ['strict', 'TLP:AMBER+STRICT'],
    ]) {
      const bundle = await kit.org.json<Bundle>('stix', `${items[name]}.json`);
      const report = bundle.objects.find((object) => object.type === 'report')!;
      expect(report.object_marking_refs).toContain(OFFICIAL_TLP[label]);
      expect(bundle.objects.map((object) => object.id)).toContain(OFFICIAL_TLP[label]);
      for (const object of bundle.objects) expect(stixErrors(object), object.id).toEqual([]);
      const document = await kit.org.json<{ title: string; tlp: string }>('json', items[name], 'v1.json');
      expect(document.tlp).toBe(label);
      expect(report.name).toBe(document.title);
    }
    const amber = await kit.org.json<Bundle>('stix', `${items.amber}.json`);
    expect(
      amber.objects
        .filter((object) => object.type === 'indicator')
        .map((object) => object.pattern)
        .sort(),
    ).toEqual(["[domain-name:value = 'kit-a.example']", "[domain-name:value = 'kit-b.example']"]);
    // Named apart from the sealed copies the broker's own MISP feed and TAXII collection hold, so a
    // tool that pulled those before takes the cleartext as new, not as versions it already has.
    const brokerMisp = await http(broker.url, 'GET', '/misp/manifest.json', { key: partner.feedKey });
    expect(Object.keys(brokerMisp.body)).toHaveLength(4);
    expect(Object.keys(manifest).filter((uuid) => uuid in brokerMisp.body)).toEqual([]);
    const sealed = await http(
      broker.url,
      'GET',
      `/taxii2/api/collections/${partner.channelId}/objects/?match[type]=report`,
      {
        key: partner.feedKey,
        headers: { accept: TAXII },
      },
    );
    const reportIds = new Set((sealed.body.objects as Stix[]).map((object) => object.id));
    expect(reportIds.size).toBe(4);
    const collection = await kit.org.read('taxii', 'collection.jsonl');
    expect(collection).toContain('"type":"report"');
    expect([...reportIds].filter((id) => collection.includes(id))).toEqual([]);
    const hashes = await kit.org.read('misp', 'hashes.csv');
    expect(hashes.trim().split('\n')).toHaveLength(4);
  });

  it('writes nothing twice: a second pull finds nothing new and leaves every file as it was', async () => {
    const before = await snapshot(kit.org.directory);
    const summary = await pull(kit.org);
    expect(summary.entries).toBe(0);
    expect(await snapshot(kit.org.directory)).toEqual(before);
  });

  it('applies an update, a withdrawal and a retraction: withdrawn versions removed, STIX objects revoked, MISP attributes deleted', async () => {
    const updated = await http(broker.url, 'PUT', `/items/${items.amber}`, {
      key: broker.analystKey,
      json: {
        type: 'advisory',
        title: 'Amber phishing kit: operators identified',
        body: 'Update.',
        tlp: 'TLP:AMBER',
        audience: { organisations: [partner.id] },
        indicators: [indicator('kit-a.example'), indicator('kit-c.example')],
      },
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    const narrowed = await http(broker.url, 'PUT', `/items/${items.green}`, {
      key: broker.analystKey,
      json: {
        type: 'advisory',
        title: 'Now for another peer only',
        body: 'Narrowed.',
        tlp: 'TLP:AMBER',
        audience: { organisations: [other.id] },
      },
    });
    expect(narrowed.status, JSON.stringify(narrowed.body)).toBe(200);
    const retracted = await http(broker.url, 'POST', `/items/${items.clear}/retract`, {
      key: broker.analystKey,
      json: { reason: 'Wrong attribution', notice: 'Withdrawn: the lure was misattributed.' },
    });
    expect(retracted.status, JSON.stringify(retracted.body)).toBe(200);
    await waitForRecalls(broker.url, broker.analystKey, items.green, 1);
    await waitForRecalls(broker.url, broker.analystKey, items.clear, 1);
    await eventually(
      async () =>
        (
          await call<{ entries: { itemId: string; version: number }[] }>(broker.url, 'GET', '/feed', {
            key: partner.feedKey,
          })
        ).entries.some((entry) => entry.itemId === items.amber && entry.version === 2),
      30_000,
      100,
      'the amber update in the feed',
    );

    const summary = await pull(kit.org);
    expect(summary).toMatchObject({ items: 1, recalls: 2, refused: [] });

    const amber = await kit.org.json<Bundle>('stix', `${items.amber}.json`);
    expect(amber.objects.find((object) => object.type === 'report')?.name).toBe(
      'Amber phishing kit: operators identified',
    );
    const byPattern = (pattern: string) =>
      amber.objects.find((object) => object.pattern === `[domain-name:value = '${pattern}']`);
    expect(byPattern('kit-b.example')?.revoked).toBe(true);
    expect(byPattern('kit-c.example')?.revoked).toBeUndefined();
    expect(await kit.org.json<{ version: number }>('json', items.amber, 'v2.json')).toMatchObject({ version: 2 });

    for (const [name, title] of [
      ['green', 'Green botnet for the community'],
      ['clear', 'Clear advisory on court-order lures'],
    ]) {
      await expect(stat(join(kit.org.out, 'json', items[name], 'v1.json'))).rejects.toThrow();
      expect(await kit.org.json<{ format: string }>('json', items[name], 'recall.json')).toMatchObject({
        format: 'tlp-broker/recall@1',
      });
      const bundle = await kit.org.json<Bundle>('stix', `${items[name]}.json`);
      const itemObjects = bundle.objects.filter((object) => object.type === 'report' || object.type === 'indicator');
      expect(itemObjects.length).toBeGreaterThan(1);
      expect(itemObjects.every((object) => object.revoked === true)).toBe(true);
      expect(JSON.stringify(bundle)).not.toContain(title);
      for (const object of bundle.objects) expect(stixErrors(object), object.id).toEqual([]);
      const manifest = await kit.org.json<Record<string, { Tag: { name: string }[] }>>('misp', 'manifest.json');
      const event = Object.entries(manifest).find(
        ([, entry]) =>
          entry.Tag.some((tag) => tag.name === 'tlp-broker:recalled') &&
          JSON.stringify(entry).includes(items[name].replace(/-/g, '').slice(0, 8)),
      );
      expect(event, name).toBeDefined();
      const { Event } = await kit.org.json<MispFile>('misp', `${event![0]}.json`);
      expect(Event.Attribute.length).toBeGreaterThan(0);
      expect(Event.Attribute.every((attribute) => attribute.deleted)).toBe(true);
      expect(await kit.org.read('..', 'state.json')).not.toContain(title);
    }
    expect(await kit.org.read('misp', 'hashes.csv')).not.toContain(items.clear.slice(0, 8));
  });

  it('serves the decrypted collection read-only over TAXII 2.1, paged by a client written from the specification, every object valid STIX 2.1', async () => {
    const served = await kit.org.serve(['--pull-every', '0']);
    try {
      const client = new TaxiiClient(served.url, served.token);
      const [collection] = await client.collections();
      expect(collection).toMatchObject({ can_read: true, can_write: false });
      const records = (await kit.org.read('taxii', 'collection.jsonl')).trim().split('\n');
      const all = await client.allObjects(collection.id, 3, 'match[version]=all');
      expect(all).toHaveLength(records.length);
      expect(new Set(all.map((object) => `${object.id} ${String(object.modified ?? object.created)}`)).size).toBe(
        all.length,
      );
      for (const object of all) expect(stixErrors(object), object.id).toEqual([]);
      const latest = await client.allObjects(collection.id, 4);
      expect(latest).toHaveLength(new Set(all.map((object) => object.id)).size);
      expect(latest.find((object) => object.name === 'Amber phishing kit: operators identified')).toBeDefined();
      const misp = await http(served.url, 'GET', '/misp/manifest.json', { key: served.token });
      expect(misp.status).toBe(200);
      expect(misp.body).toEqual(await kit.org.json('misp', 'manifest.json'));
      const refused = await http(served.url, 'GET', '/misp/manifest.json', { key: partner.feedKey });
      expect(refused.status).toBe(401);
    } finally {
      await served.stop();
    }
  });

  it('serves over HTTPS with the certificate it is given, for tools on other machines of the partner', async () => {
    const certificate = selfSignedCertificate('kit.partner.example', ['127.0.0.1']);
    const served = await kit.org.serve([
      '--pull-every',
      '0',
      '--tls-cert',
      await kit.org.file('kit.crt', certificate.cert),
      '--tls-key',
      await kit.org.file('kit.key', certificate.key),
    ]);
    try {
      expect(served.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const discovery = await new Promise<{ status: number; body: string }>((resolve, reject) =>
        get(
          `${served.url}/taxii2/`,
          { ca: certificate.cert, headers: { accept: TAXII, authorization: `Bearer ${served.token}` } },
          (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString()));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
          },
        ).on('error', reject),
      );
      expect(discovery.status).toBe(200);
      expect(JSON.parse(discovery.body).default).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/taxii2\/api\/$/);
    } finally {
      await served.stop();
    }
  });

  it('keeps TLP:RED unopened, unwritten and unserved unless the operator opts in', async () => {
    const run = await kit.person.init(broker.url, duty.feedKey, duty.privateKey, teamFingerprint);
    expect(run.code, run.stderr).toBe(0);
    const first = await pull(kit.person);
    expect(first.held).toBe(1);
    expect(first.byLabel['TLP:RED']).toBe(0);
    expect(await everything(kit.person.home)).not.toContain('Red source in the investigation');
    const isRed = (object: Stix) =>
      (object.object_marking_refs as string[] | undefined)?.includes(OFFICIAL_TLP['TLP:RED']);
    const redServed = async (args: string[]) => {
      const served = await kit.person.serve(['--pull-every', '0', ...args]);
      try {
        const client = new TaxiiClient(served.url, served.token);
        const [collection] = await client.collections();
        const objects = await client.allObjects(collection.id, 50, 'match[version]=all');
        const manifest = await http(served.url, 'GET', '/misp/manifest.json', { key: served.token });
        return { stix: objects.filter(isRed).length, misp: JSON.stringify(manifest.body).includes('tlp:red') };
      } finally {
        await served.stop();
      }
    };
    expect(await redServed([])).toEqual({ stix: 0, misp: false });

    const opted = await pull(kit.person, '--include-red');
    expect(opted.byLabel['TLP:RED']).toBe(1);
    const bundle = await kit.person.json<Bundle>('stix', `${items.red}.json`);
    expect(bundle.objects.find((object) => object.type === 'report')).toMatchObject({
      name: 'Red source in the investigation',
      object_marking_refs: [OFFICIAL_TLP['TLP:RED']],
    });
    // Written once opted in, still not served unless serve opts in too.
    expect(await redServed([])).toEqual({ stix: 0, misp: false });
    expect(await redServed(['--include-red'])).toMatchObject({ misp: true });
    expect((await redServed(['--include-red'])).stix).toBeGreaterThan(0);
  });
});
