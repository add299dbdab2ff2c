import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { GnuPG } from './support/gnupg';
import { http } from './support/http';

/**
 * Signed material partners send in: accepted only when signed by a key registered for the
 * sending partner; anything else is rejected, and the rejection is recorded and audited too.
 */
describe('submissions from partners', () => {
  let broker: TestBroker;
  let gnupg: GnuPG;
  let partner: { id: string; feedKey: string; fingerprint: string };
  let other: { feedKey: string; signer: openpgp.PrivateKey };

  const submit = (key: string, message: string) => http(broker.url, 'POST', '/submissions', { key, json: { message } });
  const recorded = async () => (await broker.db.query(`SELECT status, reason, signer_fingerprint, content IS NOT NULL AS has_content FROM submissions ORDER BY received_at`)) as {
    status: string;
    reason: string | null;
    signer_fingerprint: string | null;
    has_content: boolean;
  }[];

  beforeAll(async () => {
    broker = await startBroker({ dispatcher: false });
    gnupg = await GnuPG.create();
    const key = await gnupg.generateKey('Partner SOC <soc@partner-soc.example>');
    const registered = await http(broker.url, 'POST', '/organisations', {
      key: broker.adminKey,
      json: { name: 'Partner SOC', kind: 'soc', relation: 'constituent', communities: ['fr-lea'], publicKey: key.publicArmored, channels: [{ kind: 'feed' }] },
    });
    partner = { id: registered.body.id, feedKey: registered.body.channels[0].apiKey, fingerprint: key.fingerprint };
    const signer = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'Other', email: 'soc@other.example' }], format: 'object' });
    const otherOrg = await http(broker.url, 'POST', '/organisations', {
      key: broker.adminKey,
      json: { name: 'Other SOC', kind: 'soc', relation: 'peer', publicKey: signer.publicKey.armor(), channels: [{ kind: 'feed' }] },
    });
    other = { feedKey: otherOrg.body.channels[0].apiKey, signer: signer.privateKey };
  });

  afterAll(async () => {
    await gnupg?.destroy();
    await broker?.close();
  });

  it('accepts what the partner signed with gpg (clear-signed and signed), naming the signer', async () => {
    const report = 'Phishing wave against town halls\nIoC: 198.51.100.7';
    for (const mode of ['clearsign', 'sign'] as const) {
      const response = await submit(partner.feedKey, await gnupg.sign(mode, 'Partner SOC', report));
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      expect(response.body).toMatchObject({ status: 'verified', signerFingerprint: partner.fingerprint, organisation: 'Partner SOC' });
    }
    const [stored] = await broker.db.query(`SELECT content FROM submissions WHERE status = 'verified' LIMIT 1`);
    expect(stored.content.trim()).toBe(report);
  });

  it("rejects material signed by another partner's key, unsigned text, and a tampered message, recording each", async () => {
    const before = (await recorded()).length;
    const foreign = await openpgp.sign({ message: await openpgp.createCleartextMessage({ text: 'from someone else' }), signingKeys: other.signer });
    const wrongSigner = await submit(partner.feedKey, foreign);
    expect(wrongSigner.status).toBe(422);
    expect(wrongSigner.body.details[0]).toMatchObject({ field: 'message', message: expect.stringMatching(/^unknown-signer/) });

    expect((await submit(partner.feedKey, 'just text, no signature')).body.details[0].message).toMatch(/^(unsigned|unreadable)/);

    const signed = await gnupg.sign('clearsign', 'Partner SOC', 'Block 203.0.113.9');
    const tampered = signed.replace('203.0.113.9', '203.0.113.10');
    expect((await submit(partner.feedKey, tampered)).body.details[0].message).toMatch(/^bad-signature/);

    const rows = (await recorded()).slice(before);
    expect(rows.map((row) => [row.status, row.reason])).toEqual([
      ['rejected', 'unknown-signer'],
      ['rejected', expect.stringMatching(/unsigned|unreadable/)],
      ['rejected', 'bad-signature'],
    ]);
    expect(rows.every((row) => !row.has_content && row.signer_fingerprint === null)).toBe(true);
    const [audit] = await broker.db.query(`SELECT count(*) FROM audit_events WHERE action = 'submission.rejected'`);
    expect(Number(audit.count)).toBe(3);
  });

  it("accepts the other partner's material only on its own credential", async () => {
    const signed = await openpgp.sign({ message: await openpgp.createCleartextMessage({ text: 'own report' }), signingKeys: other.signer });
    expect((await submit(other.feedKey, signed)).status).toBe(201);
  });

  it('lists submissions to staff, not to partners', async () => {
    const list = await http(broker.url, 'GET', '/submissions', { key: broker.analystKey });
    expect(list.status).toBe(200);
    expect(list.body.length).toBeGreaterThanOrEqual(6);
    expect(JSON.stringify(list.body)).not.toContain('Phishing wave');
    expect((await http(broker.url, 'GET', '/submissions', { key: partner.feedKey })).status).toBe(403);
    expect((await http(broker.url, 'POST', '/submissions', { json: { message: 'x' } })).status).toBe(401);
  });
});
