import type { ItemKind } from '@tlp-broker/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemStixId, mispEventUuid } from '@tlp-broker/stix';
import { inboxCollectionId } from '../apps/api/src/taxii/inbox-collection';
import { startBroker, TestBroker } from './support/broker';
import { eventually, http } from './support/http';
import { registerContact, registerPartner, TestContact, TestPartner } from './support/partners';

const ITEMS = 100;
const TAXII = { accept: 'application/taxii+json;version=2.1' };

interface Probe {
  id: string;
  kind: ItemKind;
  title: string;
  marker: string;
  tlp: string;
  /** Channels the rules allow (checked against an expectation written here, independently of the engine). */
  expected: Set<string>;
}

/**
 * No partner ever sees, in any pull form, an item, an id, a title, an indicator or a count it was
 * not delivered: a hundred items at mixed labels (with updates that narrow the audience and
 * retractions), pulled by every partner through the JSON feed, TAXII 2.1 (objects, manifest, one
 * object, versions) and the MISP feed (manifest, hashes, events), and by anyone through the public feed.
 */
describe('no leaks between partners, in any pull form', () => {
  let broker: TestBroker;
  const readers: { name: string; channelId: string; key: string; organisationId: string }[] = [];
  const probes: Probe[] = [];

  /** Every outbox row routed and every delivery finished. */
  const everythingSettled = () =>
    eventually(
      async () => {
        const [{ open }] = await broker.db.query(
          `SELECT count(*)::int AS open FROM deliveries WHERE state IN ('queued', 'sending', 'failed')`,
        );
        const [{ outbox }] = await broker.db.query(
          `SELECT count(*)::int AS outbox FROM outbox WHERE processed_at IS NULL`,
        );
        return open === 0 && outbox === 0;
      },
      120_000,
      200,
    );

  beforeAll(async () => {
    broker = await startBroker({ env: { PARTNER_RATE_LIMIT: '100000' } });
    const reg = (name: string, relation: 'peer' | 'constituent', communities: string[], redistributes = false) =>
      registerPartner(broker.url, broker.adminKey, { name, relation, communities, redistributes });
    const [ec3, cert, unit, isac, soc] = await Promise.all([
      reg('Leak EC3', 'peer', ['eu-lea']),
      reg('Leak CERT', 'peer', ['fr-csirt']),
      reg('Leak Unit', 'constituent', ['eu-lea', 'fr-csirt']),
      reg('Leak ISAC', 'peer', ['fr-csirt'], true),
      reg('Leak SOC', 'peer', []),
    ]);
    const officer: TestContact = await registerContact(broker.url, broker.adminKey, ec3.id, 'Leak Officer');
    const [officerChannel] = await broker.db.query(`SELECT id FROM channels WHERE contact_id = $1`, [officer.id]);
    const orgs: TestPartner[] = [ec3, cert, unit, isac, soc];
    for (const partner of orgs)
      readers.push({
        name: partner.name,
        channelId: partner.channelId,
        key: partner.feedKey,
        organisationId: partner.id,
      });
    readers.push({ name: 'Leak Officer', channelId: officerChannel.id, key: officer.feedKey, organisationId: ec3.id });
    const members = (community: 'eu-lea' | 'fr-csirt') => (community === 'eu-lea' ? [ec3, unit] : [cert, unit, isac]);

    // A seeded draw of audiences, so that every run publishes the same scenario.
    let state = 20261130;
    const next = () => (state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const pick = (list: TestPartner[]) => list.filter(() => next() < 0.5);
    for (let i = 0; i < ITEMS; i++) {
      const marker = `leakprobe${String(i).padStart(3, '0')}x${Math.floor(next() * 1e9)}`;
      const title = `Leak probe ${marker}`;
      const kind = i % 10 === 0 ? 'announcement' : 'advisory';
      let json: Record<string, unknown>;
      let expected: TestPartner[] | 'officer' | 'none';
      switch (i % 6) {
        case 0:
          json = { tlp: 'TLP:CLEAR' };
          expected = orgs;
          break;
        case 1: {
          const community = next() < 0.5 ? ('eu-lea' as const) : ('fr-csirt' as const);
          json = { tlp: 'TLP:GREEN', audience: { communities: [community] } };
          expected = members(community);
          break;
        }
        case 2:
        case 3: {
          const named = pick(orgs);
          if (named.length === 0) named.push(soc);
          json = { tlp: 'TLP:AMBER', audience: { organisations: named.map((o) => o.id) } };
          expected = named;
          break;
        }
        case 4: {
          const named = pick(orgs);
          if (named.length === 0) named.push(cert);
          json = { tlp: 'TLP:AMBER+STRICT', audience: { organisations: named.map((o) => o.id) } };
          expected = named.filter((o) => o !== isac);
          break;
        }
        default:
          json =
            next() < 0.6
              ? { tlp: 'TLP:RED', audience: { contacts: [officer.id] } }
              : { tlp: 'TLP:RED', audience: { contacts: [] } };
          expected = (json.audience as { contacts: string[] }).contacts.length > 0 ? 'officer' : 'none';
      }
      if (expected === 'none') continue; // TLP:RED needs a named person: intake refuses it (tested elsewhere).
      const response = await http(broker.url, 'POST', '/items', {
        key: broker.analystKey,
        json: {
          type: kind,
          title,
          summary: `Summary ${marker}`,
          body: `Body ${marker}`,
          indicators: [{ type: 'domain', value: `${marker}.example` }],
          ...json,
        },
      });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      const channels = expected === 'officer' ? [officerChannel.id as string] : expected.map((o) => o.channelId);
      probes.push({ id: response.body.id, kind, title, marker, tlp: json.tlp as string, expected: new Set(channels) });
    }
    await everythingSettled();
    // Narrow four AMBER items to their first recipient, and retract four items.
    const amber = probes.filter((probe) => probe.tlp === 'TLP:AMBER' && probe.expected.size > 1).slice(0, 4);
    for (const probe of amber) {
      const keep = [...probe.expected][0];
      const organisation = orgs.find((o) => o.channelId === keep)!;
      const response = await http(broker.url, 'PUT', `/items/${probe.id}`, {
        key: broker.analystKey,
        json: {
          type: probe.kind,
          title: `${probe.title} v2`,
          body: `Body ${probe.marker} v2`,
          tlp: 'TLP:AMBER',
          audience: { organisations: [organisation.id] },
        },
      });
      expect(response.status).toBe(200);
    }
    for (const probe of probes.filter((p) => p.tlp !== 'TLP:CLEAR').slice(10, 14)) {
      expect(
        (
          await http(broker.url, 'POST', `/items/${probe.id}/retract`, {
            key: broker.analystKey,
            json: { reason: 'leak test' },
          })
        ).status,
      ).toBe(200);
    }
    await everythingSettled();
  }, 300_000);

  afterAll(async () => {
    await broker?.close();
  });

  it('delivers each item to exactly the channels the label allows', async () => {
    const rows: { item_id: string; channel_id: string }[] = await broker.db.query(
      `SELECT DISTINCT v.item_id, d.channel_id FROM deliveries d JOIN item_versions v ON v.id = d.item_version_id WHERE d.kind = 'item' AND v.version = 1 AND d.handed_at IS NOT NULL`,
    );
    for (const probe of probes) {
      const actual = new Set(rows.filter((row) => row.item_id === probe.id).map((row) => row.channel_id));
      expect([...actual].sort(), `${probe.tlp} ${probe.title}`).toEqual([...probe.expected].sort());
    }
    expect(probes.length).toBeGreaterThan(80);
  });

  it('shows every partner, in every form, only what it was delivered', async () => {
    const summary: string[] = [];
    for (const reader of readers) {
      const own = probes.filter((probe) => probe.expected.has(reader.channelId));
      const foreign = probes.filter((probe) => !probe.expected.has(reader.channelId));
      const seen: string[] = [];
      const get = async (path: string, headers?: Record<string, string>) => {
        const response = await http(broker.url, 'GET', path, { key: reader.key, headers });
        seen.push(typeof response.body === 'string' ? response.body : JSON.stringify(response.body));
        return response;
      };

      // JSON feed: every page, every entry by id.
      const feed = await get('/feed?limit=500');
      const entries = feed.body.entries as { id: string; itemId: string }[];
      expect(new Set(entries.map((entry) => entry.itemId)), reader.name).toEqual(new Set(own.map((probe) => probe.id)));
      for (const entry of entries.slice(0, 20)) expect((await get(`/feed/${entry.id}`)).status).toBe(200);

      // TAXII: collections, every object version, the manifest, each own object and its versions.
      const collections = await get('/taxii2/api/collections/', TAXII);
      // Its own collection to read, and its own organisation's inbox to write to: nothing else.
      expect(collections.body.collections.map((c: { id: string }) => c.id)).toEqual([
        reader.channelId,
        inboxCollectionId(reader.organisationId),
      ]);
      const objects = await get(
        `/taxii2/api/collections/${reader.channelId}/objects/?limit=1000&match[version]=all`,
        TAXII,
      );
      expect(objects.body.more).toBe(false);
      const manifest = await get(`/taxii2/api/collections/${reader.channelId}/manifest/?limit=1000`, TAXII);
      const mainIds = new Set(
        (manifest.body.objects as { id: string }[])
          .map((record) => record.id)
          .filter((id) => /^(report|note)--/.test(id)),
      );
      expect(mainIds, reader.name).toEqual(new Set(own.map((probe) => itemStixId(probe.id, probe.kind))));
      for (const probe of own.slice(0, 10)) {
        expect(
          (
            await get(
              `/taxii2/api/collections/${reader.channelId}/objects/${itemStixId(probe.id, probe.kind)}/versions/`,
              TAXII,
            )
          ).status,
        ).toBe(200);
      }

      // MISP: manifest, hashes, every event.
      const mispManifest = await get('/misp/manifest.json');
      expect(new Set(Object.keys(mispManifest.body)), reader.name).toEqual(
        new Set(own.map((probe) => mispEventUuid(probe.id))),
      );
      await get('/misp/hashes.csv');
      for (const uuid of Object.keys(mispManifest.body)) expect((await get(`/misp/${uuid}.json`)).status).toBe(200);

      // What it was not sent is not there, under any name, and asking for it directly finds nothing.
      const text = seen.join('\n');
      for (const probe of foreign) {
        for (const trace of [probe.id, probe.marker, itemStixId(probe.id, probe.kind), mispEventUuid(probe.id)]) {
          expect(text.includes(trace), `${reader.name} sees ${trace} (${probe.tlp} ${probe.title})`).toBe(false);
        }
      }
      for (const probe of foreign.slice(0, 15)) {
        const stixId = itemStixId(probe.id, probe.kind);
        const direct = [
          await http(broker.url, 'GET', `/taxii2/api/collections/${reader.channelId}/objects/${stixId}/`, {
            key: reader.key,
            headers: TAXII,
          }),
          await http(broker.url, 'GET', `/taxii2/api/collections/${reader.channelId}/objects/${stixId}/versions/`, {
            key: reader.key,
            headers: TAXII,
          }),
          await http(broker.url, 'GET', `/misp/${mispEventUuid(probe.id)}.json`, { key: reader.key }),
        ];
        for (const response of direct) {
          expect(response.status).toBe(404);
          expect(JSON.stringify(response.body)).not.toContain(probe.marker);
        }
      }
      // Another partner's collection does not exist for this credential, whatever it holds.
      for (const other of readers.filter((r) => r !== reader)) {
        const response = await http(broker.url, 'GET', `/taxii2/api/collections/${other.channelId}/manifest/`, {
          key: reader.key,
          headers: TAXII,
        });
        expect(response.status).toBe(404);
        expect(JSON.stringify(response.body)).not.toMatch(/\d+ object/);
      }
      // Above TLP:CLEAR, even its own items' titles and indicators travel only encrypted.
      for (const probe of own.filter((p) => p.tlp !== 'TLP:CLEAR'))
        expect(text.includes(probe.marker), `${reader.name}: ${probe.title} in the clear`).toBe(false);
      summary.push(`${reader.name}: ${own.length} items`);
    }

    // The public feed: TLP:CLEAR items only.
    const publicText = [
      await http(broker.url, 'GET', '/public/items'),
      await http(broker.url, 'GET', '/public/feed.rss'),
      await http(broker.url, 'GET', '/public/stix.json'),
    ]
      .map((response) => (typeof response.body === 'string' ? response.body : JSON.stringify(response.body)))
      .join('\n');
    for (const probe of probes) {
      expect(publicText.includes(probe.marker), `public feed and ${probe.tlp} ${probe.title}`).toBe(
        probe.tlp === 'TLP:CLEAR',
      );
    }
    console.log(`leak test: ${probes.length} items; ${summary.join('; ')}`);
  }, 300_000);
});
