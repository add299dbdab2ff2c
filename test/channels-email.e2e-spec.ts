import { AddressInfo, createServer as createTcpServer, Server as TcpServer } from 'node:net';
import { simpleParser } from 'mailparser';
import * as openpgp from 'openpgp';
import { SMTPServer, SMTPServerAddress, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChannelError, EmailSender, OutgoingMail, SmtpSettings } from '@tlp-broker/channels';
import {
  GeneratedKeyPair,
  addressTo,
  generateKeyPair,
  mimeEntityForItem,
  openSealed,
  sealOnce,
  verifyDetachedBy,
} from '@tlp-broker/crypto';
import { rejection } from './support/errors';
import { selfSignedCertificate, TestCertificate } from './support/tls';

/**
 * The e-mail channel against a real SMTP server (smtp-server, in this process, on 127.0.0.1):
 * what a partner's mail system receives, and how the relay's answers become retry decisions.
 */

interface Received {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
  readonly secure: boolean;
}

type Reply = { code: number; message: string } | 'ok';

class TestRelay {
  readonly received: Received[] = [];
  /** Answers to RCPT TO, one per attempt, then 'ok'. */
  rcptReplies: Reply[] = [];
  /** Connections the relay accepted. */
  connections = 0;
  private server!: SMTPServer;
  port = 0;

  constructor(private readonly options: { auth?: { user: string; pass: string }; tls?: TestCertificate } = {}) {}

