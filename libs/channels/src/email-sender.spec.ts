import { simpleParser } from 'mailparser';
import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { PgpMimeError, addressTo, generateKeyPair, mimeEntityForItem, sealOnce } from '@tlp-broker/crypto';
import { rejection } from '../../../test/support/errors';
import { ChannelError } from './channel-error';
import { EmailSender, OutgoingMail, SmtpSettings } from './email-sender';

const SETTINGS: SmtpSettings = {
  host: '127.0.0.1',
  port: 2525,
  secure: false,
  requireTls: false,
  from: { name: 'CSIRT Équipe', address: 'csirt@broker.example.org' },
  connectionTimeoutMs: 1_000,
};
const TITLE = 'Phishing wave impersonating the prosecutor';

let armored: string;
let teamKey: openpgp.PrivateKey;
let mail: OutgoingMail;

beforeAll(async () => {
  const [team, partner] = await Promise.all([
    generateKeyPair({ name: 'tlp-broker team', email: 'csirt@broker.example.org' }),
    generateKeyPair({ name: 'Partner SOC', email: 'soc@cert.example' }),
  ]);
  teamKey = await openpgp.readPrivateKey({ armoredKey: team.privateArmored });
  const sealed = await sealOnce(mimeEntityForItem('Indicators: 203.0.113.7'), teamKey);
  armored = await addressTo(sealed, await openpgp.readKey({ armoredKey: partner.publicArmored }));
  mail = {
    deliveryId: '77',
    itemId: '3f2a9c1e-7b4d-4c1a-9e2f-0a1b2c3d4e5f',
    version: 1,
    itemType: 'alert',
    tlp: 'TLP:AMBER',
    title: TITLE,
    to: { name: 'Doe, John', address: 'soc@cert.example' },
    body: { kind: 'encrypted', armored },
  };
});

async function refusal(work: Promise<unknown>): Promise<ChannelError> {
  const channelError = await rejection(work, ChannelError);
  expect(channelError).toMatchObject({ channel: 'email', code: 'invalid-input', permanent: true });
  return channelError;
}

describe('EmailSender.compose', () => {
  const sender = new EmailSender(SETTINGS);

  it('builds multipart/encrypted with the label and type in the subject, not the title', async () => {
    const raw = await sender.compose(mail);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('[TLP:AMBER] alert 3f2a9c1e v1');
    expect(raw).not.toContain('Phishing');
    expect(parsed.messageId).toMatch(/^<3f2a9c1e-7b4d-4c1a-9e2f-0a1b2c3d4e5f\.v1\.[0-9a-f]{16}@broker\.example\.org>$/);
    expect(parsed.headers.get('to')).toMatchObject({ value: [{ name: 'Doe, John', address: 'soc@cert.example' }] });
    expect(parsed.headers.get('from')).toMatchObject({
      value: [{ name: 'CSIRT Équipe', address: 'csirt@broker.example.org' }],
    });
    expect(parsed.headers.get('content-type')).toMatchObject({
      value: 'multipart/encrypted',
      params: { protocol: 'application/pgp-encrypted' },
    });
  });

  it('keeps the Message-ID across attempts of a delivery', async () => {
    const [first, second] = await Promise.all([sender.compose(mail), sender.compose(mail)]);
    expect((await simpleParser(first)).messageId).toBe((await simpleParser(second)).messageId);
    expect((await simpleParser(await sender.compose({ ...mail, deliveryId: '78' }))).messageId).not.toBe(
      (await simpleParser(first)).messageId,
    );
  });

  it('shows the title of TLP:CLEAR mail, signed', async () => {
    const raw = await sender.compose({
      ...mail,
      tlp: 'TLP:CLEAR',
      body: { kind: 'signed', entity: mimeEntityForItem('Public advice'), signingKey: teamKey },
    });
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe(`[TLP:CLEAR] alert 3f2a9c1e v1: ${TITLE}`);
    expect(parsed.headers.get('content-type')).toMatchObject({
      value: 'multipart/signed',
      params: { protocol: 'application/pgp-signature' },
    });
  });

  it('refuses to send anything above TLP:CLEAR unencrypted', async () => {
    for (const tlp of ['TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'] as const) {
      const error = await refusal(
        sender.compose({ ...mail, tlp, body: { kind: 'signed', entity: mimeEntityForItem('x'), signingKey: teamKey } }),
      );
      expect(error.field).toBe('body');
    }
  });

  it('refuses a label that is not TLP 2.0', async () => {
    expect((await refusal(sender.compose({ ...mail, tlp: 'TLP:WHITE' as never }))).field).toBe('tlp');
  });

  describe('header injection', () => {
    it.each([
      ['John\r\nBcc: all@evil.example', 'John Bcc: all@evil.example'],
      ['John\nBcc: all@evil.example', 'John Bcc: all@evil.example'],
      ['John\u2028Bcc', 'John Bcc'],
      ['Europol\u0000 EC3\u0007\u0085\ud800', 'Europol EC3'],
    ])('sends to a display name %j as one line of text, %j, never as a header of its own', async (name, shown) => {
      // An organisation's name stored with such characters must not make every delivery to it dead.
      const raw = await sender.compose({ ...mail, to: { name, address: 'soc@cert.example' } });
      const to = (await simpleParser(raw)).headers.get('to') as { value: { name: string; address: string }[] };
      expect(to.value).toEqual([{ name: shown, address: 'soc@cert.example' }]);
      expect(raw).not.toMatch(/^Bcc:/im);
    });

    it('sends a TLP:CLEAR title holding control characters with them dropped from the subject', async () => {
      const raw = await sender.compose({
        ...mail,
        tlp: 'TLP:CLEAR',
        title: 'Title\u0007with a bell\u0000',
        body: { kind: 'encrypted', armored },
      });
      expect((await simpleParser(raw)).subject).toBe('[TLP:CLEAR] alert 3f2a9c1e v1: Titlewith a bell');
    });

    it.each([
      ['to.address', { to: { name: 'John', address: 'soc@cert.example\r\nBcc: all@evil.example' } }],
      ['to.address', { to: { name: 'John', address: 'soc@cert.example> <all@evil.example' } }],
      ['to.address', { to: { name: 'John', address: 'soc@cert.example, all@evil.example' } }],
      ['itemType', { itemType: 'alert\r\nBcc: all@evil.example' }],
      ['itemId', { itemId: 'x>\r\nBcc: all@evil.example' }],
    ] as const)('refuses a line break or control character in %s', async (field, change) => {
      const error = await refusal(sender.compose({ ...mail, ...(change as Partial<OutgoingMail>) }));
      expect(error.field).toBe(field);
    });

    it('passes pgp-mime refusals on with their field and cause', async () => {
      const error = await refusal(sender.compose({ ...mail, body: { kind: 'encrypted', armored: 'plain text' } }));
      expect(error.cause).toBeInstanceOf(PgpMimeError);
      expect(error.message).toMatch(/^the message cannot be built: armoredMessage: /);
    });

    it('turns a line break in a TLP:CLEAR title into a space', async () => {
      const raw = await sender.compose({ ...mail, tlp: 'TLP:CLEAR', title: 'Title\r\nBcc: all@evil.example' });
      expect((await simpleParser(raw)).subject).toBe('[TLP:CLEAR] alert 3f2a9c1e v1: Title Bcc: all@evil.example');
      expect(raw).not.toMatch(/^Bcc:/im);
    });

    it('keeps a display name that looks like a mailbox inside the quotes', async () => {
      const raw = await sender.compose({
        ...mail,
        to: { name: 'Evil <all@evil.example>, "x"', address: 'soc@cert.example' },
      });
      const to = (await simpleParser(raw)).headers.get('to') as { value: { name: string; address: string }[] };
      expect(to.value).toEqual([{ name: 'Evil <all@evil.example>, "x"', address: 'soc@cert.example' }]);
    });
  });

  it('refuses a body that is not an armored message', async () => {
    expect((await refusal(sender.compose({ ...mail, body: { kind: 'encrypted', armored: 'plain text' } }))).field).toBe(
      'body.armored',
    );
  });
});

