import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../apps/dispatcher/src/bootstrap';
import { deleteKeysUnder } from '@tlp-broker/queue';
import { countRows, startBroker, TestBroker } from './support/broker';
import { TEST_REDIS_URL } from './support/databases';
import { GnuPG } from './support/gnupg';
import { eventually, http } from './support/http';
import { expectDecryptedAndSignedBy, OpenedMail, openSealedMail } from './support/mail-messages';
import { postOrganisation } from './support/partners';
import { Peer, pushSettings, ReceivedMail, startMailPeer } from './support/peers';

/**
 * What the team sends back to the sender of a submission, end to end: a partner's analyst signs a
 * report with GnuPG and posts it; the acknowledgement with its reference arrives at the analyst's
 * own address over a real SMTP server, and GnuPG decrypts it with the analyst's key and verifies
 * the team's signature. Analysts' replies arrive the same way. Nothing is lost when the dispatcher
 * stops and Redis forgets every job, nothing is sent twice, and nothing goes to a revoked key.
 */
describe('acknowledgements and replies to the senders of submissions', () => {
  const year = new Date().getUTCFullYear();
  const mails: ReceivedMail[] = [];
  /** Replies the SMTP server gives to RCPT, consumed in order; then it accepts. */
  const rcptReplies: number[] = [];
  let smtp: Peer;
  let broker: TestBroker;
  let dispatcher: INestApplicationContext | null = null;
  let gnupg: GnuPG;
  let team: { fingerprint: string; name: string };
  let partner: { id: string };
  let analyst: { id: string; email: string; fingerprint: string; submitKey: string };

  const submit = (message: string) =>
    http(broker.url, 'POST', '/submissions', { key: analyst.submitKey, json: { message } });
  const signedReport = (text: string) => gnupg.sign('clearsign', analyst.email, text);
  const messagesOf = async (submissionId: string) =>
    (await http(broker.url, 'GET', `/submissions/${submissionId}/messages`, { key: broker.analystKey })).body;
  const mailsAbout = (reference: string) => mails.filter((mail) => mail.raw.toString().includes(`[${reference}]`));
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1_000));

  /** The one mail about `reference` whose subject says `what`, once it arrived, opened as the analyst would. */
  async function received(reference: string, what: string): Promise<OpenedMail> {
    const mail = await eventually(
      async () => mailsAbout(reference).find((m) => m.raw.toString().includes(`[${reference}] ${what}`)),
      15_000,
      50,
      `a mail "[${reference}] ${what}"`,
    );
    return openSealedMail(mail, gnupg);
  }

  /** GnuPG decrypted it and found a good signature by the team's key. */
  function expectSignedByTeam(opened: OpenedMail): void {
    expectDecryptedAndSignedBy(opened, team.fingerprint);
  }

  const startDispatcher = async () => {
    dispatcher = await createDispatcher(broker.config);
  };
  const stopDispatcher = async () => {
    await dispatcher?.close();
    dispatcher = null;
  };

  beforeAll(async () => {
    smtp = await startMailPeer(mails, rcptReplies);
    broker = await startBroker({
      dispatcher: false,
      env: {
        ...pushSettings(smtp),
        // A deferred attempt waits long enough (2–4 s) for the test to stop the dispatcher meanwhile.
        DELIVERY_BACKOFF_MS: '4000',
        RECONCILE_AFTER_MS: '300',
      },
    });
    gnupg = await GnuPG.create();
    const teamKey = (await http(broker.url, 'GET', '/team/key')).body;
    await gnupg.importKey(teamKey.publicKey);
    team = { fingerprint: teamKey.fingerprint, name: 'Test CSIRT' };

    const unit = await gnupg.generateKey('Gendarmerie Cyber Unit <cyber@gendarmerie.example>');
    const registered = await postOrganisation(
      broker.url,
      broker.adminKey,
      'Gendarmerie Cyber Unit',
      unit.publicArmored,
      {
        kind: 'lea',
        relation: 'constituent',
        communities: ['fr-lea'],
        channels: [{ kind: 'email', address: 'cyber@gendarmerie.example' }],
      },
    );
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    partner = { id: registered.body.id };
    const email = 'jeanne.martin@gendarmerie.example';
    const key = await gnupg.generateKey(`Jeanne Martin <${email}>`);
    const contact = await http(broker.url, 'POST', `/organisations/${partner.id}/contacts`, {
      key: broker.adminKey,
      json: { name: 'Jeanne Martin', email, publicKey: key.publicArmored, scopes: ['submit'] },
    });
    expect(contact.status, JSON.stringify(contact.body)).toBe(201);
    analyst = { id: contact.body.id, email, fingerprint: key.fingerprint, submitKey: contact.body.channels[0].apiKey };
    await startDispatcher();
  }, 60_000);

  afterAll(async () => {
    await stopDispatcher();
    await broker?.close();
    await smtp?.close();
    await gnupg?.destroy();
  });

  let first: { id: string; reference: string };

  /** The acknowledgement an API answer hands back, opened by GnuPG as its recipient would. */
  async function openAnswered(armored: string): Promise<{ text: string; status: string[] }> {
    expect(armored).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    const { plaintext, status } = await gnupg.decrypt(armored);
    return { text: plaintext, status };
  }

  it('hands the acknowledgement back in the answer too, signed by the team and encrypted to the sender', async () => {
    const key = await gnupg.generateKey('Feed-only CERT <soc@feed-only-cert.example>');
    const registered = await postOrganisation(broker.url, broker.adminKey, 'Feed-only CERT', key.publicArmored, {
      kind: 'cert',
      relation: 'peer',
      communities: ['fr-csirt'],
      channels: [{ kind: 'feed', scopes: ['submit'] }],
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const report = await http(broker.url, 'POST', '/reports', {
      key: registered.body.channels[0].apiKey,
      json: {
        kind: 'support-request',
        title: 'Help reading a seized phone',
        tlp: 'TLP:GREEN',
        topic: 'Mobile forensics',
        description: 'Advice needed on a locked handset.',
        urgency: 'normal',
      },
    });
    expect(report.status, JSON.stringify(report.body)).toBe(201);
    // No e-mail route: nothing is mailed, and the answer carries the acknowledgement itself.
    expect(report.body.acknowledgement).toBe('none');
    const opened = await openAnswered(report.body.signedAcknowledgement);
    expectDecryptedAndSignedBy({ ...opened, to: [], subject: '', messageId: '' }, team.fingerprint);
    expect(opened.text).toContain(`Reference: ${report.body.reference}`);
    await settle();
    expect(mailsAbout(report.body.reference)).toEqual([]);
  });

  it("acknowledges a signed report with its reference, signed by the team and encrypted to the sender's own key", async () => {
    const response = await submit(
      await signedReport('Phishing wave against town halls\nTLP:AMBER+STRICT\nSender: 198.51.100.7'),
    );
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    first = { id: response.body.id, reference: response.body.reference };
    expect(first.reference).toMatch(new RegExp(`^PJ-${year}-\\d{6}$`));
    const answered = await openAnswered(response.body.signedAcknowledgement);
    expectDecryptedAndSignedBy({ ...answered, to: [], subject: '', messageId: '' }, team.fingerprint);
    expect(answered.text).toContain(`Reference: ${first.reference}`);

    const opened = await received(first.reference, 'Received: your report');
    // The analyst's own address, not the unit's team mailbox.
    expect(opened.to).toEqual([analyst.email]);
    expect(opened.subject).toBe(`[${first.reference}] Received: your report`);
    expectSignedByTeam(opened);
    expect(opened.text).toContain(`Reference: ${first.reference}`);
    expect(opened.text).toContain("How:       through the broker's API");
    expect(opened.text).toContain(`Signed by: your key ${analyst.fingerprint.replace(/(.{4})(?!$)/g, '$1 ')}`);
    expect(opened.text).toContain('Title:     Phishing wave against town halls');
    expect(opened.text).toMatch(/^Label: {5}TLP:AMBER\+STRICT$/m);
    expect(opened.text).toContain(`Quote ${first.reference} in the subject`);
    // Never more of the content than its title.
    expect(opened.text).not.toContain('198.51.100.7');

    const [acknowledgement] = await messagesOf(first.id);
    expect(acknowledgement).toMatchObject({
      kind: 'acknowledgement',
      state: 'sent',
      toAddress: analyst.email,
      recipientFingerprint: analyst.fingerprint,
      attempts: 1,
      lastError: null,
    });
    expect(
      await countRows(broker, `SELECT count(*) FROM audit_events WHERE action = 'submission.acknowledgement-sent'`),
    ).toBe(1);
  });

  it('gives the next report the next number, and says when its label was assumed', async () => {
    const response = await submit(await signedReport('Ransomware note found at a town hall, no label given'));
    expect(response.status).toBe(201);
    const [prefix, number] = [first.reference.slice(0, 8), Number(first.reference.slice(8))];
    expect(response.body.reference).toBe(`${prefix}${String(number + 1).padStart(6, '0')}`);
    const opened = await received(response.body.reference, 'Received: your report');
    expectSignedByTeam(opened);
    expect(opened.text).toMatch(/^Label: {5}TLP:AMBER \(assumed, see below\)$/m);
    expect(opened.text).toContain('No TLP label was found in your report');
  });

  it('acknowledges the same message sent twice once', async () => {
    const message = await signedReport('Credential phishing kit hosted on a compromised CMS\nTLP:GREEN');
    const answers = await Promise.all([submit(message), submit(message)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
    const reference = answers.find((answer) => answer.status === 201)!.body.reference as string;
    await received(reference, 'Received: your report');
    // And once more later: a repeat is recognised, not stored, not acknowledged.
    expect((await submit(message)).status).toBe(409);
    await settle();
    expect(mailsAbout(reference)).toHaveLength(1);
    expect(
      await countRows(
        broker,
        `SELECT count(*) FROM submission_messages m JOIN submissions s ON s.id = m.submission_id
        WHERE s.reference = $1`,
        [reference],
      ),
    ).toBe(1);
  });

  it("sends an analyst's reply the same way, quoting the reference", async () => {
    const body = 'Thank you. Could you send us the full headers of one of the phishing e-mails?';
    const queued = await http(broker.url, 'POST', `/submissions/${first.id}/replies`, {
      key: broker.analystKey,
      json: { body },
    });
    expect(queued.status, JSON.stringify(queued.body)).toBe(201);
    expect(queued.body).toMatchObject({ kind: 'reply', state: 'queued', toAddress: analyst.email, attempts: 0 });
    expect(queued.body.createdBy).toMatch(/^user:/);

    const opened = await received(first.reference, `Reply from ${team.name}`);
    expect(opened.to).toEqual([analyst.email]);
    expectSignedByTeam(opened);
    expect(opened.text).toContain(`About your report ${first.reference}`);
    expect(opened.text).toContain(body);
    expect(opened.subject).not.toContain('headers');

    const listed = await messagesOf(first.id);
    expect(listed.map((m: { kind: string; state: string }) => [m.kind, m.state])).toEqual([
      ['acknowledgement', 'sent'],
      ['reply', 'sent'],
    ]);
    const actions = await broker.db.query(
      `SELECT action FROM audit_events WHERE subject_id = $1 AND action LIKE 'submission.reply-%' ORDER BY seq`,
      [first.id],
    );
    expect(actions.map((row: { action: string }) => row.action)).toEqual([
      'submission.reply-queued',
      'submission.reply-sent',
    ]);
  });

  it('refuses replies no one should send: to an unverified sender, to no submission, empty, or by a non-analyst', async () => {
    const unsigned = await submit('just text, no signature');
    expect(unsigned.status).toBe(422);
    const refused = await http(broker.url, 'POST', `/submissions/${unsigned.body.submission.id}/replies`, {
      key: broker.analystKey,
      json: { body: 'hello' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('unverified senders receive no reply');

    const reply = (id: string, json: unknown, key = broker.analystKey) =>
      http(broker.url, 'POST', `/submissions/${id}/replies`, { key, json });
    expect((await reply('00000000-0000-4000-8000-000000000000', { body: 'hello' })).status).toBe(404);
    const empty = await reply(first.id, { body: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.details[0].field).toBe('body');
    expect((await reply(first.id, { body: ' \n ' })).status).toBe(400);
    expect((await reply(first.id, { body: 'x'.repeat(20_001) })).status).toBe(400);
    expect((await reply(first.id, { body: 'hello' }, broker.approverKey)).status).toBe(403);
    expect((await reply(first.id, { body: 'hello' }, analyst.submitKey)).status).toBe(403);
    expect(
      (await http(broker.url, 'GET', `/submissions/${first.id}/messages`, { key: analyst.submitKey })).status,
    ).toBe(403);
  });

  it('sends the acknowledgement exactly once when the dispatcher stops and Redis forgets every job before it is sent', async () => {
    // The first attempt is deferred by the partner's mail server; its retry waits in Redis.
    rcptReplies.push(451);
    const response = await submit(await signedReport('Skimming devices found at fuel stations\nTLP:AMBER'));
    const { id, reference } = response.body as { id: string; reference: string };
    await eventually(async () => (await messagesOf(id))[0]?.state === 'failed', 10_000, 20, 'a deferred first attempt');
    await stopDispatcher();
    expect(await deleteKeysUnder(TEST_REDIS_URL, broker.redisPrefix)).toBeGreaterThan(0);
    expect(mailsAbout(reference)).toHaveLength(0);

    await startDispatcher();
    const opened = await received(reference, 'Received: your report');
    expectSignedByTeam(opened);
    await settle();
    expect(mailsAbout(reference)).toHaveLength(1);
    const [acknowledgement] = await messagesOf(id);
    expect(acknowledgement).toMatchObject({ state: 'sent', attempts: 2, lastError: null });
  });

  it('sends nothing to a sender whose key was revoked while its acknowledgement waited: it is dead, with the reason', async () => {
    await stopDispatcher();
    const response = await submit(await signedReport('Fake police summons sent by e-mail\nTLP:GREEN'));
    expect(response.status).toBe(201);
    const { id, reference } = response.body as { id: string; reference: string };
    expect((await messagesOf(id))[0]).toMatchObject({ kind: 'acknowledgement', state: 'queued' });

    // The analyst's organisation registers the revocation GnuPG made when the key was created.
    const certificate = await readFile(join(gnupg.home, 'openpgp-revocs.d', `${analyst.fingerprint}.rev`), 'utf8');
    await gnupg.gpg(['--import'], certificate.replace(/^:-----BEGIN/m, '-----BEGIN'));
    const revoked = await http(broker.url, 'PUT', `/organisations/${partner.id}/contacts/${analyst.id}/key`, {
      key: broker.adminKey,
      json: { publicKey: await gnupg.exportPublicKey(analyst.fingerprint) },
    });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(revoked.body.result).toBe('revoked');

    await startDispatcher();
    const dead = await eventually(async () => {
      const [message] = await messagesOf(id);
      return message.state === 'dead' ? message : undefined;
    });
    expect(dead.lastError).toMatch(/revoked/);
    expect(dead.attempts).toBe(0);
    expect(mailsAbout(reference)).toHaveLength(0);
    const [audit] = await broker.db.query(
      `SELECT details FROM audit_events WHERE subject_id = $1 AND action = 'submission.acknowledgement-dead'`,
      [id],
    );
    expect(audit.details).toMatchObject({ code: 'key.revoked', reason: expect.stringMatching(/revoked/) });
    // Nor can an analyst reply to it any more: it has no key to encrypt to.
    const reply = await http(broker.url, 'POST', `/submissions/${id}/replies`, {
      key: broker.analystKey,
      json: { body: 'hello' },
    });
    expect(reply.status).toBe(409);
  });
});
