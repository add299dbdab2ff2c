import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AMBER_CLIENTS_HANDLING } from '@tlp-broker/tlp';
import { startBroker, TestBroker } from './support/broker';
import { Dovecot, startDovecot } from './support/dovecot';
import { GnuPG } from './support/gnupg';
import { eventually, http } from './support/http';
import { publishItem, waitForDeliveries, waitForRouting } from './support/items';
import { expectDecryptedAndSignedBy, openSealedMail, pgpMime } from './support/mail-messages';
import { postOrganisation, registerPartner, teamPublicKey } from './support/partners';
import { Peer, pushSettings, ReceivedMail, startMailPeer } from './support/peers';
import { indicator, report, TaxiiClient, TLP_EXTENSION, TLP_GREEN } from './support/taxii-client';

/** The communities the team itself belongs to: how far it may pass on a partner's TLP:GREEN. */
const TEAM_COMMUNITIES = ['eu-csirt', 'fr-lea'];
const PERSONAL_NOT_NAMED = 'channel.personal.not-named';

/** An entry of the triage inbox (GET /submissions) or a submission in full (GET /submissions/:id). */
interface SubmissionEntry {
  id: string;
  reference: string;
  source: string;
  senderProof: string;
  verified: boolean;
  sender: { organisationId: string | null; organisation: string | null; contactId: string | null };
  tlp: string;
  flags: string[];
  title: string | null;
  triageState: string;
  reportStatus: string;
  itemId: string | null;
  itemState: string | null;
}

/** What the analyst drafts from a submission: who is meant to receive the item. */
interface Audience {
  organisations: string[];
  communities?: string[];
}

/** Who sent it and with which label, as the item's provenance must carry it. */
interface Source {
  originator: string;
  label: string;
}

/**
 * Every way in, the whole way: a report comes in (encrypted e-mail read from a real Dovecot
 * mailbox, a STIX bundle posted to a partner's TAXII inbox, an item another tlp-broker delivers to
 * the team and the team polls from it, a gpg-signed message over the API), becomes a submission
 * the analyst finds in the inbox, is drafted into an item that carries its provenance, is
 * published, and goes only where the source's label lets the team share it — the policy engine's
 * provenance rule: AMBER from anyone only to the team's own constituents named in the audience;
 * GREEN from a partner only to organisations in the team's own communities (TEAM_COMMUNITIES).
 */
