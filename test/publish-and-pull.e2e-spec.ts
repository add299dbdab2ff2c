import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSealed, verifyAudit } from '@tlp-broker/crypto';
import { startBroker, TestBroker } from './support/broker';
import { http } from './support/http';
import { publishItem, waitForRouting } from './support/items';
import { registerContact, registerPartner, TestContact, TestPartner } from './support/partners';

/**
 * The whole path on real PostgreSQL and Redis: partners registered over HTTP with fresh keys,
 * items published at every label, routed and sealed by the dispatcher, pulled by each partner,
 * decrypted with that partner's private key and verified against the team key.
 */
describe('publish → decide → sign and encrypt → partner pulls', () => {
  let broker: TestBroker;
  let ec3: TestPartner;
  let certFr: TestPartner;
  let gendarmerie: TestPartner;
  let isac: TestPartner;
  let officer: TestContact;
  let teamKey: openpgp.PublicKey;
  const published: Record<string, { id: string; tlp: string }> = {};

  const publish = (tlp: string, title: string, audience: Record<string, string[]>) =>
    publishItem(broker.url, broker.analystKey, { title, summary: `${tlp} summary`, tlp, audience });

  const waitUntilRouted = (itemId: string) => waitForRouting(broker.url, broker.analystKey, itemId);

  /** Pulls the whole feed of a credential, decrypts every entry with the given key and returns the titles. */
  const pullTitles = async (feedKey: string, privateKey: openpgp.PrivateKey) => {
    const response = await http(broker.url, 'GET', '/feed', { key: feedKey });
    expect(response.status).toBe(200);
    const titles: string[] = [];
    for (const entry of response.body.entries as { message: string; tlp: string; itemId: string }[]) {
      const opened = await openSealed(entry.message, privateKey, [teamKey]);
      const document = JSON.parse(opened.text) as { title: string; tlp: string; id: string };
      expect(document.tlp).toBe(entry.tlp);
      expect(document.id).toBe(entry.itemId);
      titles.push(document.title);
    }
    return titles.sort();
  };

  beforeAll(async () => {
    broker = await startBroker();
    ec3 = await registerPartner(broker.url, broker.adminKey, {
      name: 'Europol EC3',
      kind: 'lea',
      relation: 'peer',
      communities: ['eu-lea'],
    });
    certFr = await registerPartner(broker.url, broker.adminKey, {
      name: 'CERT-FR',
      kind: 'cert',
      relation: 'peer',
      communities: ['fr-csirt'],
    });
    gendarmerie = await registerPartner(broker.url, broker.adminKey, {
      name: 'Gendarmerie C3N',
      kind: 'lea',
      relation: 'constituent',
      communities: ['gendarmerie', 'eu-lea'],
    });
    isac = await registerPartner(broker.url, broker.adminKey, {
      name: 'Finance ISAC',
      kind: 'isac',
      relation: 'peer',
      communities: ['fr-csirt'],
      redistributes: true,
    });
    officer = await registerContact(broker.url, broker.adminKey, ec3.id, 'Jane Officer');
    const key = await http(broker.url, 'GET', '/team/key');
    teamKey = await openpgp.readKey({ armoredKey: key.body.publicKey });

    published.clear = await publish('TLP:CLEAR', 'clear advisory', {});
    published.green = await publish('TLP:GREEN', 'green advisory', { communities: ['eu-lea'] });
    published.amber = await publish('TLP:AMBER', 'amber advisory', { organisations: [gendarmerie.id, isac.id] });
    published.strict = await publish('TLP:AMBER+STRICT', 'amber strict advisory', {
      organisations: [certFr.id, isac.id],
    });
    published.red = await publish('TLP:RED', 'red advisory', { contacts: [officer.id] });
    published.white = await publish('TLP:WHITE', 'white (TLP 1.0) advisory', {});
    for (const item of Object.values(published)) await waitUntilRouted(item.id);
  });

  afterAll(async () => {
    await broker?.close();
  });

  it('normalises a TLP 1.0 label on input', async () => {
    const response = await http(broker.url, 'GET', `/items/${published.white.id}`, { key: broker.analystKey });
    expect(response.body.tlp).toBe('TLP:CLEAR');
  });

  it('gives each partner exactly what the label table allows, and nothing else', async () => {
    expect(await pullTitles(ec3.feedKey, ec3.privateKey)).toEqual([
      'clear advisory',
      'green advisory',
      'white (TLP 1.0) advisory',
    ]);
    expect(await pullTitles(certFr.feedKey, certFr.privateKey)).toEqual([
      'amber strict advisory',
      'clear advisory',
      'white (TLP 1.0) advisory',
    ]);
    expect(await pullTitles(gendarmerie.feedKey, gendarmerie.privateKey)).toEqual([
      'amber advisory',
      'clear advisory',
      'green advisory',
      'white (TLP 1.0) advisory',
    ]);
    // Named for AMBER+STRICT too, but its only channel redistributes.
    expect(await pullTitles(isac.feedKey, isac.privateKey)).toEqual([
      'amber advisory',
      'clear advisory',
      'white (TLP 1.0) advisory',
    ]);
    // TLP:RED reaches only the named person's own channel, never the EC3 team feed.
    expect(await pullTitles(officer.feedKey, officer.privateKey)).toEqual(['red advisory']);
  });

  it('marks AMBER for constituents and redistributors as shareable with their clients', async () => {
    const gendarmerieFeed = await http(broker.url, 'GET', '/feed', { key: gendarmerie.feedKey });
    const amber = gendarmerieFeed.body.entries.find((entry: { itemId: string }) => entry.itemId === published.amber.id);
    expect(amber.handling).toBe('may share with its clients on a need-to-know basis');
    expect(amber.tlp).toBe('TLP:AMBER');
  });

  it('explains every decision, denials included', async () => {
    const response = await http(broker.url, 'GET', `/items/${published.green.id}/decisions`, {
      key: broker.analystKey,
    });
    const byOrg = Object.fromEntries(
      (
        response.body.decisions as {
          organisation: string;
          contactId: string | null;
          allow: boolean;
          code: string;
          reason: string;
        }[]
      )
        .filter((d) => d.contactId === null)
        .map((d) => [d.organisation, d]),
    );
    expect(byOrg['Europol EC3']).toMatchObject({ allow: true, code: 'tlp.green.in-community' });
    expect(byOrg['CERT-FR']).toMatchObject({ allow: false, code: 'tlp.green.not-in-community' });
    expect(byOrg['CERT-FR'].reason).toContain('CERT-FR is not a member of "eu-lea"');
    // Five channels: four team feeds and one personal feed; every one has a stored decision.
    expect(response.body.decisions).toHaveLength(5);
  });

  it('encrypts each delivery to its recipient only', async () => {
    const feed = await http(broker.url, 'GET', '/feed', { key: ec3.feedKey });
    const entry = feed.body.entries[0] as { message: string; keyFingerprint: string };
    expect(entry.keyFingerprint).toBe(ec3.fingerprint);
    await expect(openSealed(entry.message, certFr.privateKey, [teamKey])).rejects.toThrow(/decrypt/i);
  });

  it('pages a feed newest first with a cursor', async () => {
    const all = await http(broker.url, 'GET', '/feed', { key: gendarmerie.feedKey });
    const ids = (all.body.entries as { id: string }[]).map((entry) => entry.id);
    expect(ids).toHaveLength(4);
    expect(all.body.next).toBeNull();
    const first = await http(broker.url, 'GET', '/feed?limit=3', { key: gendarmerie.feedKey });
    expect((first.body.entries as { id: string }[]).map((entry) => entry.id)).toEqual(ids.slice(0, 3));
    expect(first.body.next).toEqual(expect.any(String));
    const rest = await http(broker.url, 'GET', `/feed?limit=3&before=${first.body.next}`, { key: gendarmerie.feedKey });
    expect((rest.body.entries as { id: string }[]).map((entry) => entry.id)).toEqual(ids.slice(3));
    expect(rest.body.next).toBeNull();
    const times = (all.body.entries as { deliveredAt: string }[]).map((entry) => Date.parse(entry.deliveredAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const bad = await http(broker.url, 'GET', '/feed?limit=5000', { key: gendarmerie.feedKey });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe('limit');
  });

  it('lets a partner read its own delivery by id and nobody else', async () => {
    const feed = await http(broker.url, 'GET', '/feed', { key: officer.feedKey });
    const deliveryId = feed.body.entries[0].id as string;
    const own = await http(broker.url, 'GET', `/feed/${deliveryId}`, { key: officer.feedKey });
    expect(own.status).toBe(200);
    expect(own.body.itemId).toBe(published.red.id);
    const other = await http(broker.url, 'GET', `/feed/${deliveryId}`, { key: ec3.feedKey });
    expect(other.status).toBe(404);
  });

  it('records each delivery once, and every step in an unbroken audit chain', async () => {
    const rows: { count: string; distinct_channels: string }[] = await broker.db.query(
      `SELECT count(*) AS count, count(DISTINCT (d.item_version_id, d.channel_id)) AS distinct_channels
         FROM feed_entries f JOIN deliveries d ON d.id = f.delivery_id`,
    );
    expect(rows[0].count).toBe(rows[0].distinct_channels);
    // 3 (EC3) + 3 (CERT-FR) + 4 (Gendarmerie) + 3 (ISAC) + 1 (officer)
    expect(Number(rows[0].count)).toBe(14);

    const actions: { action: string; count: string }[] = await broker.db.query(
      'SELECT action, count(*) FROM audit_events GROUP BY action',
    );
    expect(Object.fromEntries(actions.map((row) => [row.action, Number(row.count)]))).toMatchObject({
      'item.published': 6,
      'item.routed': 6,
      'delivery.delivered': 14,
      'organisation.registered': 4,
      'contact.registered': 1,
    });
    expect((await verifyAudit(broker.db, { macKey: broker.config.audit.key })).firstBroken).toBeNull();
    await expect(broker.db.query(`UPDATE audit_events SET actor = 'someone else'`)).rejects.toThrow(/append-only/);
  });
});
