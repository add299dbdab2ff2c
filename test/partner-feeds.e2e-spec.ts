import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { eventually, http } from './support/http';
import { ItemSpec, publishItem, waitForDeliveries } from './support/items';
import { newKeyPair, postOrganisation } from './support/partners';

type FeedView = {
  id: string;
  organisationId: string;
  organisation: string;
  kind: 'taxii' | 'misp';
  url: string;
  hasAuthorization: boolean;
  lastPolledAt: string | null;
  polling: boolean;
  lastError: string | null;
  cursor: { addedAfter?: string | null; eventsSeen?: number };
  submissions: { taken: number; rejected: number };
};

type Row = {
  external_id: string;
  status: string;
  source: string;
  sender_proof: string;
  organisation_id: string;
  title: string | null;
  tlp: string | null;
  pap: string | null;
  flags: string[];
  indicators: { type: string; value: string }[];
  content: string | null;
  encrypted: boolean;
  signer_fingerprint: string | null;
  reason: string | null;
};

/** A TCP relay in front of the partner's broker: stopping it is the partner going down, on the same address. */
class Relay {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: number) {}

  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((done) => this.server!.listen(this.port, '127.0.0.1', done));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
    this.server = null;
  }
}

/**
 * A partner's own feeds polled by the team: broker B (the partner) delivers to broker A's team over
 * its TAXII collection and MISP feed; A polls both with B's feed credential and takes each new
 * object or event in as a submission from B, decrypted and its signature verified above
 * TLP:CLEAR, with the label B marked it with.
 */
