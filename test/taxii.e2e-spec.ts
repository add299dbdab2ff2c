import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSealed } from '@tlp-broker/crypto';
import { startBroker, TestBroker } from './support/broker';
import { eventually, http } from './support/http';
import { ItemSpec, publishItem, waitForDeliveries } from './support/items';
import { registerPartner, teamPublicKey, TestPartner } from './support/partners';
import { stixErrors } from './support/stix-schemas';

const TAXII = 'application/taxii+json;version=2.1';

type Stix = { type: string; id: string; modified?: string; revoked?: boolean; [property: string]: unknown };

/**
 * TAXII 2.1 as a TAXII client (OpenCTI, a medallion client, taxii2-client) uses it: discovery, the
 * API root, the partner's collection, objects with filters and paging, the manifest, one object
 * and its versions, and TAXII errors. Every object served is checked against the official STIX 2.1
 * schemas.
 */
describe('TAXII 2.1', () => {
  let broker: TestBroker;
  let clear: TestPartner;
  let amber: TestPartner;
  let teamKey: openpgp.PublicKey;
  let clearItem: string;
  let amberItem: string;
  let retractedItem: string;

  const taxii = (partner: TestPartner, path: string, headers: Record<string, string> = { accept: TAXII }) =>
    http(broker.url, 'GET', `/taxii2/${path}`, { key: partner.feedKey, headers });

  const publish = async (spec: ItemSpec) =>
    (await publishItem(broker.url, broker.analystKey, { body: 'Details.', ...spec })).id;

  const settle = (itemId: string, count: number) => waitForDeliveries(broker.url, broker.analystKey, itemId, count);

  beforeAll(async () => {
    broker = await startBroker();
    [clear, amber] = await Promise.all([
      registerPartner(broker.url, broker.adminKey, {
        name: 'Clear Reader CERT',
        relation: 'peer',
        communities: ['eu-csirt'],
      }),
      registerPartner(broker.url, broker.adminKey, {
        name: 'Amber Reader CSIRT',
        relation: 'peer',
        communities: ['eu-csirt'],
      }),
    ]);
    teamKey = await teamPublicKey(broker.url);
    clearItem = await publish({
      title: 'Fake police summons: the sending infrastructure',
      tlp: 'TLP:CLEAR',
      pap: 'PAP:GREEN',
      indicators: [
        { type: 'domain', value: 'convocation-police.example', description: 'sender domain' },
        { type: 'ipv4', value: '203.0.113.7' },
      ],
    });
    await settle(clearItem, 2);
    const updated = await http(broker.url, 'PUT', `/items/${clearItem}`, {
      key: broker.analystKey,
      json: {
        type: 'advisory',
        title: 'Fake police summons: the sending infrastructure (updated)',
        body: 'Details, updated.',
        tlp: 'TLP:CLEAR',
        pap: 'PAP:GREEN',
        indicators: [
          { type: 'domain', value: 'convocation-police.example', description: 'sender domain' },
          { type: 'ipv4', value: '203.0.113.7' },
          { type: 'url', value: 'https://convocation-police.example/pay' },
        ],
      },
    });
    expect(updated.status).toBe(200);
    await settle(clearItem, 4);
    amberItem = await publish({
      title: 'Ransomware negotiator accounts',
      tlp: 'TLP:AMBER',
      audience: { organisations: [amber.id] },
      indicators: [{ type: 'email', value: 'negotiator@ransom.example' }],
    });
    retractedItem = await publish({
      title: 'Withdrawn advisory',
      tlp: 'TLP:GREEN',
      audience: { communities: ['eu-csirt'] },
    });
    await settle(amberItem, 1);
    await settle(retractedItem, 2);
    expect(
      (
        await http(broker.url, 'POST', `/items/${retractedItem}/retract`, {
          key: broker.analystKey,
          json: { reason: 'wrong' },
        })
      ).status,
    ).toBe(200);
    await eventually(async () => {
      const rows = (
        await http(broker.url, 'GET', `/deliveries?item=${retractedItem}&kind=recall`, { key: broker.analystKey })
      ).body as { state: string }[];
      return rows.length === 2 && rows.every((row) => row.state === 'delivered');
    });
  }, 60_000);

  afterAll(async () => {
    await broker?.close();
  });

  const allObjects = async (partner: TestPartner, query = '') => {
    const objects: Stix[] = [];
    let next: string | undefined;
    for (let page = 0; page < 50; page++) {
      const response = await taxii(
        partner,
        `api/collections/${partner.channelId}/objects/?limit=3${query}${next ? `&next=${next}` : ''}`,
      );
      expect(response.status).toBe(200);
      objects.push(...((response.body.objects ?? []) as Stix[]));
      if (!response.body.more) return objects;
      next = response.body.next;
    }
    throw new Error('more than 50 pages');
  };

  it('answers discovery, the API root and the collection list, in the TAXII media type', async () => {
    const discovery = await taxii(clear, '');
    expect(discovery.status).toBe(200);
    expect(discovery.headers.get('content-type')).toBe(TAXII);
    expect(discovery.body.api_roots).toEqual([`${broker.config.http.publicUrl}/taxii2/api/`]);
    const root = await taxii(clear, 'api/');
    expect(root.body.versions).toEqual([TAXII]);
    const collections = await taxii(clear, 'api/collections/');
    expect(collections.body.collections).toEqual([
      expect.objectContaining({
        id: clear.channelId,
        title: 'Deliveries to Clear Reader CERT',
        can_read: true,
        can_write: false,
        media_types: ['application/stix+json;version=2.1'],
      }),
      // The credential holds `submit` too: its organisation's inbox (test/taxii-inbox.e2e-spec.ts).
      expect.objectContaining({ title: 'Inbox for Clear Reader CERT', can_read: false, can_write: true }),
    ]);
  });

  it('serves TLP:CLEAR items as STIX reports with their indicators, and every object validates', async () => {
    const objects = await allObjects(clear);
    for (const object of objects) expect(stixErrors(object)).toEqual([]);
    const report = objects.find(
      (object) =>
        object.type === 'report' && object.name === 'Fake police summons: the sending infrastructure (updated)',
    )!;
    expect(report).toMatchObject({
      object_marking_refs: [
        'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
        'marking-definition--c43594d1-4b11-4c59-93ab-1c9b14d53ce9',
      ],
    });
    const identity = objects.find((object) => object.type === 'identity')!;
    expect(report.created_by_ref).toBe(identity.id);
    const patterns = objects.filter((object) => object.type === 'indicator').map((object) => object.pattern);
    expect(patterns).toEqual(
      expect.arrayContaining([
        "[domain-name:value = 'convocation-police.example']",
        "[url:value = 'https://convocation-police.example/pay']",
      ]),
    );
    expect(objects.filter((object) => object.type === 'marking-definition').map((object) => object.name)).toEqual(
      expect.arrayContaining(['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED']),
    );
  });

  it('serves an item above TLP:CLEAR only as an artifact encrypted to the partner, named by reference', async () => {
    const objects = await allObjects(amber);
    for (const object of objects) expect(stixErrors(object)).toEqual([]);
    const report = objects.find(
      (object) =>
        object.type === 'report' &&
        (object.external_references as { external_id: string }[])[0].external_id === `${amberItem}/v1`,
    )!;
    expect(report.name).toMatch(/^\[TLP:AMBER\] advisory [0-9a-f]{8} v1$/);
    expect(JSON.stringify(objects)).not.toContain('Ransomware negotiator accounts');
    expect(JSON.stringify(objects)).not.toContain('negotiator@ransom.example');
    const artifact = objects.find((object) => object.id === (report.object_refs as string[])[0])!;
    expect(artifact).toMatchObject({
      type: 'artifact',
      mime_type: 'application/pgp-encrypted',
      encryption_algorithm: 'mime-type-indicated',
    });
    const document = JSON.parse(
      (await openSealed(Buffer.from(artifact.payload_bin as string, 'base64').toString(), amber.privateKey, [teamKey]))
        .text,
    );
    expect(document).toMatchObject({
      id: amberItem,
      title: 'Ransomware negotiator accounts',
      indicators: [{ type: 'email', value: 'negotiator@ransom.example' }],
    });
    // The partner that was not sent the item has no trace of it.
    expect(JSON.stringify(await allObjects(clear))).not.toContain(amberItem);
  });

  it('shows a retracted item as a revoked report, with the recall notice as its artifact', async () => {
    const objects = await allObjects(clear, '&match[version]=all');
    const versions = objects.filter((object) =>
      (object.external_references as { external_id: string }[] | undefined)?.[0]?.external_id.startsWith(retractedItem),
    );
    expect(versions.filter((object) => object.type === 'report').map((object) => object.revoked ?? false)).toEqual([
      true,
    ]);
    const recall = versions.find((object) => object.type === 'report')!;
    const artifact = objects.find((object) => object.id === (recall.object_refs as string[])[0])!;
    expect(
      JSON.parse(
        (
          await openSealed(Buffer.from(artifact.payload_bin as string, 'base64').toString(), clear.privateKey, [
            teamKey,
          ])
        ).text,
      ),
    ).toMatchObject({ recall: 'retracted' });
  });

  it('pages with limit and next, and filters by added_after, type, id and version', async () => {
    const everything = await allObjects(clear, '&match[version]=all');
    const first = await taxii(clear, `api/collections/${clear.channelId}/objects/?limit=4&match[version]=all`);
    expect(first.body).toMatchObject({ more: true, next: expect.any(String) });
    expect(first.body.objects).toHaveLength(4);
    expect(first.headers.get('x-taxii-date-added-first')).toMatch(/^\d{4}-/);
    const last = first.headers.get('x-taxii-date-added-last')!;
    const after = await taxii(
      clear,
      `api/collections/${clear.channelId}/objects/?added_after=${last}&match[version]=all&limit=1000`,
    );
    expect(after.body.objects.length).toBeLessThan(everything.length);
    expect(after.body.objects.length).toBeGreaterThan(0);

    const indicators = await allObjects(clear, '&match[type]=indicator');
    expect(new Set(indicators.map((object) => object.type))).toEqual(new Set(['indicator']));
    const reportId = everything.find(
      (object) => object.name === 'Fake police summons: the sending infrastructure (updated)',
    )!.id;
    const allVersions = await allObjects(clear, `&match[id]=${reportId}&match[version]=all`);
    expect(allVersions.map((object) => object.name)).toEqual([
      'Fake police summons: the sending infrastructure',
      'Fake police summons: the sending infrastructure (updated)',
    ]);
    const firstVersion = await allObjects(clear, `&match[id]=${reportId}&match[version]=first`);
    expect(firstVersion.map((object) => object.name)).toEqual(['Fake police summons: the sending infrastructure']);
    const lastVersion = await allObjects(clear, `&match[id]=${reportId}`);
    expect(lastVersion.map((object) => object.name)).toEqual([
      'Fake police summons: the sending infrastructure (updated)',
    ]);
    // added_after applies first, then the version filter (as the reference server does).
    const manifest = await taxii(
      clear,
      `api/collections/${clear.channelId}/manifest/?match[id]=${reportId}&match[version]=all`,
    );
    const firstAdded = manifest.body.objects[0].date_added as string;
    const firstAfter = await allObjects(clear, `&match[id]=${reportId}&match[version]=first&added_after=${firstAdded}`);
    expect(firstAfter.map((object) => object.name)).toEqual([
      'Fake police summons: the sending infrastructure (updated)',
    ]);
  });

  it('lists the manifest, one object and its versions', async () => {
    const objects = await allObjects(clear, '&match[version]=all');
    const manifest = await taxii(clear, `api/collections/${clear.channelId}/manifest/?match[version]=all&limit=1000`);
    expect(manifest.body.objects).toHaveLength(objects.length);
    expect(manifest.body.objects[0]).toEqual({
      id: expect.any(String),
      date_added: expect.any(String),
      version: expect.any(String),
      media_type: 'application/stix+json;version=2.1',
    });
    const report = objects.find(
      (object) => object.name === 'Fake police summons: the sending infrastructure (updated)',
    )!;
    const one = await taxii(clear, `api/collections/${clear.channelId}/objects/${report.id}/`);
    expect(one.body.objects.map((object: Stix) => object.modified)).toEqual([report.modified]);
    const versions = await taxii(clear, `api/collections/${clear.channelId}/objects/${report.id}/versions/`);
    expect(versions.body.versions).toHaveLength(2);
    expect(versions.body.versions[1]).toBe(report.modified);
  });

  it('answers with TAXII error objects: unknown or foreign collection or object, bad parameters, unacceptable media type', async () => {
    const foreign = await taxii(clear, `api/collections/${amber.channelId}/objects/`);
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get('content-type')).toBe(TAXII);
    expect(foreign.body).toMatchObject({ title: 'Collection not found', http_status: '404' });
    const amberObjects = await allObjects(amber);
    const amberReport = amberObjects.find(
      (object) => object.type === 'report' && JSON.stringify(object.external_references).includes(amberItem),
    )!;
    const notHers = await taxii(clear, `api/collections/${clear.channelId}/objects/${amberReport.id}/`);
    expect(notHers.status).toBe(404);
    expect(notHers.body.http_status).toBe('404');
    const badLimit = await taxii(clear, `api/collections/${clear.channelId}/objects/?limit=many`);
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.description).toContain('limit');
    const badDate = await taxii(clear, `api/collections/${clear.channelId}/objects/?added_after=yesterday`);
    expect(badDate.status).toBe(400);
    const html = await taxii(clear, 'api/collections/', { accept: 'text/html' });
    expect(html.status).toBe(406);
    expect(html.body.http_status).toBe('406');
    const write = await http(broker.url, 'POST', `/taxii2/api/collections/${clear.channelId}/objects/`, {
      key: clear.feedKey,
      headers: { accept: TAXII },
      json: { objects: [] },
    });
    expect(write.status).toBe(403);
    expect(write.body).toMatchObject({ title: 'Read-only collection', http_status: '403' });
    const anonymous = await http(broker.url, 'GET', '/taxii2/', { headers: { accept: TAXII } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.http_status).toBe('401');
  });
});
