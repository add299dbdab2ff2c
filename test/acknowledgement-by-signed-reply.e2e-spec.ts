import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { Dovecot, startDovecot } from './support/dovecot';
import { GnuPG } from './support/gnupg';
import { eventually, http } from './support/http';
import { publishItem, waitForRouting } from './support/items';
import { pgpMime } from './support/mail-messages';
import { postOrganisation, teamPublicKey } from './support/partners';

const POLICE_A = 'Police A SOC <soc@police-a.example>';
const POLICE_B = 'Police B SOC <soc@police-b.example>';

/**
 * The third way to acknowledge: a reply signed with the recipient's own key, naming the item's
 * reference, sent to the team mailbox (a real Dovecot), encrypted to the team as GnuPG does it.
 */
describe('acknowledging an urgent item by a signed reply', () => {
  let dovecot: Dovecot;
  let broker: TestBroker;
  let gnupg: GnuPG;
  let team: string;
  const police: Record<string, { id: string; fingerprint: string }> = {};

  const register = async (name: string, userId: string) => {
    const key = await gnupg.generateKey(userId);
    const registered = await postOrganisation(broker.url, broker.adminKey, name, key.publicArmored, {
      kind: 'lea',
      relation: 'constituent',
      communities: [],
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    return { id: registered.body.id as string, fingerprint: key.fingerprint };
  };
  const reply = async (signer: string, subject: string, text: string) => {
    const { stdout } = await gnupg.gpg(
      ['--trust-model', 'always', '--local-user', signer, '--recipient', team, '--sign', '--encrypt', '--armor'],
      // What a mail client encrypts: a MIME entity.
      `Content-Type: text/plain; charset=utf-8\r\n\r\n${text.replace(/\n/g, '\r\n')}\r\n`,
    );
    const messageId = `<${Math.random().toString(36).slice(2)}@police.example>`;
    await dovecot.append(
      pgpMime({ From: signer, To: 'csirt@police.example', Subject: subject, 'Message-ID': messageId }, stdout),
    );
    return messageId;
  };
  const acknowledgements = async (itemId: string) =>
    (await http(broker.url, 'GET', `/items/${itemId}/acknowledgements`, { key: broker.analystKey })).body;
  const alertFor = async (organisationId: string, title: string) => {
    const alert = await publishItem(broker.url, broker.analystKey, {
      type: 'alert',
      title,
      tlp: 'TLP:AMBER',
      severity: 'critical',
      audience: { organisations: [organisationId] },
    });
    await waitForRouting(broker.url, broker.analystKey, alert.id);
    return alert.id;
  };
  const submitted = (messageId: string) =>
    eventually(
      async () => (await broker.db.query('SELECT id FROM submissions WHERE message_id = $1', [messageId])).length === 1,
      30_000,
      100,
      `the reply ${messageId} taken in`,
    );

  beforeAll(async () => {
    [dovecot, gnupg] = await Promise.all([startDovecot(), GnuPG.create()]);
    broker = await startBroker({ env: { ...dovecot.env, INTAKE_POLL_MS: '200' } });
    const teamKey = await teamPublicKey(broker.url);
    await gnupg.importKey(teamKey.armor());
    team = teamKey.getFingerprint().toUpperCase();
    police.a = await register('Police A', POLICE_A);
    police.b = await register('Police B', POLICE_B);
    await gnupg.generateKey('Stranger <someone@elsewhere.example>');
  }, 60_000);

  afterAll(async () => {
    await broker?.close();
    await gnupg?.destroy();
    await dovecot?.close();
  });

  it('acknowledges the item named in a reply signed by the recipient, naming the signer and its key', async () => {
    const itemId = await alertFor(police.a.id, 'Ransomware staging server seized');
    const messageId = await reply(
      POLICE_A,
      `Re: [TLP:AMBER] alert ${itemId.slice(0, 8)} v1`,
      'Received, we are on it.',
    );
    await submitted(messageId);
    const view = await eventually(async () => {
      const current = await acknowledgements(itemId);
      return current.acknowledged === 1 ? current : undefined;
    }, 30_000);
    expect(view.recipients[0]).toMatchObject({
      organisationId: police.a.id,
      via: 'signed-reply',
      acknowledgedBy: `Police A, key ${police.a.fingerprint}`,
    });
    const audit = await broker.db.query(
      `SELECT details FROM audit_events WHERE action = 'acknowledgement.recorded' AND subject_id = $1`,
      [itemId],
    );
    expect(audit).toEqual([{ details: expect.objectContaining({ via: 'signed-reply', organisationId: police.a.id }) }]);
  });

  it('acknowledges nothing for a signer of another organisation, nor for a key it does not know', async () => {
    const itemId = await alertFor(police.a.id, 'Second wave announced');
    const byB = await reply(POLICE_B, 'Acknowledged', `We saw it too.\nReference: ${itemId}`);
    const byStranger = await reply('Stranger <someone@elsewhere.example>', 'Ack', `Seen.\nReference: ${itemId}`);
    await submitted(byB);
    await submitted(byStranger);
    expect(await acknowledgements(itemId)).toMatchObject({ acknowledged: 0, waiting: 1 });

    const byA = await reply(POLICE_A, 'Acknowledged', `Duty officer informed.\nReference: ${itemId}`);
    await submitted(byA);
    await eventually(async () => (await acknowledgements(itemId)).acknowledged === 1, 30_000, 100, 'acknowledged by A');
  });
});
