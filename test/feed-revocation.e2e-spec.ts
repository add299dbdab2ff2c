import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { eventually, http } from './support/http';
import { ItemSpec, publishItem } from './support/items';
import { registerPartner, TestPartner } from './support/partners';
import { stixErrors } from './support/stix-schemas';

const TAXII = 'application/taxii+json;version=2.1';

type Stix = {
  type: string;
  id: string;
  modified?: string;
  revoked?: boolean;
  name?: string;
  [property: string]: unknown;
};

/** Object types whose versions a reader acts on; an artifact (a cyber-observable) cannot be revoked. */
const VERSIONED = new Set(['report', 'note', 'indicator']);

/**
 * A TAXII client as OpenCTI runs one: it polls the collection for every version added after the
 * last X-TAXII-Date-Added-Last it saw, and keeps the latest version (by `modified`) of each object.
 */
class TaxiiReader {
  readonly latest = new Map<string, Stix>();
  /** The last version received of each object, in date_added order. */
  readonly lastReceived = new Map<string, Stix>();
  private addedAfter: string | undefined;

  constructor(
    private readonly broker: TestBroker,
    private readonly partner: TestPartner,
  ) {}

  async poll(): Promise<void> {
    for (let page = 0; page < 200; page++) {
      const query = `match[version]=all&limit=5${this.addedAfter ? `&added_after=${this.addedAfter}` : ''}`;
      const response = await http(
        this.broker.url,
        'GET',
        `/taxii2/api/collections/${this.partner.channelId}/objects/?${query}`,
        {
          key: this.partner.feedKey,
          headers: { accept: TAXII },
        },
      );
      expect(response.status).toBe(200);
      const objects = (response.body.objects ?? []) as Stix[];
      for (const object of objects) {
        expect(stixErrors(object)).toEqual([]);
        const held = this.latest.get(object.id);
        if (!held || String(object.modified ?? '') >= String(held.modified ?? '')) this.latest.set(object.id, object);
        this.lastReceived.set(object.id, object);
      }
      if (objects.length === 0) return;
      this.addedAfter = response.headers.get('x-taxii-date-added-last')!;
    }
    throw new Error('the collection never ended');
  }

  /** Reports, notes and indicators whose latest version is not revoked. */
  active(): Stix[] {
    return [...this.latest.values()].filter((object) => VERSIONED.has(object.type) && object.revoked !== true);
  }
}

interface MispAttribute {
  uuid: string;
  type: string;
  value: string;
  to_ids: boolean;
  timestamp: string;
  deleted?: boolean;
}

/**
 * MISP's feed reader (Feed::getNewEventUuids, Event::_add / _edit, MispAttribute::editAttribute):
 * an event is fetched when the manifest's timestamp is greater than its copy's; on edit, an
 * attribute is changed only when its timestamp is greater, fields it leaves out are kept, and
 * attributes the event no longer lists stay as they were.
 */
class MispReader {
  readonly events = new Map<
    string,
    { timestamp: number; tags: Set<string>; attributes: Map<string, MispAttribute & { deleted: boolean }> }
  >();

  constructor(
    private readonly broker: TestBroker,
    private readonly partner: TestPartner,
  ) {}

  async poll(): Promise<void> {
    const manifest = await http(this.broker.url, 'GET', '/misp/manifest.json', { key: this.partner.feedKey });
    expect(manifest.status).toBe(200);
    for (const [uuid, entry] of Object.entries(manifest.body as Record<string, { timestamp: string }>)) {
      const local = this.events.get(uuid);
      if (local && Number(entry.timestamp) <= local.timestamp) continue;
      const response = await http(this.broker.url, 'GET', `/misp/${uuid}.json`, { key: this.partner.feedKey });
      expect(response.status).toBe(200);
      const event = response.body.Event as { timestamp: string; Tag: { name: string }[]; Attribute: MispAttribute[] };
      if (!local) {
        const attributes = new Map(
          event.Attribute.map((attribute) => [attribute.uuid, { ...attribute, deleted: attribute.deleted ?? false }]),
        );
        this.events.set(uuid, {
          timestamp: Number(event.timestamp),
          tags: new Set(event.Tag.map((tag) => tag.name)),
          attributes,
        });
        continue;
      }
      if (Number(event.timestamp) <= local.timestamp) continue;
      local.timestamp = Number(event.timestamp);
      for (const tag of event.Tag) local.tags.add(tag.name);
      for (const attribute of event.Attribute) {
        const held = local.attributes.get(attribute.uuid);
        if (!held) local.attributes.set(attribute.uuid, { ...attribute, deleted: attribute.deleted ?? false });
        else if (Number(attribute.timestamp) > Number(held.timestamp))
          local.attributes.set(attribute.uuid, { ...held, ...attribute, deleted: attribute.deleted ?? held.deleted });
      }
    }
  }

