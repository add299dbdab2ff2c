import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, totpCode } from '@tlp-broker/harness';
import { startBroker, TestBroker } from './support/broker';
import { http, HttpResult } from './support/http';
import { waitForRouting } from './support/items';
import {
  newKeyPair,
  postOrganisation,
  registerContact,
  registerPartner,
  TestContact,
  TestPartner,
} from './support/partners';
import { pushSettings, ReceivedMail, startMailPeer } from './support/peers';

type Peer = Awaited<ReturnType<typeof startMailPeer>>;

/** A signed-in portal session: the cookie value and its CSRF token. */
interface PortalSession {
  readonly cookie: string;
  readonly csrfToken: string;
}

const ROUND_THE_CLOCK = Object.fromEntries(
  ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((day) => [
    day,
    [{ from: '00:00', to: '24:00' }],
  ]),
);

const INCIDENT = {
  kind: 'investigation-incident',
  title: 'Phishing kit impersonating the police',
  tlp: 'amber',
  pap: 'PAP:GREEN',
  caseReference: 'PJ-CYBER-2026-0042',
  investigatingUnit: 'Section de recherches de Lyon',
  incidentAt: '2026-11-30T22:15:00+01:00',
  victimType: 'public-body',
  observables: ['hxxp://login-police[.]example/form', '198.51.100[.]7', 'a phone number the caller gave'],
  description: 'Town hall staff received a link to hxxps://cdn.login-police[.]example/kit.zip by e-mail.',
  urgency: 'high',
};

const SUPPORT = {
  kind: 'support-request',
  title: 'Help reading a seized phone',
  tlp: 'TLP:GREEN',
  topic: 'Mobile forensics',
  description: 'We need advice on extracting data from a locked handset.',
  urgency: 'normal',
};

/**
 * The reporting forms and triage, end to end against a whole broker: a partner's tool posts both
 * forms, a contact's portal account signs in with password and code and follows only its own
 * reports, an analyst enters a report taken by phone, and triage confirms labels, serves
 * attachments as downloads only, drafts an item with the source's provenance, publishes it —
 * delivered only where the source's label lets the team share — attaches and closes, every step
 * audited.
 */