describe('partner feeds: polling another tlp-broker', () => {
  let a: TestBroker;
  let b: TestBroker;
  let relay: Relay;
  let bOnA: string;
  let aOnB: string;
  let bFingerprint: string;
  let feedKey: string;
  let collection: string;
  let taxiiFeed: string;
  let mispFeed: string;
  const items: Record<string, string> = {};

  const admin = (method: string, path: string, json?: unknown) => http(a.url, method, path, { key: a.adminKey, json });
  const view = async (id: string) => (await admin('GET', `/partner-feeds/${id}`)).body as FeedView;
  const rows = async (feed: string): Promise<Row[]> =>
    a.db.query(`SELECT * FROM submissions WHERE partner_feed_id = $1 ORDER BY received_at, external_id`, [feed]);

  const publishOnB = async (key: string, spec: ItemSpec) => {
    items[key] = (await publishItem(b.url, b.analystKey, { body: `Details of ${spec.title}.`, ...spec })).id;
    await waitForDeliveries(b.url, b.analystKey, items[key], 1);
  };

  /** Asks for a poll now and waits for it to be over. */
  const pollNow = async (id: string): Promise<FeedView> => {
    const before = await eventually(async () => {
      const current = await view(id);
      return current.polling || current.lastPolledAt === null ? undefined : current;
    });
    expect((await admin('POST', `/partner-feeds/${id}/poll`)).status).toBe(202);
    return eventually(
      async () => {
        const current = await view(id);
        return current.lastPolledAt !== before.lastPolledAt && !current.polling ? current : undefined;
      },
      30_000,
      50,
      `a poll of feed ${id}`,
    );
  };

  beforeAll(async () => {
    [a, b] = await Promise.all([
      startBroker({ env: { WEBHOOK_ALLOW_LIST: '127.0.0.1', PARTNER_FEED_CHECK_MS: '100' } }),
      startBroker(),
    ]);
    relay = new Relay(Number(new URL(b.url).port));
    await relay.start();
    const [aKey, bKey] = await Promise.all([http(a.url, 'GET', '/team/key'), http(b.url, 'GET', '/team/key')]);
    bFingerprint = bKey.body.fingerprint;
    const onB = await postOrganisation(b.url, b.adminKey, 'Team A CSIRT', aKey.body.publicKey, {
      communities: ['eu-csirt'],
      channels: [{ kind: 'feed', scopes: ['taxii', 'misp'] }],
    });
    expect(onB.status).toBe(201);
    aOnB = onB.body.id;
    [collection, feedKey] = [onB.body.channels[0].id, onB.body.channels[0].apiKey];
    const onA = await postOrganisation(a.url, a.adminKey, 'Team B CERT', bKey.body.publicKey, {
      communities: ['eu-csirt'],
    });
    expect(onA.status).toBe(201);
    bOnA = onA.body.id;

    await publishOnB('clear', {
      title: 'Phishing kit impersonating the tax office',
      tlp: 'TLP:CLEAR',
      pap: 'PAP:CLEAR',
      indicators: [{ type: 'domain', value: 'impots-remboursement.example' }],
    });
    await publishOnB('green', {
      title: 'Botnet controller shared with the community',
      tlp: 'TLP:GREEN',
      pap: 'PAP:GREEN',
      audience: { communities: ['eu-csirt'] },
      indicators: [{ type: 'ipv4', value: '198.51.100.23' }],
    });
    await publishOnB('amber', {
      title: 'Ransomware negotiator accounts',
      tlp: 'TLP:AMBER',
      audience: { organisations: [aOnB] },
      indicators: [{ type: 'email', value: 'negotiator@ransom-desk.example' }],
    });
  }, 60_000);

  afterAll(async () => {
    await relay?.stop();
    await Promise.all([a?.close(), b?.close()]);
  });

  it('refuses, naming the field, a feed it could never call or that is malformed', async () => {
    const base = { organisationId: bOnA, kind: 'taxii', name: 'B', intervalSeconds: 60 };
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ url: 'https://10.20.30.40/taxii2/api/collections/x/' }, 'url', /10\.20\.30\.40 is a private address/],
      [{ url: 'https://169.254.169.254/latest/' }, 'url', /link-local/],
      [{ url: 'http://127.0.0.2:8080/misp/' }, 'url', /https/],
      [{ url: `https://user:secret@feeds.partner.example/misp/` }, 'url', /credentials/],
      [{ url: 'https://feeds.partner.example/', intervalSeconds: 5 }, 'intervalSeconds', /at least 10/],
      [{ url: 'https://feeds.partner.example/', kind: 'rss' }, 'kind', /taxii, misp/],
      [{ url: 'https://feeds.partner.example/', authorization: 'Bearer a\r\nX-Evil: 1' }, 'authorization', /one line/],
      [
        { url: 'https://feeds.partner.example/', organisationId: '0b3c2f0e-8d5e-4a43-9d64-7d1c5a1f0b0e' },
        'organisationId',
        /no organisation/,
      ],
    ];
    for (const [fields, field, message] of cases) {
      const answer = await admin('POST', '/partner-feeds', { ...base, ...fields });
      expect(answer.status, JSON.stringify(fields)).toBe(400);
      expect(answer.body.details[0].field).toBe(field);
      expect(answer.body.details[0].message).toMatch(message);
    }
    expect((await http(a.url, 'POST', '/partner-feeds', { key: a.analystKey, json: base })).status).toBe(403);
    expect((await admin('GET', '/partner-feeds')).body).toEqual([]);
  });

  it('registers B’s TAXII collection and MISP feed, never showing the credential back', async () => {
    const authorization = `Bearer ${feedKey}`;
    const taxii = await admin('POST', '/partner-feeds', {
      organisationId: bOnA,
      kind: 'taxii',
      name: 'B deliveries (TAXII)',
      url: `http://127.0.0.1:${relay.port}/taxii2/api/collections/${collection}`,
      authorization,
      intervalSeconds: 3600,
    });
    expect(taxii.status).toBe(201);
    expect(taxii.body).toMatchObject({
      organisation: 'Team B CERT',
      kind: 'taxii',
      hasAuthorization: true,
      url: `http://127.0.0.1:${relay.port}/taxii2/api/collections/${collection}/`,
    });
    const misp = await admin('POST', '/partner-feeds', {
      organisationId: bOnA,
      kind: 'misp',
      name: 'B deliveries (MISP)',
      url: `http://127.0.0.1:${relay.port}/misp`,
      authorization,
      intervalSeconds: 3600,
    });
    expect(misp.status).toBe(201);
    [taxiiFeed, mispFeed] = [taxii.body.id, misp.body.id];
    const again = await admin('POST', '/partner-feeds', {
      organisationId: bOnA,
      kind: 'misp',
      name: 'Twice',
      url: `http://127.0.0.1:${relay.port}/misp/`,
      intervalSeconds: 60,
    });
    expect(again.status).toBe(409);
    const listed = await admin('GET', '/partner-feeds');
    expect(listed.body.map((feed: FeedView) => feed.id)).toEqual([taxiiFeed, mispFeed]);
    expect(JSON.stringify(listed.body)).not.toContain(feedKey);
    const audit: { action: string; details: unknown }[] = await a.db.query(
      `SELECT action, details FROM audit_events WHERE subject_type = 'partner-feed' ORDER BY seq`,
    );
    expect(audit.map((event) => event.action)).toEqual(['partner-feed.created', 'partner-feed.created']);
    expect(JSON.stringify(audit)).not.toContain(feedKey);
  });

  it('takes in every delivered item, with B’s label and indicators, decrypted and verified above TLP:CLEAR', async () => {
    const [taxii, misp] = await Promise.all(
      [taxiiFeed, mispFeed].map((id) =>
        eventually(
          async () => {
            const current = await view(id);
            return current.lastPolledAt && !current.polling ? current : undefined;
          },
          30_000,
          50,
          'the first polls',
        ),
      ),
    );
    expect(taxii).toMatchObject({ lastError: null, submissions: { taken: 3, rejected: 0 } });
    expect(taxii.cursor.addedAfter).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/);
    expect(misp).toMatchObject({ lastError: null, submissions: { taken: 3, rejected: 0 }, cursor: { eventsSeen: 3 } });

    for (const feed of [taxiiFeed, mispFeed]) {
      const taken = await rows(feed);
      expect(taken).toHaveLength(3);
      const byLabel = Object.fromEntries(taken.map((row) => [row.tlp, row]));
      expect(Object.keys(byLabel).sort()).toEqual(['TLP:AMBER', 'TLP:CLEAR', 'TLP:GREEN']);
      for (const row of taken) {
        expect(row).toMatchObject({ status: 'verified', source: 'feed', sender_proof: 'feed', organisation_id: bOnA });
        expect(row.flags).toEqual([]);
        expect(row.content).not.toContain('BEGIN PGP MESSAGE');
      }
      const clear = byLabel['TLP:CLEAR'];
      expect(clear).toMatchObject({ pap: 'PAP:CLEAR', encrypted: false, signer_fingerprint: null });
      expect(clear.indicators).toEqual([{ type: 'domain', value: 'impots-remboursement.example' }]);
      expect(clear.content).toContain('Phishing kit impersonating the tax office');
      for (const [label, title, indicator] of [
        ['TLP:GREEN', 'Botnet controller shared with the community', { type: 'ipv4', value: '198.51.100.23' }],
        ['TLP:AMBER', 'Ransomware negotiator accounts', { type: 'email', value: 'negotiator@ransom-desk.example' }],
      ] as const) {
        const sealed = byLabel[label];
        expect(sealed).toMatchObject({ title, encrypted: true, signer_fingerprint: bFingerprint });
        expect(sealed.indicators).toEqual([indicator]);
        expect(JSON.parse(sealed.content!)).toMatchObject({ format: 'tlp-broker/item@1', title, tlp: label });
      }
      expect(byLabel['TLP:GREEN'].pap).toBe('PAP:GREEN');
    }
    const received = await a.db.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'submission.received' AND actor LIKE 'feed:%'`,
    );
    expect(received[0].n).toBe(6);
    expect(await a.db.query(`SELECT * FROM submission_messages`)).toEqual([]);
  });

  it('takes nothing twice, then what B publishes later and each new version of an item', async () => {
    const [taxii, misp] = [await pollNow(taxiiFeed), await pollNow(mispFeed)];
    expect([taxii.submissions.taken, misp.submissions.taken]).toEqual([3, 3]);

    await publishOnB('later', {
      title: 'Credential stuffing against webmail',
      tlp: 'TLP:GREEN',
      audience: { communities: ['eu-csirt'] },
      indicators: [{ type: 'url', value: 'https://webmail-login.example/auth' }],
    });
    const updated = await http(b.url, 'PUT', `/items/${items.clear}`, {
      key: b.analystKey,
      json: {
        type: 'advisory',
        title: 'Phishing kit impersonating the tax office (second wave)',
        body: 'A second wave uses a new domain.',
        tlp: 'TLP:CLEAR',
        pap: 'PAP:CLEAR',
        indicators: [
          { type: 'domain', value: 'impots-remboursement.example' },
          { type: 'domain', value: 'impots-rembourse.example' },
        ],
      },
    });
    expect(updated.status).toBe(200);
    await waitForDeliveries(b.url, b.analystKey, items.clear, 2);

    for (const feed of [taxiiFeed, mispFeed]) {
      const polled = await pollNow(feed);
      expect(polled).toMatchObject({ lastError: null, submissions: { taken: 5, rejected: 0 } });
      const taken = await rows(feed);
      const later = taken.find((row) => row.title === 'Credential stuffing against webmail');
      expect(later).toMatchObject({ tlp: 'TLP:GREEN', encrypted: true, signer_fingerprint: bFingerprint });
      expect(later!.indicators).toEqual([{ type: 'url', value: 'https://webmail-login.example/auth' }]);
      const versions = taken.filter((row) => row.tlp === 'TLP:CLEAR');
      expect(versions).toHaveLength(2);
      expect(new Set(versions.map((row) => row.external_id)).size).toBe(2);
      expect(versions[1].content).toContain('second wave');
      expect(versions[1].indicators).toEqual(
        expect.arrayContaining([
          { type: 'domain', value: 'impots-remboursement.example' },
          { type: 'domain', value: 'impots-rembourse.example' },
        ]),
      );
    }
  });

  it('refuses what is signed by a key not registered for the feed’s partner, keeping nothing of it', async () => {
    const impostorKey = await newKeyPair('Impostor CERT', 'soc@impostor.example');
    const impostor = await postOrganisation(a.url, a.adminKey, 'Impostor CERT', impostorKey.publicArmored);
    expect(impostor.status).toBe(201);
    const created = await admin('POST', '/partner-feeds', {
      organisationId: impostor.body.id,
      kind: 'taxii',
      name: 'Not really the impostor’s',
      url: `http://127.0.0.1:${relay.port}/taxii2/api/collections/${collection}/`,
      authorization: `Bearer ${feedKey}`,
      intervalSeconds: 3600,
    });
    expect(created.status).toBe(201);
    const polled = await eventually(async () => {
      const current = await view(created.body.id);
      return current.lastPolledAt && !current.polling ? current : undefined;
    });
    expect(polled).toMatchObject({ lastError: null, submissions: { taken: 2, rejected: 3 } });
    const refused = (await rows(created.body.id)).filter((row) => row.status === 'rejected');
    expect(refused).toHaveLength(3);
    for (const row of refused) {
      expect(row).toMatchObject({ reason: 'unknown-signer', content: null, signer_fingerprint: null });
      expect(row.indicators).toEqual([]);
    }
    expect((await admin('PATCH', `/partner-feeds/${created.body.id}`, { status: 'suspended' })).status).toBe(200);
  });

  it('records B being down on the feed, and recovers when B is back', async () => {
    await relay.stop();
    for (const feed of [taxiiFeed, mispFeed]) {
      const failed = await pollNow(feed);
      expect(failed.lastError).toMatch(/127\.0\.0\.1:\d+: connection failed \(ECONNREFUSED\)/);
      expect(failed.submissions.taken).toBe(5);
    }
    await relay.start();
    for (const feed of [taxiiFeed, mispFeed]) {
      const recovered = await pollNow(feed);
      expect(recovered).toMatchObject({ lastError: null, submissions: { taken: 5, rejected: 0 } });
    }
  });

  it('changes a feed, audited without its credential: a wrong credential is reported, a suspended feed is not polled', async () => {
    const wrong = await admin('PATCH', `/partner-feeds/${taxiiFeed}`, { authorization: 'Bearer tlpb_not-a-key' });
    expect(wrong.status).toBe(200);
    expect(wrong.body.hasAuthorization).toBe(true);
    expect((await pollNow(taxiiFeed)).lastError).toMatch(/refused access \(HTTP 401\)/);
    expect((await admin('PATCH', `/partner-feeds/${taxiiFeed}`, { authorization: `Bearer ${feedKey}` })).status).toBe(
      200,
    );
    expect((await pollNow(taxiiFeed)).lastError).toBeNull();

    const suspended = await admin('PATCH', `/partner-feeds/${mispFeed}`, { status: 'suspended', intervalSeconds: 10 });
    expect(suspended.body).toMatchObject({ status: 'suspended' });
    expect((await admin('POST', `/partner-feeds/${mispFeed}/poll`)).status).toBe(409);
    // Due, but suspended: not polled; reinstated, polled at once.
    const before = (await view(mispFeed)).lastPolledAt;
    await a.db.query(`UPDATE partner_feeds SET next_poll_at = now() - interval '1 minute' WHERE id = $1`, [mispFeed]);
    await new Promise((done) => setTimeout(done, 600));
    expect((await view(mispFeed)).lastPolledAt).toBe(before);
    expect((await admin('PATCH', `/partner-feeds/${mispFeed}`, { status: 'active' })).status).toBe(200);
    await eventually(async () => {
      const current = await view(mispFeed);
      return current.lastPolledAt !== before && !current.polling && current.lastError === null;
    });
    expect((await admin('PATCH', `/partner-feeds/${mispFeed}`, {})).body.details[0].field).toBe('body');
    expect((await admin('PATCH', `/partner-feeds/${mispFeed}`, { url: 'https://10.0.0.1/misp/' })).status).toBe(400);

    const changes: { details: Record<string, unknown> }[] = await a.db.query(
      `SELECT details FROM audit_events WHERE action = 'partner-feed.changed' AND subject_id = ANY($1) ORDER BY seq`,
      [[taxiiFeed, mispFeed]],
    );
    expect(changes.map((change) => change.details)).toEqual([
      { authorization: 'replaced' },
      { authorization: 'replaced' },
      { status: { from: 'active', to: 'suspended' }, intervalSeconds: { from: 3600, to: 10 } },
      { status: { from: 'suspended', to: 'active' } },
    ]);
    expect(JSON.stringify(changes)).not.toContain(feedKey);
  });
});
