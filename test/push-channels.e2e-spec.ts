import { IncomingMessage } from 'node:http';
import { simpleParser } from 'mailparser';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '@tlp-broker/channels';
import { openSealed } from '@tlp-broker/crypto';
import { startBroker, TestBroker } from './support/broker';
import { eventually, http } from './support/http';
import { publishItem } from './support/items';
import { newKeyPair, postOrganisation, teamPublicKey } from './support/partners';
import { Peer, pushSettings, ReceivedMail, startMailPeer, startWebhookPeer } from './support/peers';

/**
 * E-mail and webhook channels through the whole broker: a real SMTP server and a real HTTP server
 * on 127.0.0.1 receive what the dispatcher sends, and the test opens it as a partner would.
 */
describe('push channels: e-mail and webhook', () => {
  let broker: TestBroker;
  let smtp: Peer;
  let hooks: Peer;
  const mails: ReceivedMail[] = [];
  const requests: { headers: IncomingMessage['headers']; body: Buffer }[] = [];
  /** Replies the SMTP server gives to RCPT, consumed in order; then it accepts. */
  const rcptReplies: number[] = [];
  /** Statuses the webhook endpoint answers, consumed in order; then 200. */
  const hookStatuses: number[] = [];
  let partner: { id: string; privateKey: openpgp.PrivateKey; secret: string };
  let teamKey: openpgp.PublicKey;

  beforeAll(async () => {
    smtp = await startMailPeer(mails, rcptReplies);
    hooks = await startWebhookPeer((request, body, response) => {
      requests.push({ headers: request.headers, body });
      response.writeHead(hookStatuses.shift() ?? 200).end();
    });

    broker = await startBroker({ env: pushSettings(smtp) });
    const keys = await newKeyPair('Push CERT', 'soc@push-cert.example');
    const registered = await postOrganisation(broker.url, broker.adminKey, 'Push CERT', keys.publicArmored, {
      channels: [
        { kind: 'email', address: 'soc@push-cert.example' },
        { kind: 'webhook', address: `${hooks.url}/tlp-broker` },
      ],
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const webhook = registered.body.channels.find((channel: { kind: string }) => channel.kind === 'webhook');
    expect(webhook.secret).toMatch(/^.{16,}$/);
    partner = { id: registered.body.id, privateKey: keys.privateKey, secret: webhook.secret };
    teamKey = await teamPublicKey(broker.url);
  });

  afterAll(async () => {
    await broker?.close();
    await smtp?.close();
    await hooks?.close();
  });

  const publish = async (title: string) =>
    (
      await publishItem(broker.url, broker.analystKey, {
        title,
        tlp: 'TLP:AMBER',
        audience: { organisations: [partner.id] },
      })
    ).id;

  const deliveriesOf = async (itemId: string) => {
    const response = await http(broker.url, 'GET', `/items/${itemId}/decisions`, { key: broker.analystKey });
    return response.body.decisions.map(
      (decision: { channel: string; delivery: { state: string; attempts: number } | null }) => ({
        channel: decision.channel,
        ...decision.delivery,
      }),
    );
  };

  /** The item's two deliveries, once both were handed over (sent by e-mail, delivered to the webhook). */
  const handedOver = (itemId: string) =>
    eventually(async () => {
      const rows = await deliveriesOf(itemId);
      return rows.length === 2 &&
        rows.every((row: { state: string }) => row.state === 'sent' || row.state === 'delivered')
        ? rows
        : undefined;
    });

  it('mails a PGP/MIME message the partner decrypts, and POSTs a signed webhook it can check', async () => {
    const itemId = await publish('Credential stuffing against police portals');
    const settled = await handedOver(itemId);
    expect(settled.map((row: { channel: string; state: string }) => [row.channel, row.state]).sort()).toEqual([
      ['email', 'sent'],
      ['webhook', 'delivered'],
    ]);

    const mail = mails.find((m) => m.raw.toString().includes(itemId.slice(0, 8)))!;
    expect(mail.to).toEqual(['soc@push-cert.example']);
    const parsed = await simpleParser(mail.raw);
    expect(parsed.subject).toMatch(/^\[TLP:AMBER\] advisory /);
    expect(parsed.subject).not.toContain('Credential stuffing');
    expect(parsed.headers.get('content-type')).toMatchObject({
      value: 'multipart/encrypted',
      params: { protocol: 'application/pgp-encrypted' },
    });
    const encrypted = parsed.attachments.find((part) => part.contentType === 'application/octet-stream')!;
    const opened = await openSealed(encrypted.content.toString(), partner.privateKey, [teamKey]);
    const inner = await simpleParser(opened.text);
    expect(inner.text).toContain('TLP:AMBER');
    expect(inner.text).toContain('Credential stuffing against police portals');

    const request = requests.find((r) => JSON.parse(r.body.toString()).itemId === itemId)!;
    const check = verifyWebhookSignature({
      secret: partner.secret,
      timestamp: request.headers['x-tlpb-timestamp'] as string,
      signature: request.headers['x-tlpb-signature'] as string,
      body: request.body,
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    expect(check).toEqual({ ok: true });
    const payload = JSON.parse(request.body.toString());
    expect(payload).toMatchObject({ itemId, tlp: 'TLP:AMBER', type: 'advisory' });
    const document = JSON.parse((await openSealed(payload.message, partner.privateKey, [teamKey])).text);
    expect(document.title).toBe('Credential stuffing against police portals');
  });

  it('retries a greylisting mail server and a failing webhook, then delivers each once', async () => {
    rcptReplies.push(451);
    hookStatuses.push(500);
    const before = { mails: mails.length, requests: requests.length };
    const itemId = await publish('Retried through both channels');
    const settled = await handedOver(itemId);
    expect(settled.map((row: { attempts: number }) => row.attempts)).toEqual([2, 2]);
    expect(mails.length - before.mails).toBe(1);
    const posted = requests.slice(before.requests).filter((r) => JSON.parse(r.body.toString()).itemId === itemId);
    // The same delivery twice (500, then 200), with the same idempotency key.
    expect(posted).toHaveLength(2);
    expect(new Set(posted.map((r) => r.headers['idempotency-key'])).size).toBe(1);
  });

  it('refuses a webhook over plain http to a host outside the allow-list, and an e-mail channel without an address', async () => {
    const keys = await newKeyPair('Sloppy CERT', 'soc@sloppy.example');
    const register = (channels: unknown[]) =>
      postOrganisation(broker.url, broker.adminKey, 'Sloppy CERT', keys.publicArmored, { communities: [], channels });
    const plain = await register([{ kind: 'webhook', address: 'http://hooks.sloppy.example/in' }]);
    expect(plain.status).toBe(400);
    expect(plain.body.details[0]).toMatchObject({
      field: 'channels.0.address',
      message: expect.stringContaining('https'),
    });
    const noAddress = await register([{ kind: 'email' }]);
    expect(noAddress.status).toBe(400);
    expect(noAddress.body.details[0].field).toBe('channels.0.address');
  });

  it('still mails a partner whose name was stored with control characters, with them left out of the To: header', async () => {
    // As written before intake refused such names: straight into PostgreSQL.
    await broker.db.query(`UPDATE organisations SET name = $2 WHERE id = $1`, [
      partner.id,
      'Push\u0007 CERT\u0085\r\nBcc: all@evil.example',
    ]);
    try {
      const itemId = await publish('Stored names are no reason to drop a delivery');
      const settled = await eventually(async () => {
        const rows = await deliveriesOf(itemId);
        return rows.length === 2 &&
          rows.every(
            (row: { state: string }) => row.state !== 'queued' && row.state !== 'sending' && row.state !== 'failed',
          )
          ? rows
          : undefined;
      });
      expect(settled.find((row: { channel: string }) => row.channel === 'email')).toMatchObject({
        state: 'sent',
        attempts: 1,
      });
      const mail = mails.find((m) => m.raw.toString().includes(itemId.slice(0, 8)))!;
      const parsed = await simpleParser(mail.raw);
      expect((parsed.headers.get('to') as { value: { name: string }[] }).value[0].name).toBe(
        'Push CERT Bcc: all@evil.example',
      );
      expect(mail.raw.toString()).not.toMatch(/^Bcc:/im);
      expect(mail.to).toEqual(['soc@push-cert.example']);
    } finally {
      await broker.db.query(`UPDATE organisations SET name = 'Push CERT' WHERE id = $1`, [partner.id]);
    }
  });
});