describe('reporting forms, portal accounts and triage', () => {
  const mails: ReceivedMail[] = [];
  let mail: Peer;
  let broker: TestBroker;
  let peer: { id: string; feedKey: string; privateKey: openpgp.PrivateKey };
  let constituent: TestPartner;
  let reporterContact: TestContact;
  let portal: PortalSession;
  let secret: string;
  let lastStep = 0;
  const references: Record<string, { id: string; reference: string }> = {};

  const post = (key: string, path: string, json: unknown) => http(broker.url, 'POST', path, { key, json });
  const get = (key: string, path: string) => http(broker.url, 'GET', path, { key });
  const analyst = (method: string, path: string, json?: unknown) =>
    http(broker.url, method, path, { key: broker.analystKey, json });

  /** A request with the portal session's cookie (and its CSRF token unless told otherwise). */
  const asReporter = (method: string, path: string, options: { json?: unknown; csrf?: boolean } = {}) =>
    http(broker.url, method, path, {
      headers: {
        cookie: `tlpb_session=${portal.cookie}`,
        ...(options.csrf === false ? {} : { 'x-csrf-token': portal.csrfToken }),
      },
      json: options.json,
    });

  /** The audit trail of a subject, but for the dispatcher sending acknowledgements in the background. */
  const auditOf = async (subjectId: string) =>
    (
      (await broker.db.query(
        `SELECT action, actor, details FROM audit_events
          WHERE subject_id = $1 AND (action NOT LIKE 'submission.acknowledgement-%' OR action = 'submission.acknowledgement-queued')
          ORDER BY seq`,
        [subjectId],
      )) as { action: string; actor: string; details: Record<string, any> }[]
    ).map(({ action, actor, details }) => ({ action, actor, details }));

  beforeAll(async () => {
    mail = await startMailPeer(mails);
    // A team at work around the clock, whatever the time the tests run: an urgent report tells no duty officer.
    const profile = join(mkdtempSync(join(tmpdir(), 'tlpb-profile-')), 'profile.json');
    writeFileSync(profile, JSON.stringify({ businessHours: { week: ROUND_THE_CLOCK, holidays: null } }));
    broker = await startBroker({ env: { ...pushSettings(mail), TEAM_PROFILE_FILE: profile } });
    const keys = await newKeyPair('Peer CERT', 'soc@peer-cert.example');
    const registered = await postOrganisation(broker.url, broker.adminKey, 'Peer CERT', keys.publicArmored, {
      relation: 'peer',
      communities: ['eu-csirt'],
      channels: [
        { kind: 'feed', scopes: ['feed', 'submit'] },
        { kind: 'email', address: 'soc@peer-cert.example' },
      ],
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    peer = { id: registered.body.id, feedKey: registered.body.channels[0].apiKey, privateKey: keys.privateKey };
    constituent = await registerPartner(broker.url, broker.adminKey, {
      name: 'Gendarmerie Cyber Unit',
      kind: 'lea',
      relation: 'constituent',
      communities: ['gendarmerie'],
    });
    reporterContact = await registerContact(broker.url, broker.adminKey, constituent.id, 'Camille Martin');
  });

  afterAll(async () => {
    await broker?.close();
    await mail?.close();
  });

  describe("a partner's tool", () => {
    it('posts both forms and gets a reference for each, its label read in any spelling and acknowledged', async () => {
      const incident = await post(peer.feedKey, '/reports', INCIDENT);
      expect(incident.status, JSON.stringify(incident.body)).toBe(201);
      expect(incident.body).toEqual({
        id: expect.any(String),
        reference: expect.stringMatching(/^PJ-\d{4}-\d{6}$/),
        kind: 'investigation-incident',
        status: 'received',
        receivedAt: expect.any(String),
        acknowledgement: 'queued',
        // The same acknowledgement, in the answer: signed by the team, encrypted to the partner's key.
        signedAcknowledgement: expect.stringMatching(/^-----BEGIN PGP MESSAGE-----\r?\n/),
      });
      references.incident = incident.body;
      const support = await post(peer.feedKey, '/reports', SUPPORT);
      expect(support.status, JSON.stringify(support.body)).toBe(201);
      expect(support.body.reference).not.toBe(incident.body.reference);
      references.peerSupport = support.body;
      const [stored] = await broker.db.query(
        `SELECT source, status, sender_proof, tlp, pap, title, report, content, indicators FROM submissions WHERE id = $1`,
        [incident.body.id],
      );
      expect(stored).toMatchObject({
        source: 'form',
        status: 'verified',
        sender_proof: 'credential',
        tlp: 'TLP:AMBER',
        pap: 'PAP:GREEN',
        title: INCIDENT.title,
        report: {
          kind: 'investigation-incident',
          tlp: 'TLP:AMBER',
          caseReference: INCIDENT.caseReference,
          observables: INCIDENT.observables,
          unrecognisedObservables: ['a phone number the caller gave'],
        },
      });
      expect(stored.indicators).toEqual(
        expect.arrayContaining([
          { type: 'url', value: 'http://login-police.example/form' },
          { type: 'ipv4', value: '198.51.100.7' },
          { type: 'url', value: 'https://cdn.login-police.example/kit.zip' },
        ]),
      );
      expect(stored.content).toContain('Case reference: PJ-CYBER-2026-0042');
      expect(stored.content).toContain('- a phone number the caller gave (not recognised as an indicator)');
      const [ack] = await broker.db.query(`SELECT kind, to_address FROM submission_messages WHERE submission_id = $1`, [
        incident.body.id,
      ]);
      expect(ack).toEqual({ kind: 'acknowledgement', to_address: 'soc@peer-cert.example' });
    });

    it('is answered 400 naming every field at fault, and nothing is stored', async () => {
      const before = await broker.db.query(`SELECT count(*)::int AS n FROM submissions`);
      const refused = async (json: Record<string, unknown>) => {
        const answer = await post(peer.feedKey, '/reports', json);
        expect(answer.status, JSON.stringify(answer.body)).toBe(400);
        return (answer.body.details as { field: string }[]).map((detail) => detail.field).sort();
      };
      const withoutCase = { ...INCIDENT, caseReference: undefined };
      expect(await refused({ ...withoutCase, victimType: 'alien', incidentAt: '2026-11-30 22:15' })).toEqual([
        'caseReference',
        'incidentAt',
        'victimType',
      ]);
      expect(await refused({ ...INCIDENT, tlp: 'TLP:PURPLE', title: 'two\nlines' })).toEqual(['title', 'tlp']);
      expect(await refused({ ...SUPPORT, caseReference: 'PJ-1', urgency: 'whenever' })).toEqual(['urgency']);
      expect(await refused({ ...SUPPORT, caseReference: 'PJ-1' })).toEqual(['caseReference']);
      expect(await refused({ ...SUPPORT, kind: 'complaint' })).toEqual(['kind']);
      const withoutTopic = { ...SUPPORT, topic: undefined };
      expect(await refused(withoutTopic)).toEqual(['topic']);
      expect(await refused({ ...SUPPORT, organisationId: constituent.id })).toEqual(['organisationId']);
      expect(
        await refused({
          ...SUPPORT,
          consent: { audience: { organisations: [constituent.channelId] }, reference: 'mail' },
        }),
      ).toEqual(['consent.audience.organisations']);
      expect(await broker.db.query(`SELECT count(*)::int AS n FROM submissions`)).toEqual(before);
    });

    it("sees its organisation's reports only, by reference", async () => {
      const list = await get(peer.feedKey, '/reports');
      expect(list.status).toBe(200);
      expect(list.body.map((report: { reference: string }) => report.reference).sort()).toEqual(
        [references.incident.reference, references.peerSupport.reference].sort(),
      );
      const one = await get(peer.feedKey, `/reports/${references.incident.reference}`);
      expect(one.body).toEqual({
        reference: references.incident.reference,
        kind: 'investigation-incident',
        source: 'form',
        title: INCIDENT.title,
        receivedAt: expect.any(String),
        status: 'received',
        tlp: 'TLP:AMBER',
      });
      expect((await get(constituent.feedKey, '/reports')).body).toEqual([]);
    });
  });

  describe("a contact's portal account", () => {
    const password = 'a reporter passphrase for Camille';

    /** A code of a time step not used yet: the broker takes each step once. */
    async function nextCode(): Promise<string> {
      for (;;) {
        const now = Date.now();
        const step = Math.floor(now / 30_000);
        const usable = [step, step + 1].find((candidate) => candidate > lastStep);
        if (usable !== undefined) {
          lastStep = usable;
          return totpCode(secret, usable * 30_000);
        }
        await sleep((step + 1) * 30_000 - now + 100);
      }
    }

    function sessionOf(answer: HttpResult<any>): PortalSession {
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const cookie = /^tlpb_session=([A-Za-z0-9_-]{43});/.exec(answer.headers.getSetCookie()[0])?.[1];
      expect(cookie).toBeDefined();
      return { cookie: cookie!, csrfToken: answer.body.csrfToken };
    }

    it('is created by an administrator for a contact, once, and is no team member', async () => {
      const path = `/organisations/${constituent.id}/contacts/${reporterContact.id}/portal-account`;
      expect((await post(broker.analystKey, path, { name: 'camille', password })).status).toBe(403);
      const created = await post(broker.adminKey, path, { name: 'camille', password });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body).toMatchObject({
        name: 'camille',
        roles: ['reporter'],
        status: 'active',
        organisationId: constituent.id,
        contactId: reporterContact.id,
        totpEnrolled: false,
      });
      const again = await post(broker.adminKey, path, { name: 'camille-2', password });
      expect(again.status).toBe(409);
      expect(again.body.details).toEqual([
        { field: 'contactId', message: 'Camille Martin already has a portal account' },
      ]);
      const short = await post(broker.adminKey, path, { name: 'camille-3', password: 'short' });
      expect(short.body.details.map((detail: { field: string }) => detail.field)).toEqual(['password']);
      const users = await get(broker.adminKey, '/users');
      expect(users.body.map((user: { name: string }) => user.name)).not.toContain('camille');
      expect((await get(broker.adminKey, path)).body.id).toBe(created.body.id);
      expect((await post(broker.adminKey, '/users', { name: 'x', roles: ['reporter'] })).status).toBe(400);
      const [audited] = await auditOf(created.body.id);
      expect(audited).toMatchObject({
        action: 'user.portal-account-created',
        details: { name: 'camille', roles: ['reporter'], contactId: reporterContact.id },
      });
    });

    it('signs in with its password, enrols an authenticator, and signs in with password and code', async () => {
      const first = sessionOf(await http(broker.url, 'POST', '/auth/sign-in', { json: { name: 'camille', password } }));
      portal = first;
      const enrolment = await asReporter('POST', '/auth/totp/enrolment');
      expect(enrolment.status, JSON.stringify(enrolment.body)).toBe(200);
      secret = enrolment.body.secret;
      const confirmed = await asReporter('POST', '/auth/totp/confirm', { json: { code: await nextCode() } });
      expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
      const signIn = await http(broker.url, 'POST', '/auth/sign-in', {
        json: { name: 'camille', password, code: await nextCode() },
      });
      portal = sessionOf(signIn);
      expect(signIn.body.user).toMatchObject({ name: 'camille', roles: ['reporter'] });
      expect(signIn.body.stage).toBe('full');
    });

    it('sends a report (with the CSRF token) and follows its status, and nobody else’s', async () => {
      expect((await asReporter('POST', '/reports', { json: SUPPORT, csrf: false })).status).toBe(403);
      const sent = await asReporter('POST', '/reports', { json: { ...SUPPORT, title: 'Locked phone, again' } });
      expect(sent.status, JSON.stringify(sent.body)).toBe(201);
      references.portal = sent.body;
      const named = await asReporter('POST', '/reports', { json: { ...SUPPORT, organisationId: peer.id } });
      expect(named.status).toBe(400);
      const [stored] = await broker.db.query(
        `SELECT sender_proof, organisation_id, sender_contact_id, reporter_user_id IS NOT NULL AS by_portal FROM submissions WHERE id = $1`,
        [sent.body.id],
      );
      expect(stored).toEqual({
        sender_proof: 'portal',
        organisation_id: constituent.id,
        sender_contact_id: reporterContact.id,
        by_portal: true,
      });
      const list = await asReporter('GET', '/reports');
      expect(list.body.map((report: { reference: string }) => report.reference)).toEqual([sent.body.reference]);
      expect((await asReporter('GET', `/reports/${sent.body.reference}`)).body.status).toBe('received');
      const theirs = await asReporter('GET', `/reports/${references.incident.reference}`);
      expect(theirs.status).toBe(404);
      expect((await asReporter('GET', '/reports/PJ-0000-000000')).status).toBe(404);
    });

    it('reaches nothing but its session and the reports', async () => {
      for (const [method, path] of [
        ['GET', '/items'],
        ['POST', '/items'],
        ['GET', '/submissions'],
        ['GET', `/submissions/${references.portal.id}`],
        ['GET', '/organisations'],
        ['GET', '/users'],
        ['GET', '/deliveries'],
        ['GET', '/caveats'],
        ['GET', '/keys'],
        ['POST', `/submissions/${references.portal.id}/close`],
      ]) {
        const answer = await asReporter(method, path, { json: method === 'POST' ? {} : undefined });
        expect(answer.status, `${method} ${path}`).toBe(403);
      }
      expect((await asReporter('GET', '/auth/session')).status).toBe(200);
    });
  });

  describe('triage', () => {
    let phone: { id: string; reference: string };
    let signed: { id: string; reference: string };
    let attachmentId: string;
    let itemId: string;

    it('takes a report an analyst entered from a phone call, naming the organisation and contact', async () => {
      const missing = await analyst('POST', '/reports', SUPPORT);
      expect(missing.status).toBe(400);
      expect(missing.body.details).toEqual([
        { field: 'organisationId', message: 'name the organisation the report came from' },
      ]);
      const entered = await analyst('POST', '/reports', {
        ...INCIDENT,
        title: 'Fraudulent transfer reported by phone',
        tlp: 'TLP:RED',
        organisationId: constituent.id,
        contactId: reporterContact.id,
      });
      expect(entered.status, JSON.stringify(entered.body)).toBe(201);
      phone = entered.body;
      const [{ id: analystId }] = await broker.db.query(`SELECT id FROM users WHERE name = 'analyst'`);
      const [stored] = await broker.db.query(`SELECT sender_proof, entered_by, status FROM submissions WHERE id = $1`, [
        phone.id,
      ]);
      expect(stored).toEqual({ sender_proof: 'staff', entered_by: analystId, status: 'verified' });
      // The reporter sees what its contact reported, whoever entered it.
      expect((await asReporter('GET', `/reports/${phone.reference}`)).status).toBe(200);
    });

    it('reads the label of signed material sent over the API, or holds it as TLP:AMBER when it carries none', async () => {
      const message = await openpgp.sign({
        message: await openpgp.createCleartextMessage({ text: 'Skimmers found at fuel stations\nIPs: 203.0.113.9' }),
        signingKeys: peer.privateKey,
      });
      const answer = await post(peer.feedKey, '/submissions', { message });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      expect(answer.body).toMatchObject({
        reference: expect.stringMatching(/^PJ-\d{4}-\d{6}$/),
        source: 'api',
        senderProof: 'signature',
        verified: true,
        tlp: 'TLP:AMBER',
        pap: null,
        flags: ['label-assumed'],
        title: 'Skimmers found at fuel stations',
        indicatorCount: 1,
        reportStatus: 'received',
      });
      signed = answer.body;
    });

    it('lists the inbox newest first, by state and source, each entry with its sender', async () => {
      const all = await analyst('GET', '/submissions');
      expect(all.status).toBe(200);
      expect(all.body.map((entry: { id: string }) => entry.id)).toEqual([
        signed.id,
        phone.id,
        references.portal.id,
        references.peerSupport.id,
        references.incident.id,
      ]);
      const incident = all.body.find((entry: { id: string }) => entry.id === references.incident.id);
      expect(incident).toMatchObject({
        source: 'form',
        senderProof: 'credential',
        verified: true,
        sender: { organisationId: peer.id, organisation: 'Peer CERT', contactId: null, contact: null },
        tlp: 'TLP:AMBER',
        pap: 'PAP:GREEN',
        reportKind: 'investigation-incident',
        triageState: 'received',
        reportStatus: 'received',
        indicatorCount: 3,
        attachmentCount: 0,
      });
      const forms = await analyst('GET', '/submissions?source=form&state=received,in-triage');
      expect(forms.body).toHaveLength(4);
      const apiOnly = await analyst('GET', '/submissions?source=api&source=email');
      expect(apiOnly.body.map((entry: { id: string }) => entry.id)).toEqual([signed.id]);
      expect((await analyst('GET', '/submissions?limit=2')).body).toHaveLength(2);
      expect((await analyst('GET', '/submissions?state=closed')).body).toEqual([]);
      for (const query of ['limit=0', 'limit=201', 'state=open', 'source=fax']) {
        const refused = await analyst('GET', `/submissions?${query}`);
        expect(refused.status, query).toBe(400);
        expect(refused.body.details[0].field, query).toBe(query.split('=')[0]);
      }
      expect((await get(broker.approverKey, '/submissions')).status).toBe(200);
      expect((await get(peer.feedKey, '/submissions')).status).toBe(403);
    });

    it('shows a submission in full and serves its attachments as downloads that no browser renders', async () => {
      const bytes = Buffer.from('<html><script>alert(1)</script></html>');
      [{ id: attachmentId }] = await broker.db.query(
        `INSERT INTO submission_attachments (submission_id, position, filename, media_type, size_bytes, sha256, content)
         VALUES ($1, 0, $2, 'text/html', $3, $4, $5) RETURNING id`,
        [phone.id, 'relevé\r\n"bancaire".html', bytes.length, createHash('sha256').update(bytes).digest('hex'), bytes],
      );
      const detail = await analyst('GET', `/submissions/${phone.id}`);
      expect(detail.status).toBe(200);
      expect(detail.body).toMatchObject({
        id: phone.id,
        senderProof: 'staff',
        sender: { organisation: 'Gendarmerie Cyber Unit', contact: 'Camille Martin' },
        tlp: 'TLP:RED',
        attachmentCount: 1,
        report: { kind: 'investigation-incident', caseReference: INCIDENT.caseReference },
        attachments: [
          {
            id: attachmentId,
            filename: 'relevé\r\n"bancaire".html',
            mediaType: 'text/html',
            sizeBytes: bytes.length,
            sha256: createHash('sha256').update(bytes).digest('hex'),
          },
        ],
        consent: null,
      });
      expect(detail.body.content).toContain('Fraudulent transfer reported by phone');
      expect(detail.body.indicators).toContainEqual({ type: 'ipv4', value: '198.51.100.7' });
      const download = await analyst('GET', `/submissions/${phone.id}/attachments/${attachmentId}`);
      expect(download.status).toBe(200);
      expect(download.body).toBe(bytes.toString());
      expect(Object.fromEntries(download.headers)).toMatchObject({
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename*=UTF-8''relev%C3%A9%22bancaire%22.html`,
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox",
        'cache-control': 'no-store',
      });
      const elsewhere = await analyst('GET', `/submissions/${signed.id}/attachments/${attachmentId}`);
      expect(elsewhere.status).toBe(404);
      expect(elsewhere.body.details).toEqual([
        { field: 'attachmentId', message: `submission ${signed.id} has no attachment ${attachmentId}` },
      ]);
      expect((await analyst('GET', '/submissions/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    });

    it('holds an assumed label until the source confirms it, then records the confirmed one', async () => {
      const early = await analyst('POST', `/submissions/${signed.id}/draft-item`, {});
      expect(early.status).toBe(409);
      expect(early.body.details[0].field).toBe('tlp');
      expect((await post(broker.approverKey, `/submissions/${signed.id}/label`, { tlp: 'TLP:GREEN' })).status).toBe(
        403,
      );
      const refused = await analyst('POST', `/submissions/${signed.id}/label`, { tlp: 'TLP:PINK' });
      expect(refused.body.details.map((detail: { field: string }) => detail.field)).toEqual(['tlp']);
      const confirmed = await analyst('POST', `/submissions/${signed.id}/label`, { tlp: 'white', pap: 'PAP:AMBER' });
      expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
      expect(confirmed.body).toMatchObject({ tlp: 'TLP:CLEAR', pap: 'PAP:AMBER', flags: [], triageState: 'in-triage' });
    });

    it('drafts an item from a report with its provenance, once', async () => {
      const refused = await analyst('POST', `/submissions/${references.incident.id}/draft-item`, { type: 'memo' });
      expect(refused.body.details.map((detail: { field: string }) => detail.field)).toEqual(['type']);
      const needsAudience = await analyst('POST', `/submissions/${references.incident.id}/draft-item`, {});
      expect(needsAudience.status).toBe(400);
      expect(needsAudience.body.details[0].field).toBe('audience.organisations');
      const drafted = await analyst('POST', `/submissions/${references.incident.id}/draft-item`, {
        audience: { organisations: [constituent.id, peer.id] },
      });
      expect(drafted.status, JSON.stringify(drafted.body)).toBe(201);
      expect(drafted.body.item).toMatchObject({
        state: 'draft',
        type: 'advisory',
        title: INCIDENT.title,
        tlp: 'TLP:AMBER',
        pap: 'PAP:GREEN',
        severity: 'high',
        provenance: { originator: 'Peer CERT', label: 'TLP:AMBER', consent: null },
      });
      expect(drafted.body.item.indicators).toEqual(
        expect.arrayContaining([
          { type: 'url', value: 'http://login-police.example/form' },
          { type: 'ipv4', value: '198.51.100.7' },
        ]),
      );
      itemId = drafted.body.item.id;
      expect(drafted.body.submission).toMatchObject({
        itemId,
        itemState: 'draft',
        triageState: 'in-triage',
        reportStatus: 'in-triage',
      });
      const twice = await analyst('POST', `/submissions/${references.incident.id}/draft-item`, {});
      expect(twice.status).toBe(409);
      expect(twice.body.details[0].field).toBe('itemId');
      expect((await get(peer.feedKey, `/reports/${references.incident.reference}`)).body.status).toBe('in-triage');
    });

    it("publishes the draft: it goes to the team's own constituent named in the audience, never to the peer", async () => {
      const published = await analyst('POST', `/items/${itemId}/publish`);
      expect(published.status, JSON.stringify(published.body)).toBe(200);
      expect(published.body.state).toBe('published');
      expect((await analyst('POST', `/items/${itemId}/publish`)).status).toBe(409);
      const decisions = await waitForRouting(broker.url, broker.analystKey, itemId);
      const allowed = decisions.filter((decision) => decision.allow);
      expect(allowed.map((decision) => decision.organisationId)).toEqual([constituent.id]);
      const toPeer = decisions.filter((decision) => decision.organisationId === peer.id);
      expect(toPeer.length).toBeGreaterThan(0);
      for (const decision of toPeer) {
        expect(decision).toMatchObject({ allow: false, code: 'provenance.amber.not-own-constituent' });
        expect(decision.reason).toContain('Peer CERT is a peer, not a constituent');
      }
      const deliveries = await get(broker.analystKey, `/deliveries?item=${itemId}`);
      expect(deliveries.body.map((delivery: { organisationId: string }) => delivery.organisationId)).toEqual([
        constituent.id,
      ]);
      expect((await get(peer.feedKey, `/reports/${references.incident.reference}`)).body.status).toBe('item-published');
    });

    it('attaches a report to the published item: its reporter sees the item published', async () => {
      const unknown = await analyst('POST', `/submissions/${references.portal.id}/attach`, {
        itemId: '00000000-0000-4000-8000-000000000000',
      });
      expect(unknown.status).toBe(404);
      expect(unknown.body.details[0].field).toBe('itemId');
      const attached = await analyst('POST', `/submissions/${references.portal.id}/attach`, { itemId });
      expect(attached.status, JSON.stringify(attached.body)).toBe(200);
      expect(attached.body).toMatchObject({ itemId, itemState: 'published', reportStatus: 'item-published' });
      expect((await asReporter('GET', `/reports/${references.portal.reference}`)).body.status).toBe('item-published');
    });

    it('closes a submission as spam once, and its sender sees it closed', async () => {
      const closed = await analyst('POST', `/submissions/${references.peerSupport.id}/close`, { reason: 'spam' });
      expect(closed.status, JSON.stringify(closed.body)).toBe(200);
      expect(closed.body).toMatchObject({ triageState: 'closed', closeReason: 'spam', reportStatus: 'closed' });
      const again = await analyst('POST', `/submissions/${references.peerSupport.id}/close`, { reason: 'duplicate' });
      expect(again.status).toBe(409);
      expect(again.body.details[0].field).toBe('triageState');
      expect(
        (await analyst('POST', `/submissions/${references.peerSupport.id}/close`, { reason: 'bored' })).status,
      ).toBe(400);
      expect((await get(peer.feedKey, `/reports/${references.peerSupport.reference}`)).body).toMatchObject({
        status: 'closed',
        closedReason: 'spam',
      });
      expect((await analyst('GET', '/submissions?state=closed')).body.map((entry: { id: string }) => entry.id)).toEqual(
        [references.peerSupport.id],
      );
    });

    it('audits every step', async () => {
      const [{ id: analystId }] = await broker.db.query(`SELECT id FROM users WHERE name = 'analyst'`);
      const user = `user:${analystId}`;
      expect((await auditOf(references.incident.id)).map((event) => event.action)).toEqual([
        'submission.received',
        'submission.acknowledgement-queued',
        'submission.item-drafted',
      ]);
      expect((await auditOf(signed.id)).map((event) => event.action)).toEqual([
        'submission.received',
        'submission.acknowledgement-queued',
        'submission.label-confirmed',
      ]);
      expect((await auditOf(signed.id))[2]).toEqual({
        action: 'submission.label-confirmed',
        actor: user,
        details: {
          reference: signed.reference,
          before: { tlp: 'TLP:AMBER', pap: null, assumed: true },
          after: { tlp: 'TLP:CLEAR', pap: 'PAP:AMBER' },
        },
      });
      const trail = await analyst('GET', `/submissions/${signed.id}/audit`);
      expect(trail.status).toBe(200);
      expect(trail.body.map((event: { action: string }) => event.action)).toEqual(
        expect.arrayContaining(['submission.received', 'submission.label-confirmed']),
      );
      expect(
        trail.body.find((event: { action: string }) => event.action === 'submission.label-confirmed'),
      ).toMatchObject({ actor: 'analyst', subjectType: 'submission', subjectId: signed.id });
      expect((await asReporter('GET', `/submissions/${signed.id}/audit`)).status).toBe(403);
      expect((await auditOf(references.peerSupport.id)).at(-1)).toMatchObject({
        action: 'submission.closed',
        actor: user,
        details: { reference: references.peerSupport.reference, reason: 'spam' },
      });
      const itemTrail = await get(broker.analystKey, `/items/${itemId}/audit`);
      const actions = itemTrail.body.map((event: { action: string }) => event.action);
      expect(actions).toEqual(
        expect.arrayContaining(['item.drafted', 'submission.item-drafted', 'item.published', 'submission.attached']),
      );
      expect(actions.indexOf('item.drafted')).toBeLessThan(actions.indexOf('item.published'));
      expect((await auditOf(phone.id))[0]).toMatchObject({ action: 'submission.received', actor: user });
      expect((await auditOf(references.portal.id))[0].actor).toMatch(/^user:/);
    });
  });
});