  /** Attributes still live, the recall notices themselves aside. */
  live(eventUuid: string): MispAttribute[] {
    return [...this.events.get(eventUuid)!.attributes.values()].filter(
      (attribute) => !attribute.deleted && !attribute.value.endsWith('-recall.asc'),
    );
  }
}

/**
 * Retraction and withdrawal reach what partners' tools already ingested: every report and
 * indicator a partner received over TAXII gets a revoked version, and the MISP event comes again
 * with every attribute the partner received marked deleted, for TLP:CLEAR items (served in the
 * clear, with indicators) and items above TLP:CLEAR (a reference report and an encrypted artifact).
 */
describe('revocation in the TAXII collection and the MISP feed', () => {
  let broker: TestBroker;
  let kept: TestPartner;
  let dropped: TestPartner;
  const items: Record<'clearRetracted' | 'greenRetracted' | 'clearNarrowed' | 'amberNarrowed', string> = {
    clearRetracted: '',
    greenRetracted: '',
    clearNarrowed: '',
    amberNarrowed: '',
  };
  const readers: { taxii: TaxiiReader; misp: MispReader; partner: TestPartner }[] = [];

  const deliveries = async (itemId: string) =>
    (await http(broker.url, 'GET', `/deliveries?item=${itemId}`, { key: broker.analystKey })).body as {
      kind: string;
      version: number;
      state: string;
      channelId: string;
    }[];

  /** Waits until the item's deliveries of `kind` for `version` (every version when omitted) number `count`, all handed over. */
  const settle = (itemId: string, kind: 'item' | 'recall', count: number, version?: number) =>
    eventually(async () => {
      const rows = (await deliveries(itemId)).filter(
        (row) => row.kind === kind && (version === undefined || row.version === version),
      );
      return rows.length === count && rows.every((row) => row.state === 'delivered' || row.state === 'recalled');
    });

  const body = (title: string, fields: { tlp: string } & Record<string, unknown>): ItemSpec => ({
    type: 'advisory',
    title,
    summary: `About ${title}`,
    body: 'Details.',
    ...fields,
  });

  const publish = async (title: string, fields: { tlp: string } & Record<string, unknown>, recipients: number) => {
    const { id } = await publishItem(broker.url, broker.analystKey, body(title, fields));
    await settle(id, 'item', recipients, 1);
    return id;
  };

  const update = async (
    itemId: string,
    version: number,
    title: string,
    fields: { tlp: string } & Record<string, unknown>,
    recipients: number,
  ) => {
    const response = await http(broker.url, 'PUT', `/items/${itemId}`, {
      key: broker.analystKey,
      json: body(title, fields),
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    await settle(itemId, 'item', recipients, version);
  };

  const pollAll = async () => {
    for (const reader of readers) await Promise.all([reader.taxii.poll(), reader.misp.poll()]);
  };

  beforeAll(async () => {
    broker = await startBroker();
    [kept, dropped] = await Promise.all([
      registerPartner(broker.url, broker.adminKey, {
        name: 'Kept Partner CERT',
        relation: 'peer',
        communities: ['eu-csirt'],
      }),
      registerPartner(broker.url, broker.adminKey, {
        name: 'Dropped Partner CSIRT',
        relation: 'peer',
        communities: ['eu-csirt'],
      }),
    ]);
    for (const partner of [kept, dropped])
      readers.push({ partner, taxii: new TaxiiReader(broker, partner), misp: new MispReader(broker, partner) });

    items.clearRetracted = await publish(
      'Phishing kit hosting',
      {
        tlp: 'TLP:CLEAR',
        pap: 'PAP:GREEN',
        indicators: [
          { type: 'domain', value: 'kit-host.example' },
          { type: 'ipv4', value: '198.51.100.21', description: 'panel' },
        ],
      },
      2,
    );
    items.greenRetracted = await publish(
      'Botnet controllers',
      {
        tlp: 'TLP:GREEN',
        audience: { communities: ['eu-csirt'] },
        indicators: [{ type: 'ipv4', value: '198.51.100.99' }],
      },
      2,
    );
    items.clearNarrowed = await publish(
      'Fake bank SMS senders',
      {
        tlp: 'TLP:CLEAR',
        indicators: [
          { type: 'url', value: 'https://sms-bank.example/login' },
          { type: 'sha256', value: 'a'.repeat(64) },
        ],
      },
      2,
    );
    items.amberNarrowed = await publish(
      'Mule accounts',
      { tlp: 'TLP:AMBER', audience: { organisations: [kept.id, dropped.id] } },
      2,
    );
    await pollAll();

    // A new version that drops an indicator and adds one: the dropped one is revoked at once.
    await update(
      items.clearRetracted,
      2,
      'Phishing kit hosting (update)',
      {
        tlp: 'TLP:CLEAR',
        pap: 'PAP:GREEN',
        indicators: [
          { type: 'ipv4', value: '198.51.100.21', description: 'panel' },
          { type: 'url', value: 'https://kit-host.example/admin' },
        ],
      },
      2,
    );
    await update(
      items.greenRetracted,
      2,
      'Botnet controllers (update)',
      { tlp: 'TLP:GREEN', audience: { communities: ['eu-csirt'] } },
      2,
    );
    await pollAll();

    // Retraction of both the TLP:CLEAR and the TLP:GREEN item; narrowing updates that withdraw the
    // other two from `dropped` only.
    for (const itemId of [items.clearRetracted, items.greenRetracted]) {
      expect(
        (
          await http(broker.url, 'POST', `/items/${itemId}/retract`, {
            key: broker.analystKey,
            json: { reason: 'wrong attribution' },
          })
        ).status,
      ).toBe(200);
    }
    await update(
      items.clearNarrowed,
      2,
      'Fake bank SMS senders (restricted)',
      { tlp: 'TLP:AMBER', audience: { organisations: [kept.id] } },
      1,
    );
    await update(
      items.amberNarrowed,
      2,
      'Mule accounts (restricted)',
      { tlp: 'TLP:AMBER', audience: { organisations: [kept.id] } },
      1,
    );
    await Promise.all([
      settle(items.clearRetracted, 'recall', 2),
      settle(items.greenRetracted, 'recall', 2),
      settle(items.clearNarrowed, 'recall', 1),
      settle(items.amberNarrowed, 'recall', 1),
    ]);
    await pollAll();
  }, 120_000);

  afterAll(async () => {
    await broker?.close();
  });

  const reportOf = (reader: TaxiiReader, itemId: string) =>
    [...reader.latest.values()].filter(
      (object) => VERSIONED.has(object.type) && JSON.stringify(object.external_references ?? []).includes(itemId),
    );

  it('leaves nothing active in the TAXII collection of a partner the items were retracted or withdrawn from', async () => {
    const { taxii } = readers.find((reader) => reader.partner === dropped)!;
    // The partner ingested the indicators of both TLP:CLEAR items (three, then two) before they were withdrawn.
    expect(
      [...taxii.latest.values()]
        .filter((object) => object.type === 'indicator')
        .map((object) => object.name)
        .sort(),
    ).toEqual(
      [
        '198.51.100.21',
        'a'.repeat(64),
        'https://kit-host.example/admin',
        'https://sms-bank.example/login',
        'kit-host.example',
      ].sort(),
    );
    expect([...taxii.latest.values()].filter((object) => object.type === 'report')).toHaveLength(4);
    expect(taxii.active()).toEqual([]);
    // Whatever order versions arrive in, the last one received is the latest.
    for (const [id, object] of taxii.latest) expect(taxii.lastReceived.get(id)!.modified).toBe(object.modified);

    // A client that first reads the collection now, replaying every version, ends the same.
    const fresh = new TaxiiReader(broker, dropped);
    await fresh.poll();
    expect(fresh.active()).toEqual([]);
    expect([...fresh.latest.values()].some((object) => object.type === 'indicator' && object.revoked === true)).toBe(
      true,
    );
  });

  it('revokes, for a partner that keeps other items, only what was retracted or is no longer served in the clear', async () => {
    const { taxii } = readers.find((reader) => reader.partner === kept)!;
    for (const reader of [taxii, await freshTaxii(kept)]) {
      for (const itemId of [items.clearRetracted, items.greenRetracted]) {
        const reports = reportOf(reader, itemId);
        expect(reports.length).toBeGreaterThan(0);
        expect(reports.every((object) => object.revoked === true)).toBe(true);
      }
      // The narrowed items still reach this partner (now above TLP:CLEAR, as encrypted copies):
      // their reports stay; the indicators it once had in the clear are revoked, since the item no
      // longer stands by them in the clear.
      const active = reader.active();
      expect(active.map((object) => object.type)).toEqual(['report', 'report']);
      expect(active.map((object) => object.name).sort()).toEqual([
        expect.stringMatching(/^\[TLP:AMBER\] advisory [0-9a-f]{8} v2$/),
        expect.stringMatching(/^\[TLP:AMBER\] advisory [0-9a-f]{8} v2$/),
      ]);
      for (const itemId of [items.clearNarrowed, items.amberNarrowed])
        expect(active.some((object) => JSON.stringify(object.external_references).includes(`${itemId}/v2`))).toBe(true);
    }
  });

  it('revokes an indicator that a new version drops', async () => {
    const { taxii } = readers.find((reader) => reader.partner === kept)!;
    const dropped = [...taxii.latest.values()].find(
      (object) => object.type === 'indicator' && object.name === 'kit-host.example',
    )!;
    expect(dropped.revoked).toBe(true);
  });

  async function freshTaxii(partner: TestPartner): Promise<TaxiiReader> {
    const reader = new TaxiiReader(broker, partner);
    await reader.poll();
    return reader;
  }

  it('publishes each withdrawn MISP event again with every attribute the partner received marked deleted', async () => {
    const { misp } = readers.find((reader) => reader.partner === dropped)!;
    const fresh = new MispReader(broker, dropped);
    await fresh.poll();
    for (const reader of [misp, fresh]) {
      expect(reader.events.size).toBe(4);
      for (const [uuid, event] of reader.events) {
        expect(event.tags.has('tlp-broker:recalled')).toBe(true);
        expect(reader.live(uuid)).toEqual([]);
      }
    }
    // The partner's MISP ingested the indicators and the encrypted copies before they were withdrawn.
    const attributes = [...misp.events.values()].flatMap((event) => [...event.attributes.values()]);
    expect(
      attributes.filter((attribute) => attribute.type !== 'attachment').map((attribute) => attribute.value),
    ).toEqual(
      expect.arrayContaining([
        'kit-host.example',
        '198.51.100.21',
        'https://kit-host.example/admin',
        'https://sms-bank.example/login',
      ]),
    );
    expect(
      attributes.every(
        (attribute) =>
          attribute.deleted ||
          (attribute.type === 'attachment' && !attribute.to_ids && attribute.value.endsWith('-recall.asc')),
      ),
    ).toBe(true);
    const hashes = await http(broker.url, 'GET', '/misp/hashes.csv', { key: dropped.feedKey });
    expect((hashes.body as string).trim().split('\n').filter(Boolean)).toHaveLength(4); // the four recall notices
  });

  it('keeps the MISP events a partner still receives, with what a new version dropped marked deleted', async () => {
    const { misp } = readers.find((reader) => reader.partner === kept)!;
    const byInfo = (pattern: RegExp) =>
      [...misp.events.entries()].filter(([, event]) =>
        [...event.attributes.values()].some((attribute) => pattern.test(attribute.value)),
      );
    for (const [uuid, event] of [...misp.events.entries()]) {
      const retracted = event.tags.has('tlp-broker:recalled');
      if (retracted) expect(misp.live(uuid)).toEqual([]);
    }
    expect([...misp.events.values()].filter((event) => event.tags.has('tlp-broker:recalled'))).toHaveLength(2);
    // The narrowed TLP:CLEAR item is now an encrypted copy: its indicators are deleted, the copy is live.
    const [[narrowedUuid]] = byInfo(/^https:\/\/sms-bank\.example\/login$/);
    expect(misp.live(narrowedUuid).map((attribute) => attribute.type)).toEqual(['attachment']);
  });

  it('serves the official TLP 2.0 and PAP marking definitions over TAXII and in the public STIX bundle', async () => {
    const fixtures = join(__dirname, 'fixtures', 'cti-stix-common-objects');
    const official = (path: string) => {
      const parsed = JSON.parse(readFileSync(join(fixtures, path), 'utf8'));
      return parsed.objects ? parsed.objects[0] : parsed;
    };
    const expected = [
      'extension-definition-specifications/tlp-2.0/examples/tlp-clear.json',
      'objects/marking-definition/marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb.json',
      'extension-definition-specifications/tlp-2.0/examples/tlp-amber.json',
      'objects/marking-definition/marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003.json',
      'objects/marking-definition/marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1.json',
      'extension-definition-specifications/pap-marking-definition-f8d/examples/pap-clear.json',
      'extension-definition-specifications/pap-marking-definition-f8d/examples/pap-green.json',
    ].map(official);
    const served = [...(await freshTaxii(kept)).latest.values()].filter(
      (object) => object.type === 'marking-definition',
    );
    for (const marking of expected) expect(served.find((object) => object.id === marking.id)).toStrictEqual(marking);

    await publish(
      'Public notice',
      { tlp: 'TLP:CLEAR', pap: 'PAP:CLEAR', indicators: [{ type: 'domain', value: 'public-notice.example' }] },
      2,
    );
    const bundle = await http(broker.url, 'GET', '/public/stix.json');
    const objects = JSON.parse(typeof bundle.body === 'string' ? bundle.body : JSON.stringify(bundle.body))
      .objects as Stix[];
    for (const marking of expected.filter((candidate) => ['TLP:CLEAR', 'PAP:CLEAR'].includes(candidate.name))) {
      expect(objects.find((object) => object.id === marking.id)).toStrictEqual(marking);
    }
  });
});