describe('EmailSender settings', () => {
  it.each([
    [{ host: '' }, /host is required/],
    [{ port: 0 }, /port/],
    [{ from: { name: 'CSIRT', address: 'not an address' } }, /from\.address/],
    [{ from: { name: 'CSIRT\r\nBcc: x@y', address: 'csirt@broker.example.org' } }, /from\.name/],
    [{ ehloName: 'mx\r\nRSET' }, /ehloName/],
    [{ connectionTimeoutMs: 0 }, /connectionTimeoutMs/],
  ] as const)('refuses %j at construction', (change, message) => {
    expect(() => new EmailSender({ ...SETTINGS, ...change })).toThrow(message);
  });
});

describe('EmailSender.composeEncrypted', () => {
  const sender = new EmailSender(SETTINGS);
  const message = () => ({
    key: 'submission-message-0b6f1c2e-5d4a-4e3b-9c8d-7a6b5c4d3e2f',
    subject: '[PJ-2026-000123] Received: your report',
    to: { name: 'Jane Analyst', address: 'jane@cert.example' },
    armored,
  });

  it('builds multipart/encrypted with the subject given, and the same Message-ID for the same key', async () => {
    const [first, second] = [sender.composeEncrypted(message()), sender.composeEncrypted(message())];
    const parsed = await simpleParser(first);
    expect(parsed.subject).toBe('[PJ-2026-000123] Received: your report');
    expect(parsed.headers.get('content-type')).toMatchObject({
      value: 'multipart/encrypted',
      params: { protocol: 'application/pgp-encrypted' },
    });
    expect(parsed.messageId).toMatch(/^<[0-9a-f]{32}@broker\.example\.org>$/);
    expect(parsed.messageId).not.toContain('0b6f1c2e');
    expect((await simpleParser(second)).messageId).toBe(parsed.messageId);
    const other = sender.composeEncrypted({ ...message(), key: 'submission-message-other' });
    expect((await simpleParser(other)).messageId).not.toBe(parsed.messageId);
  });

  it('keeps a line break in the subject or name from starting a header of its own', async () => {
    const raw = sender.composeEncrypted({
      ...message(),
      subject: '[PJ-2026-000123] Reply\r\nBcc: all@evil.example',
      to: { name: 'Jane\r\nBcc: all@evil.example', address: 'jane@cert.example' },
    });
    expect((await simpleParser(raw)).subject).toBe('[PJ-2026-000123] Reply Bcc: all@evil.example');
    expect(raw).not.toMatch(/^Bcc:/im);
  });

  it('refuses a second address, an empty subject, and a body that is not an armored message, naming the field', async () => {
    const fields = await Promise.all(
      [
        { to: { name: 'x', address: 'jane@cert.example, all@evil.example' } },
        { subject: ' \u0007 ' },
        { armored: 'plain text' },
      ].map(
        async (change) =>
          (await refusal(Promise.resolve().then(() => sender.composeEncrypted({ ...message(), ...change })))).field,
      ),
    );
    expect(fields).toEqual(['to.address', 'subject', 'armored']);
  });
});
