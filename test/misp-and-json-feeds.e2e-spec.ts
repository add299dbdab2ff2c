import { createHash } from 'node:crypto';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSealed } from '@tlp-broker/crypto';
import { startBroker, TestBroker } from './support/broker';
import { http } from './support/http';
import { ItemSpec, publishItem, waitForDeliveries } from './support/items';
import { registerPartner, teamPublicKey, TestPartner } from './support/partners';

/**
 * The MISP feed as a MISP instance fetches it (manifest.json, then each <uuid>.json, hashes.csv for
 * correlation), and the JSON feed's `since` filter and ETag.
 */
describe('MISP feed and JSON feed', () => {
  let broker: TestBroker;
  let peer: TestPartner;
  let other: TestPartner;
  let teamKey: openpgp.PublicKey;
  const items: Record<string, string> = {};

  const publish = async (key: string, spec: ItemSpec, recipients: number) => {
    items[key] = (await publishItem(broker.url, broker.analystKey, { body: 'Details.', ...spec })).id;
    await waitForDeliveries(broker.url, broker.analystKey, items[key], recipients);
  };

  beforeAll(async () => {
    broker = await startBroker();
    [peer, other] = await Promise.all([
      registerPartner(broker.url, broker.adminKey, {
        name: 'MISP Peer CERT',
        relation: 'peer',
        communities: ['eu-csirt'],
      }),
      registerPartner(broker.url, broker.adminKey, { name: 'Other CERT', relation: 'peer', communities: ['eu-csirt'] }),
    ]);
    teamKey = await teamPublicKey(broker.url);
    await publish(
      'clear',
      {
        title: 'Malicious documents posing as court orders',
        tlp: 'TLP:CLEAR',
        pap: 'PAP:CLEAR',
        severity: 'high',
        indicators: [
          {
            type: 'sha256',
            value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
            description: 'the lure',
          },
          { type: 'domain', value: 'tribunal-convocation.example' },
        ],
      },
      2,
    );
    await publish(
      'green',
      { title: 'Botnet C2 for the community', tlp: 'TLP:GREEN', audience: { communities: ['eu-csirt'] } },
      2,
    );
    await publish(
      'amber',
      { title: 'Amber for the peer only', tlp: 'TLP:AMBER', audience: { organisations: [peer.id] } },
      1,
    );
  }, 60_000);

  afterAll(async () => {
    await broker?.close();
  });

  const misp = (partner: TestPartner, file: string) =>
    http(broker.url, 'GET', `/misp/${file}`, { key: partner.feedKey });

  it('lists one event per delivered item in manifest.json, with TLP tags in MISP spelling', async () => {
    const manifest = await misp(peer, 'manifest.json');
    expect(manifest.status).toBe(200);
    const entries = Object.values(manifest.body) as {
      info: string;
      Tag: { name: string }[];
      threat_level_id: string;
    }[];
    expect(entries).toHaveLength(3);
    expect(entries.map((entry) => entry.Tag[0].name).sort()).toEqual(['tlp:amber', 'tlp:clear', 'tlp:green']);
    const clear = entries.find((entry) => entry.Tag[0].name === 'tlp:clear')!;
    expect(clear).toMatchObject({ info: 'Malicious documents posing as court orders', threat_level_id: '1' });
    expect(clear.Tag.map((tag) => tag.name)).toContain('PAP:CLEAR');
    // Above TLP:CLEAR the manifest names items by reference only.
    expect(JSON.stringify(manifest.body)).not.toContain('Botnet C2');
    expect(JSON.stringify(manifest.body)).not.toContain('Amber for the peer only');
    const others = await misp(other, 'manifest.json');
    expect(Object.keys(others.body)).toHaveLength(2);
  });

  it('serves events whose distribution keeps MISP from sharing wider than the label', async () => {
    const manifest = (await misp(peer, 'manifest.json')).body as Record<string, { Tag: { name: string }[] }>;
    const uuidOf = (tag: string) => Object.entries(manifest).find(([, entry]) => entry.Tag[0].name === tag)![0];

    const clear = (await misp(peer, `${uuidOf('tlp:clear')}.json`)).body.Event;
    expect(clear).toMatchObject({
      distribution: '3',
      published: true,
      info: 'Malicious documents posing as court orders',
    });
    expect(
      clear.Attribute.map((a: { type: string; value: string; to_ids: boolean; distribution: string }) => [
        a.type,
        a.value,
        a.to_ids,
        a.distribution,
      ]),
    ).toEqual([
      ['sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', true, '5'],
      ['domain', 'tribunal-convocation.example', true, '5'],
    ]);

    const green = (await misp(peer, `${uuidOf('tlp:green')}.json`)).body.Event;
    expect(green.distribution).toBe('1');
    const amber = (await misp(peer, `${uuidOf('tlp:amber')}.json`)).body.Event;
    expect(amber.distribution).toBe('0');
    expect(amber.info).toMatch(/^\[TLP:AMBER\] advisory [0-9a-f]{8} v1$/);
    const [attachment] = amber.Attribute;
    expect(attachment).toMatchObject({ type: 'attachment', to_ids: false });
    const opened = JSON.parse(
      (await openSealed(Buffer.from(attachment.data, 'base64').toString(), peer.privateKey, [teamKey])).text,
    );
    expect(opened).toMatchObject({ id: items.amber, title: 'Amber for the peer only' });

    // Another partner can neither list nor fetch it.
    const foreign = await misp(other, `${uuidOf('tlp:amber')}.json`);
    expect(foreign.status).toBe(404);
    expect(JSON.stringify(foreign.body)).not.toContain(items.amber);
  });

  it('lists the MD5 of each attribute value in hashes.csv', async () => {
    const hashes = await misp(peer, 'hashes.csv');
    expect(hashes.headers.get('content-type')).toContain('text/csv');
    const lines = (hashes.body as string).trim().split('\n');
    expect(lines).toHaveLength(4);
    const md5 = createHash('md5').update('tribunal-convocation.example').digest('hex');
    expect(lines.some((line) => line.startsWith(`${md5},`))).toBe(true);
    expect((await misp(peer, 'not-an-event.json')).status).toBe(400);
  });

  it('filters the JSON feed by delivery time and answers 304 while nothing changed', async () => {
    const all = await http(broker.url, 'GET', '/feed', { key: peer.feedKey });
    expect(all.body.entries.map((entry: { itemId: string }) => entry.itemId)).toEqual([
      items.amber,
      items.green,
      items.clear,
    ]);
    expect(all.body.entries[0]).toMatchObject({
      entry: 'item',
      version: 1,
      type: 'advisory',
      tlp: 'TLP:AMBER',
      publishedAt: expect.any(String),
      deliveredAt: expect.any(String),
    });
    const since = all.body.entries[1].deliveredAt;
    const newer = await http(broker.url, 'GET', `/feed?since=${encodeURIComponent(since)}`, { key: peer.feedKey });
    expect(newer.body.entries.map((entry: { itemId: string }) => entry.itemId)).toEqual([items.amber]);

    const etag = all.headers.get('etag')!;
    expect(etag).toMatch(/^"/);
    const unchanged = await http(broker.url, 'GET', '/feed', { key: peer.feedKey, headers: { 'if-none-match': etag } });
    expect(unchanged.status).toBe(304);
    await publish('later', { title: 'Later CLEAR note', tlp: 'TLP:CLEAR' }, 2);
    const changed = await http(broker.url, 'GET', '/feed', { key: peer.feedKey, headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.body.entries).toHaveLength(4);
    const badSince = await http(broker.url, 'GET', '/feed?since=yesterday', { key: peer.feedKey });
    expect(badSince.status).toBe(400);
    expect(badSince.body.details[0].field).toBe('since');
  });
});