describe('every way in, from the report to the deliveries its label allows', () => {
  const mails: ReceivedMail[] = [];
  let smtp: Peer;
  let dovecot: Dovecot;
  let gnupg: GnuPG;
  let team: TestBroker;
  let partnerBroker: TestBroker;
  let teamFingerprint: string;
  /** Every organisation registered with the team, by the name the tests use. */
  const orgs: Record<string, string> = {};
  let peerCertSubmitKey: string;
  let senderCertKey: string;
  let jeanne: { id: string; email: string; fingerprint: string };
  let teamOnPartner: { id: string; collection: string; feedKey: string };

  const analyst = (method: string, path: string, json?: unknown) =>
    http(team.url, method, path, { key: team.analystKey, json });

  /** The inbox entry of `source` the analyst is looking for, once it is there. */
  const findInInbox = (source: string, title: string): Promise<SubmissionEntry> =>
    eventually(
      async () => {
        const inbox = await analyst('GET', `/submissions?source=${source}`);
        expect(inbox.status).toBe(200);
        return (inbox.body as SubmissionEntry[]).find((entry) => entry.title === title);
      },
      30_000,
      100,
      `"${title}" in the inbox (source ${source})`,
    );

  /**
   * Triage of one submission, as the analyst does it: a draft item with the audience, its
   * provenance checked, published; then every decision against `expected` (the reason code for
   * each organisation's own channels; a contact's personal channel, never named here, is refused),
   * and the deliveries made only to the organisations allowed. Answers the item's id.
   */
  async function draftAndPublish(
    submission: SubmissionEntry,
    audience: Audience,
    source: Source,
    expected: Record<string, string>,
  ): Promise<string> {
    const drafted = await analyst('POST', `/submissions/${submission.id}/draft-item`, {
      audience: { organisations: audience.organisations, communities: audience.communities ?? [] },
    });
    expect(drafted.status, JSON.stringify(drafted.body)).toBe(201);
    const itemId: string = drafted.body.item.id;
    expect(drafted.body.submission).toMatchObject({ itemId, itemState: 'draft', reportStatus: 'in-triage' });

    const item = await analyst('GET', `/items/${itemId}`);
    expect(item.status).toBe(200);
    expect(item.body).toMatchObject({
      state: 'draft',
      tlp: source.label,
      provenance: { originator: source.originator, label: source.label, consent: null },
    });

    const published = await analyst('POST', `/items/${itemId}/publish`);
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    expect(published.body.state).toBe('published');
    const decisions = await waitForRouting(team.url, team.analystKey, itemId);
    const organisational = decisions.filter((decision) => decision.contactId === null);
    expect(new Set(organisational.map((decision) => decision.organisationId))).toEqual(new Set(Object.values(orgs)));
    for (const decision of organisational) {
      expect(decision.code, `${decision.organisation}: ${decision.reason}`).toBe(expected[decision.organisationId]);
      expect(decision.allow).toBe(decision.code.endsWith('.named') || decision.code.endsWith('.in-community'));
    }
    const personal = decisions.filter((decision) => decision.contactId !== null);
    expect(personal.map((decision) => [decision.contactId, decision.allow, decision.code])).toEqual([
      [jeanne.id, false, PERSONAL_NOT_NAMED],
    ]);

    const allowed = organisational.filter((decision) => decision.allow).map((decision) => decision.organisationId);
    const deliveries = await analyst('GET', `/deliveries?item=${itemId}`);
    expect(deliveries.body.map((delivery: { organisationId: string }) => delivery.organisationId).sort()).toEqual(
      allowed.sort(),
    );

    const after = await analyst('GET', `/submissions/${submission.id}`);
    expect(after.body).toMatchObject({ itemId, itemState: 'published', reportStatus: 'item-published' });
    return itemId;
  }

  /** The decision codes for an item: `codes` for the organisations named there, `otherwise` for every other one. */
  const codes = (named: Record<string, string>, otherwise: string): Record<string, string> =>
    Object.fromEntries(Object.entries(orgs).map(([name, id]) => [id, named[name] ?? otherwise]));

  /** Registers an organisation whose key GnuPG made (the team reads what its people sign with GnuPG). */
  const registerWithGnuPG = async (
    name: string,
    userId: string,
    fields: Record<string, unknown>,
  ): Promise<{ id: string; body: any }> => {
    const key = await gnupg.generateKey(userId);
    const registered = await postOrganisation(team.url, team.adminKey, name, key.publicArmored, fields);
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    return { id: registered.body.id, body: registered.body };
  };

  beforeAll(async () => {
    [smtp, dovecot, gnupg] = await Promise.all([startMailPeer(mails), startDovecot(), GnuPG.create()]);
    [team, partnerBroker] = await Promise.all([
      startBroker({
        env: {
          ...pushSettings(smtp),
          ...dovecot.env,
          INTAKE_POLL_MS: '200',
          TEAM_COMMUNITIES: TEAM_COMMUNITIES.join(','),
          PARTNER_FEED_CHECK_MS: '100',
        },
      }),
      startBroker(),
    ]);
    const teamKey = await teamPublicKey(team.url);
    teamFingerprint = teamKey.getFingerprint().toUpperCase();
    await gnupg.importKey(teamKey.armor());

    const gendarmerie = await registerWithGnuPG(
      'Gendarmerie Cyber Unit',
      'Gendarmerie Cyber Unit <cyber@gendarmerie.example>',
      {
        kind: 'lea',
        relation: 'constituent',
        communities: ['gendarmerie'],
        channels: [{ kind: 'email', address: 'cyber@gendarmerie.example' }],
      },
    );
    orgs.gendarmerie = gendarmerie.id;
    const email = 'jeanne.martin@gendarmerie.example';
    const jeanneKey = await gnupg.generateKey(`Jeanne Martin <${email}>`);
    const contact = await http(team.url, 'POST', `/organisations/${gendarmerie.id}/contacts`, {
      key: team.adminKey,
      json: { name: 'Jeanne Martin', email, publicKey: jeanneKey.publicArmored },
    });
    expect(contact.status, JSON.stringify(contact.body)).toBe(201);
    jeanne = { id: contact.body.id, email, fingerprint: jeanneKey.fingerprint };

    const peerCert = await registerWithGnuPG('Peer CERT', 'Peer CERT <soc@peer-cert.example>', {
      relation: 'peer',
      communities: ['eu-csirt'],
      channels: [{ kind: 'feed', scopes: ['feed', 'submit'] }],
    });
    orgs.peerCert = peerCert.id;
    peerCertSubmitKey = peerCert.body.channels[0].apiKey;

    const [policeJudiciaire, senderCert, dutchCert, partnerKey, ownKey] = await Promise.all([
      registerPartner(team.url, team.adminKey, {
        name: 'Police Judiciaire Cyber Unit',
        kind: 'lea',
        relation: 'constituent',
        communities: ['fr-lea'],
      }),
      registerPartner(team.url, team.adminKey, { name: 'Sender CERT', relation: 'peer', communities: ['eu-csirt'] }),
      registerPartner(team.url, team.adminKey, { name: 'Dutch CERT', relation: 'peer', communities: ['nl-csirt'] }),
      http(partnerBroker.url, 'GET', '/team/key'),
      http(team.url, 'GET', '/team/key'),
    ]);
    orgs.policeJudiciaire = policeJudiciaire.id;
    orgs.senderCert = senderCert.id;
    orgs.dutchCert = dutchCert.id;
    senderCertKey = senderCert.feedKey;

    // The two teams know each other: each registers the other's team key.
    const partnerOnTeam = await postOrganisation(team.url, team.adminKey, 'Partner CERT', partnerKey.body.publicKey, {
      communities: ['eu-csirt'],
    });
    expect(partnerOnTeam.status, JSON.stringify(partnerOnTeam.body)).toBe(201);
    orgs.partnerCert = partnerOnTeam.body.id;
    const teamOnPartnerAnswer = await postOrganisation(
      partnerBroker.url,
      partnerBroker.adminKey,
      'Police CSIRT',
      ownKey.body.publicKey,
      { communities: ['eu-csirt'], channels: [{ kind: 'feed', scopes: ['taxii', 'misp'] }] },
    );
    expect(teamOnPartnerAnswer.status, JSON.stringify(teamOnPartnerAnswer.body)).toBe(201);
    const [channel] = teamOnPartnerAnswer.body.channels;
    teamOnPartner = { id: teamOnPartnerAnswer.body.id, collection: channel.id, feedKey: channel.apiKey };
  }, 60_000);

  afterAll(async () => {
    await Promise.all([team?.close(), partnerBroker?.close()]);
    await Promise.all([smtp?.close(), dovecot?.close(), gnupg?.destroy()]);
  });

  it("takes a constituent's PGP/MIME e-mail labelled TLP:AMBER to its own constituents only, and acknowledges it to the signer", async () => {
    const title = '[TLP:AMBER] Phishing kit impersonating the online complaint service';
    const text = [
      'Victims received an SMS pointing to hxxps://plainte-en-ligne[.]example/depot.',
      'The kit posts card numbers to 203.0.113[.]45.',
    ].join('\n');
    // Signed with Jeanne's own key and encrypted to the team's, as her mail client does it.
    const sealed = await gnupg.gpg(
      ['--trust-model', 'always', '--local-user', jeanne.email, '--recipient', teamFingerprint].concat([
        '--sign',
        '--encrypt',
        '--armor',
      ]),
      `Content-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`,
    );
    await dovecot.append(
      pgpMime(
        {
          From: `Jeanne Martin <${jeanne.email}>`,
          To: 'csirt@police.example',
          Subject: title,
          'Message-ID': '<complaint-kit@gendarmerie.example>',
        },
        sealed.stdout,
      ),
    );

    const submission = await findInInbox('email', title);
    expect(submission).toMatchObject({
      senderProof: 'signature',
      verified: true,
      sender: { organisationId: orgs.gendarmerie, organisation: 'Gendarmerie Cyber Unit', contactId: jeanne.id },
      tlp: 'TLP:AMBER',
      flags: [],
      reportStatus: 'received',
    });

    // The acknowledgement goes to the signer's own address, encrypted to her key and signed by the team.
    const mail = await eventually(
      async () => mails.find((received) => received.raw.toString().includes(`[${submission.reference}] Received`)),
      15_000,
      50,
      `the acknowledgement of ${submission.reference}`,
    );
    const opened = await openSealedMail(mail, gnupg);
    expect(opened.to).toEqual([jeanne.email]);
    expect(opened.subject).toBe(`[${submission.reference}] Received: your report`);
    expectDecryptedAndSignedBy(opened, teamFingerprint);
    expect(opened.text).toContain(`Reference: ${submission.reference}`);
    expect(opened.text).toContain('How:       by e-mail, encrypted to the team key');
    const [acknowledgement] = (await analyst('GET', `/submissions/${submission.id}/messages`)).body;
    expect(acknowledgement).toMatchObject({
      kind: 'acknowledgement',
      state: 'sent',
      toAddress: jeanne.email,
      recipientFingerprint: jeanne.fingerprint,
    });

    const itemId = await draftAndPublish(
      submission,
      { organisations: [orgs.policeJudiciaire, orgs.peerCert] },
      { originator: 'Gendarmerie Cyber Unit', label: 'TLP:AMBER' },
      codes(
        { policeJudiciaire: 'tlp.amber.named', peerCert: 'provenance.amber.not-own-constituent' },
        'tlp.amber.not-named',
      ),
    );
    const item = await analyst('GET', `/items/${itemId}`);
    expect(item.body.indicators).toEqual(
      expect.arrayContaining([
        { type: 'url', value: 'https://plainte-en-ligne.example/depot' },
        { type: 'ipv4', value: '203.0.113.45' },
      ]),
    );
    const [toConstituent] = (await analyst('GET', `/items/${itemId}/decisions`)).body.decisions.filter(
      (decision: { allow: boolean }) => decision.allow,
    );
    expect(toConstituent.handling).toBe(AMBER_CLIENTS_HANDLING);
  });

  it("keeps a STIX bundle marked TLP:GREEN posted to a peer's TAXII inbox within the team's own communities", async () => {
    const title = 'Botnet controllers behind the invoice phishing wave';
    const controller = indicator('invoice-c2.example', [TLP_GREEN]);
    const client = new TaxiiClient(team.url, senderCertKey);
    const posted = await client.add([TLP_EXTENSION, TLP_GREEN, report(title, [controller], [TLP_GREEN]), controller]);
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    expect(posted.body).toMatchObject({ status: 'complete', success_count: 4, failure_count: 0 });

    const submission = await findInInbox('taxii', title);
    expect(submission).toMatchObject({
      senderProof: 'credential',
      verified: true,
      sender: { organisationId: orgs.senderCert, organisation: 'Sender CERT' },
      tlp: 'TLP:GREEN',
      flags: [],
    });
    // A constituent (Gendarmerie) and a peer (Peer CERT) named, and two communities: fr-lea is the
    // team's own, nl-csirt is not.
    await draftAndPublish(
      submission,
      { organisations: [orgs.gendarmerie, orgs.peerCert], communities: ['fr-lea', 'nl-csirt'] },
      { originator: 'Sender CERT', label: 'TLP:GREEN' },
      codes(
        {
          peerCert: 'tlp.green.named',
          policeJudiciaire: 'tlp.green.in-community',
          gendarmerie: 'provenance.green.outside-team-communities',
          dutchCert: 'provenance.green.outside-team-communities',
        },
        'tlp.green.not-in-community',
      ),
    );
  });

  it("takes an item another tlp-broker delivers to the team at TLP:AMBER from its TAXII feed, and passes it only to the team's constituent", async () => {
    const title = 'Ransomware negotiator accounts';
    const published = await publishItem(partnerBroker.url, partnerBroker.analystKey, {
      title,
      tlp: 'TLP:AMBER',
      body: 'Accounts the negotiators of a ransomware group use.',
      audience: { organisations: [teamOnPartner.id] },
      indicators: [{ type: 'email', value: 'negotiator@ransom-desk.example' }],
    });
    await waitForDeliveries(partnerBroker.url, partnerBroker.analystKey, published.id, 1);
    const feed = await http(team.url, 'POST', '/partner-feeds', {
      key: team.adminKey,
      json: {
        organisationId: orgs.partnerCert,
        kind: 'taxii',
        name: 'Partner CERT deliveries',
        url: `${partnerBroker.url}/taxii2/api/collections/${teamOnPartner.collection}/`,
        authorization: `Bearer ${teamOnPartner.feedKey}`,
        intervalSeconds: 3600,
      },
    });
    expect(feed.status, JSON.stringify(feed.body)).toBe(201);

    const submission = await findInInbox('feed', title);
    expect(submission).toMatchObject({
      senderProof: 'feed',
      verified: true,
      sender: { organisationId: orgs.partnerCert, organisation: 'Partner CERT' },
      tlp: 'TLP:AMBER',
      flags: [],
    });
    const itemId = await draftAndPublish(
      submission,
      { organisations: [orgs.gendarmerie, orgs.dutchCert] },
      { originator: 'Partner CERT', label: 'TLP:AMBER' },
      codes(
        { gendarmerie: 'tlp.amber.named', dutchCert: 'provenance.amber.not-own-constituent' },
        'tlp.amber.not-named',
      ),
    );
    // The constituent's team mailbox receives it, and reads it with its own key.
    const mail = await eventually(
      async () => mails.find((received) => received.to.includes('cyber@gendarmerie.example')),
      15_000,
      50,
      `the item ${itemId} at the Gendarmerie's mailbox`,
    );
    const opened = await openSealedMail(mail, gnupg);
    expectDecryptedAndSignedBy(opened, teamFingerprint);
    expect(opened.text).toContain('negotiator@ransom-desk.example');
  });

  it('holds a signed message with no label sent over the API as TLP:AMBER until the analyst confirms it, then shares it as AMBER', async () => {
    const title = 'Skimmers found at fuel stations';
    const signed = await gnupg.sign('clearsign', 'Peer CERT', `${title}\nThe skimmers call home to 198.51.100.61.\n`);
    const answer = await http(team.url, 'POST', '/submissions', {
      key: peerCertSubmitKey,
      json: { message: signed },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body).toMatchObject({ source: 'api', tlp: 'TLP:AMBER', flags: ['label-assumed'] });

    const submission = await findInInbox('api', title);
    expect(submission).toMatchObject({ id: answer.body.id, senderProof: 'signature', verified: true });
    const early = await analyst('POST', `/submissions/${submission.id}/draft-item`, {
      audience: { organisations: [orgs.policeJudiciaire] },
    });
    expect(early.status).toBe(409);
    expect(early.body.details[0].field).toBe('tlp');
    const confirmed = await analyst('POST', `/submissions/${submission.id}/label`, { tlp: 'TLP:AMBER' });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body).toMatchObject({ tlp: 'TLP:AMBER', flags: [], triageState: 'in-triage' });

    await draftAndPublish(
      submission,
      { organisations: [orgs.policeJudiciaire, orgs.senderCert] },
      { originator: 'Peer CERT', label: 'TLP:AMBER' },
      codes(
        { policeJudiciaire: 'tlp.amber.named', senderCert: 'provenance.amber.not-own-constituent' },
        'tlp.amber.not-named',
      ),
    );
  });
});