  async start(port = 0): Promise<this> {
    const { auth, tls } = this.options;
    this.server = new SMTPServer({
      logger: false,
      banner: 'test relay',
      // Stopping closes the connections a sender keeps after this long (421), as a relay restarting does.
      closeTimeout: 100,
      disabledCommands: [...(auth ? [] : ['AUTH']), ...(tls ? [] : ['STARTTLS'])],
      authOptional: !auth,
      allowInsecureAuth: true,
      onConnect: (_session: SMTPServerSession, callback: (error?: Error | null) => void) => {
        this.connections += 1;
        callback();
      },
      ...(tls ? { key: tls.key, cert: tls.cert } : {}),
      onAuth: (credentials, _session, callback) => {
        if (auth && credentials.username === auth.user && credentials.password === auth.pass)
          callback(null, { user: auth.user });
        else callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
      },
      onRcptTo: (
        _address: SMTPServerAddress,
        _session: SMTPServerSession,
        callback: (error?: Error | null) => void,
      ) => {
        const reply = this.rcptReplies.shift() ?? 'ok';
        if (reply === 'ok') callback();
        else callback(Object.assign(new Error(reply.message), { responseCode: reply.code }));
      },
      onData: (stream: SMTPServerDataStream, session: SMTPServerSession, callback: (error?: Error | null) => void) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const mailFrom = session.envelope.mailFrom;
          this.received.push({
            from: mailFrom ? mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('latin1'),
            secure: session.secure,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const ITEM_TEXT = 'Indicators of the campaign « BlackLotus » 🕵️\n- 203.0.113.7\nFrom the sinkhole: 198.51.100.23\n';
const TITLE = 'BlackLotus bootkit used against the Paris prosecutor';

let team: GeneratedKeyPair;
let teamKey: openpgp.PrivateKey;
let partner: GeneratedKeyPair;
let partnerKey: openpgp.PrivateKey;
let armoredForPartner: string;
let relay: TestRelay;

function settings(port: number, change: Partial<SmtpSettings> = {}): SmtpSettings {
  return {
    host: '127.0.0.1',
    port,
    secure: false,
    requireTls: false,
    from: { name: 'CSIRT team', address: 'csirt@broker.example.org' },
    ehloName: 'broker.example.org',
    connectionTimeoutMs: 2_000,
    ...change,
  };
}

function amberMail(change: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    deliveryId: 'd-1001',
    itemId: '6c1e2f30-9a4b-4d2c-8e7f-112233445566',
    version: 3,
    itemType: 'advisory',
    tlp: 'TLP:AMBER',
    title: TITLE,
    to: { name: 'Partner SOC', address: 'soc@cert.example' },
    body: { kind: 'encrypted', armored: armoredForPartner },
    ...change,
  };
}

const failure = (work: Promise<unknown>) => rejection(work, ChannelError);

function headerNames(raw: string): string[] {
  return raw
    .slice(0, raw.indexOf('\r\n\r\n'))
    .split('\r\n')
    .filter((line) => !/^[ \t]/.test(line))
    .map((line) => line.slice(0, line.indexOf(':')));
}

beforeAll(async () => {
  [team, partner] = await Promise.all([
    generateKeyPair({ name: 'tlp-broker team', email: 'csirt@broker.example.org' }),
    generateKeyPair({ name: 'Partner SOC', email: 'soc@cert.example' }),
  ]);
  teamKey = await openpgp.readPrivateKey({ armoredKey: team.privateArmored });
  partnerKey = await openpgp.readPrivateKey({ armoredKey: partner.privateArmored });
  const sealed = await sealOnce(mimeEntityForItem(ITEM_TEXT), teamKey);
  armoredForPartner = await addressTo(sealed, partnerKey.toPublic());
  relay = await new TestRelay().start();
});

afterAll(async () => {
  await relay.stop();
});

afterEach(() => {
  relay.received.length = 0;
  relay.rcptReplies = [];
  relay.connections = 0;
});

describe('EmailSender → SMTP server on 127.0.0.1', () => {
  it('delivers TLP:AMBER as multipart/encrypted that the partner decrypts and verifies', async () => {
    const sender = new EmailSender(settings(relay.port));
    const sent = await sender.send(amberMail());
    sender.close();

    expect(sent.accepted).toEqual(['soc@cert.example']);
    expect(sent.response).toMatch(/^250 /);
    expect(relay.received).toHaveLength(1);
    const [received] = relay.received;
    expect(received.from).toBe('csirt@broker.example.org');
    expect(received.to).toEqual(['soc@cert.example']);
    // Sent as built: nodemailer added no header of its own.
    expect(headerNames(received.raw)).toEqual([
      'Date',
      'From',
      'To',
      'Subject',
      'Message-ID',
      'MIME-Version',
      'Content-Type',
    ]);

    const mail = await simpleParser(received.raw);
    expect(mail.subject).toBe('[TLP:AMBER] advisory 6c1e2f30 v3');
    expect(received.raw).not.toContain('BlackLotus');
    expect(received.raw).not.toContain('Paris');
    expect(mail.messageId).toBe(sent.messageId);
    expect(sent.messageId).toMatch(/^<6c1e2f30-9a4b-4d2c-8e7f-112233445566\.v3\.[0-9a-f]{16}@broker\.example\.org>$/);
    expect(mail.headers.get('content-type')).toMatchObject({
      value: 'multipart/encrypted',
      params: { protocol: 'application/pgp-encrypted' },
    });

    // RFC 3156 §4: the version part, then the OpenPGP message.
    expect(mail.attachments.map((a) => a.contentType)).toEqual([
      'application/pgp-encrypted',
      'application/octet-stream',
    ]);
    expect(mail.attachments[0].content.toString()).toMatch(/^Version: 1/);
    const opened = await openSealed(mail.attachments[1].content.toString('utf8'), partnerKey, [teamKey.toPublic()]);
    expect(opened.signedBy).toEqual([teamKey.getKeyID().toHex().toUpperCase()]);
    expect(opened.text.replace(/\r\n/g, '\n')).toBe(mimeEntityForItem(ITEM_TEXT).replace(/\r\n/g, '\n'));
    expect((await simpleParser(opened.text)).text).toBe(ITEM_TEXT);
  });

  it('sends the same Message-ID when the same delivery is sent again, and another for another delivery', async () => {
    const sender = new EmailSender(settings(relay.port));
    const first = await sender.send(amberMail());
    const second = await sender.send(amberMail());
    const other = await sender.send(amberMail({ deliveryId: 'd-1002' }));
    sender.close();

    const ids = await Promise.all(relay.received.map(async (r) => (await simpleParser(r.raw)).messageId));
    expect(ids).toEqual([first.messageId, first.messageId, other.messageId]);
    expect(second.messageId).toBe(first.messageId);
    expect(other.messageId).not.toBe(first.messageId);
  });

  it('sends one message after another over the connection it keeps, and connects again once the relay closed it', async () => {
    const sender = new EmailSender(settings(relay.port));
    for (const deliveryId of ['d-2001', 'd-2002', 'd-2003']) await sender.send(amberMail({ deliveryId }));
    expect(relay.received).toHaveLength(3);
    expect(relay.connections).toBe(1);

    // The relay goes away and comes back (a restart): the kept connection is gone, the next message opens another.
    await relay.stop();
    await relay.start(relay.port);
    await sender.send(amberMail({ deliveryId: 'd-2004' }));
    sender.close();
    expect(relay.received).toHaveLength(4);
    expect(relay.connections).toBe(2);
  });

  it('delivers TLP:CLEAR as multipart/signed, with the title, and the team signature verifies', async () => {
    const sender = new EmailSender(settings(relay.port));
    const sent = await sender.send(
      amberMail({
        tlp: 'TLP:CLEAR',
        body: { kind: 'signed', entity: mimeEntityForItem(ITEM_TEXT), signingKey: teamKey },
      }),
    );
    sender.close();

    const [received] = relay.received;
    const mail = await simpleParser(received.raw);
    expect(mail.subject).toBe(`[TLP:CLEAR] advisory 6c1e2f30 v3: ${TITLE}`);
    expect(mail.messageId).toBe(sent.messageId);
    const type = mail.headers.get('content-type') as { value: string; params: Record<string, string> };
    expect(type).toMatchObject({ value: 'multipart/signed', params: { protocol: 'application/pgp-signature' } });
    expect(type.params.micalg).toMatch(/^pgp-sha(256|384|512)$/);
    expect(mail.text).toBe(ITEM_TEXT);

    // The signature covers the first part byte for byte (RFC 3156 §5), as received.
    const body = received.raw.slice(received.raw.indexOf('\r\n\r\n') + 4);
    const [, entity, signaturePart] = `\r\n${body}`.split(`\r\n--${type.params.boundary}`);
    const signature = signaturePart.slice(signaturePart.indexOf('\r\n\r\n') + 4);
    const verified = await verifyDetachedBy(signature, entity.slice(2), [
      { fingerprint: team.fingerprint, armored: team.publicArmored },
    ]);
    expect(verified).toMatchObject({ ok: true, signer: team.fingerprint });
  });

  it('reads 451 as temporary and delivers on the next attempt, with the same Message-ID', async () => {
    relay.rcptReplies = [{ code: 451, message: '4.7.1 Greylisted, try again later' }];
    const sender = new EmailSender(settings(relay.port));
    const error = await failure(sender.send(amberMail()));
    expect(error).toMatchObject({ channel: 'email', code: 'deferred', permanent: false, status: 451 });
    expect(error.message).toMatch(/^SMTP server answered 451 to RCPT: 451 4\.7\.1 Greylisted/);
    expect(relay.received).toHaveLength(0);

    const sent = await sender.send(amberMail());
    sender.close();
    expect(relay.received).toHaveLength(1);
    expect((await simpleParser(relay.received[0].raw)).messageId).toBe(sent.messageId);
  });

  it('reads 550 as permanent', async () => {
    relay.rcptReplies = [{ code: 550, message: '5.1.1 <soc@cert.example>: Recipient address rejected: User unknown' }];
    const sender = new EmailSender(settings(relay.port));
    const error = await failure(sender.send(amberMail()));
    sender.close();
    expect(error).toMatchObject({ code: 'rejected', permanent: true, status: 550 });
    expect(relay.received).toHaveLength(0);
  });

  it('keeps a display name that tries header injection inside the quoted name: one recipient, no Bcc header', async () => {
    const sender = new EmailSender(settings(relay.port));
    await sender.send(amberMail({ to: { name: 'SOC\r\nBcc: everyone@evil.example', address: 'soc@cert.example' } }));
    sender.close();
    expect(relay.received).toHaveLength(1);
    const [received] = relay.received;
    expect(received.to).toEqual(['soc@cert.example']);
    expect(headerNames(received.raw)).not.toContain('Bcc');
    expect((await simpleParser(received.raw)).to).toMatchObject({
      value: [{ name: 'SOC Bcc: everyone@evil.example', address: 'soc@cert.example' }],
    });
  });

  it('refuses an address that tries header injection before connecting', async () => {
    const sender = new EmailSender(settings(relay.port));
    const error = await failure(
      sender.send(amberMail({ to: { name: 'SOC', address: 'soc@cert.example\r\nBcc: everyone@evil.example' } })),
    );
    sender.close();
    expect(error).toMatchObject({ code: 'invalid-input', permanent: true, field: 'to.address' });
    expect(relay.received).toHaveLength(0);
  });
});

describe('EmailSender: connection, login and TLS failures', () => {
  let silent: TcpServer;
  let silentPort: number;

  beforeAll(async () => {
    // Accepts connections and never greets.
    silent = createTcpServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as AddressInfo).port;
  });

  afterAll(async () => {
    silent.close();
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('reads a refused connection as temporary', async () => {
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const sender = new EmailSender(settings(port));
    const error = await failure(sender.send(amberMail()));
    sender.close();
    expect(error).toMatchObject({ code: 'network', permanent: false });
    expect(error.message).toBe('SMTP connection failed (ECONNREFUSED)');
  });

  it('reads a relay that never greets as a temporary timeout, within the configured time', async () => {
    const sender = new EmailSender(settings(silentPort, { connectionTimeoutMs: 400 }));
    const started = Date.now();
    const error = await failure(sender.send(amberMail()));
    sender.close();
    expect(error).toMatchObject({ code: 'timeout', permanent: false });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('logs in with the configured credentials; a refused login is a temporary configuration failure without the password', async () => {
    const guarded = await new TestRelay({ auth: { user: 'broker', pass: 'correct horse battery staple' } }).start();
    try {
      const wrong = new EmailSender(settings(guarded.port, { auth: { user: 'broker', pass: 'Tr0ub4dor&3' } }));
      const error = await failure(wrong.send(amberMail()));
      wrong.close();
      expect(error).toMatchObject({ code: 'configuration', permanent: false, status: 535 });
      expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('Tr0ub4dor');
      expect(guarded.received).toHaveLength(0);

      const right = new EmailSender(
        settings(guarded.port, { auth: { user: 'broker', pass: 'correct horse battery staple' } }),
      );
      await right.send(amberMail());
      right.close();
      expect(guarded.received).toHaveLength(1);
    } finally {
      await guarded.stop();
    }
  });

  it('with requireTls, upgrades with STARTTLS to a relay whose certificate a private CA issued', async () => {
    const certificate = selfSignedCertificate('relay.test', ['127.0.0.1']);
    const tlsRelay = await new TestRelay({ tls: certificate }).start();
    try {
      const sender = new EmailSender(settings(tlsRelay.port, { requireTls: true, ca: certificate.cert }));
      await sender.send(amberMail());
      sender.close();
      expect(tlsRelay.received).toHaveLength(1);
      expect(tlsRelay.received[0].secure).toBe(true);

      // Without the CA the certificate is not trusted, and nothing is sent in clear instead.
      const untrusting = new EmailSender(settings(tlsRelay.port, { requireTls: true }));
      const error = await failure(untrusting.send(amberMail()));
      untrusting.close();
      expect(error).toMatchObject({ code: 'configuration', permanent: false });
      expect(error.message).toBe('SMTP TLS failed (DEPTH_ZERO_SELF_SIGNED_CERT)');
      expect(tlsRelay.received).toHaveLength(1);
    } finally {
      await tlsRelay.stop();
    }
  });

  it('with requireTls, refuses a relay that does not offer STARTTLS, as a temporary configuration failure', async () => {
    const sender = new EmailSender(settings(relay.port, { requireTls: true }));
    const error = await failure(sender.send(amberMail()));
    sender.close();
    expect(error).toMatchObject({ code: 'configuration', permanent: false });
    expect(relay.received).toHaveLength(0);
  });
});
