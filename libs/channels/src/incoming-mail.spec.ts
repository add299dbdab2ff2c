import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyOwner } from '@tlp-broker/crypto';
import { GnuPG } from '../../../test/support/gnupg';
import { readIncomingMail, type MailLimits, type MailReading, type ReadMail } from './incoming-mail';

const CRLF = '\r\n';

const LIMITS: MailLimits = {
  maxMessageBytes: 2 * 1024 * 1024,
  maxAttachmentBytes: 64 * 1024,
  maxContentBytes: 1024 * 1024,
  maxMimeDepth: 8,
  openPgpTimeoutMs: 10_000,
};

/** The team's keys as openpgp.js makes them, and partners' keys as GnuPG makes them. */
let gpg: GnuPG;
let active: { key: openpgp.PrivateKey; fingerprint: string };
let retired: { key: openpgp.PrivateKey; fingerprint: string };
let partnerA: KeyOwner;
let partnerB: KeyOwner;
let strangerFingerprint: string;
let outsiderFingerprint: string;
let expiringFingerprint: string;
let keys: { team: openpgp.PrivateKey[]; registered: KeyOwner[] };

async function teamKey(name: string) {
  const pair = await generateKeyPair({ name, email: 'csirt@team.example' });
  return { key: await openpgp.readPrivateKey({ armoredKey: pair.privateArmored }), fingerprint: pair.fingerprint };
}

async function gpgKey(userId: string, expiry = 'never'): Promise<{ fingerprint: string; armored: string }> {
  await gpg.gpg(['--quick-gen-key', userId, 'ed25519', 'sign', expiry]);
  const fingerprint = await gpg.fingerprintOf(userId);
  await gpg.gpg(['--quick-add-key', fingerprint, 'cv25519', 'encr', expiry]);
  return { fingerprint, armored: await gpg.exportPublicKey(fingerprint) };
}

beforeAll(async () => {
  gpg = await GnuPG.create();
  [active, retired] = await Promise.all([teamKey('Team CSIRT'), teamKey('Team CSIRT (2024)')]);
  const a = await gpgKey('Partner A SOC <soc@a.example>');
  const b = await gpgKey('Partner B analyst <analyst@b.example>');
  strangerFingerprint = (await gpgKey('Stranger <someone@elsewhere.example>')).fingerprint;
  outsiderFingerprint = (await gpgKey('Other team <csirt@other.example>')).fingerprint;
  const expiring = await gpgKey('Expiring key <old@a.example>', '1d');
  expiringFingerprint = expiring.fingerprint;
  for (const team of [active, retired]) await gpg.importKey(team.key.toPublic().armor());
  partnerA = { fingerprint: a.fingerprint, armored: a.armored, organisationId: 'org-a', contactId: null };
  partnerB = { fingerprint: b.fingerprint, armored: b.armored, organisationId: 'org-b', contactId: 'contact-b' };
  const expiringOwner = { ...expiring, organisationId: 'org-a', contactId: 'contact-old' };
  keys = { team: [active.key, retired.key], registered: [partnerA, partnerB, expiringOwner] };
}, 60_000);

afterAll(async () => {
  await gpg?.destroy();
});

/** What GnuPG itself makes of `input` with these options (recipients are trusted as given). */
async function gnupg(args: string[], input: string | Buffer): Promise<string> {
  const { stdout } = await gpg.gpg(['--trust-model', 'always', '--armor', '--output', '-', ...args], input as string);
  return stdout;
}

const encryptTo = (fingerprint: string) => ['--encrypt', '--recipient', fingerprint];
const signBy = (fingerprint: string) => ['--sign', '--local-user', fingerprint];

function crlf(text: string): string {
  return text.replace(/\r?\n/g, CRLF);
}

let messages = 0;

/** An RFC 5322 message: the usual headers (overridable), then the given ones, then the body. */
function message(headers: Record<string, string>, body: string, from = 'Partner A SOC <soc@a.example>'): Buffer {
  const all: Record<string, string> = {
    From: from,
    To: 'csirt@team.example',
    Subject: 'Report',
    Date: 'Tue, 03 Mar 2026 10:00:00 +0100',
    'Message-ID': `<m${++messages}@a.example>`,
    'MIME-Version': '1.0',
    ...headers,
  };
  const head = Object.entries(all)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `${name}: ${value}`);
  return Buffer.from([...head, '', crlf(body)].join(CRLF), 'utf8');
}

function multipart(boundary: string, parts: string[], epilogue = ''): string {
  return `This is a multi-part message.${CRLF}${parts.map((part) => `--${boundary}${CRLF}${part}${CRLF}`).join('')}--${boundary}--${CRLF}${epilogue}`;
}

const textEntity = (text: string) =>
  crlf(`Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n${text}`);

function pgpMimeEncrypted(armored: string): { headers: Record<string, string>; body: string } {
  const boundary = 'enc-boundary-1';
  return {
    headers: {
      'Content-Type': `multipart/encrypted; protocol="application/pgp-encrypted"; boundary="${boundary}"`,
    },
    body: multipart(boundary, [
      crlf(
        'Content-Type: application/pgp-encrypted\nContent-Description: PGP/MIME version identification\n\nVersion: 1\n',
      ),
      crlf(
        `Content-Type: application/octet-stream; name="encrypted.asc"\nContent-Disposition: inline; filename="encrypted.asc"\n\n${armored}`,
      ),
    ]),
  };
}

/** RFC 3156 §5: `entity` then GnuPG's detached signature over its canonical bytes. */
async function pgpMimeSigned(entity: string, signer: string): Promise<{ contentType: string; body: string }> {
  const signature = await gnupg(['--detach-sign', '--local-user', signer], crlf(entity));
  const boundary = 'sig-boundary-7';
  return {
    contentType: `multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="${boundary}"`,
    body: multipart(boundary, [
      crlf(entity),
      crlf(`Content-Type: application/pgp-signature; name="signature.asc"\n\n${signature}`),
    ]),
  };
}

async function read(raw: Buffer, limits: MailLimits = LIMITS, now?: Date): Promise<MailReading> {
  return readIncomingMail(raw, keys, limits, now);
}

async function readOk(raw: Buffer, limits: MailLimits = LIMITS, now?: Date): Promise<ReadMail> {
  const reading = await read(raw, limits, now);
  if (!reading.ok) throw new Error(`refused: ${reading.reason}: ${reading.detail}`);
  return reading.mail;
}

const REPORT = 'Phishing wave: 198.51.100.23 and hxxp://evil[.]example/login, « hameçon » 🎣\nTLP:AMBER';

describe('readIncomingMail: PGP/MIME from GnuPG', () => {
  it('decrypts a message signed and encrypted in one (RFC 3156 §6.2) and names the key owner as signer', async () => {
    const armored = await gnupg(
      [...encryptTo(active.fingerprint), ...signBy(partnerA.fingerprint)],
      textEntity(REPORT),
    );
    const { headers, body } = pgpMimeEncrypted(armored);
    const mail = await readOk(message({ ...headers, Subject: '=?utf-8?Q?Rapport_d=E2=80=99incident?=' }, body));
    expect(mail).toMatchObject({ form: 'pgp-mime', encrypted: true, decryptedWith: active.fingerprint });
    expect(mail.subject).toBe('Rapport d’incident');
    expect(mail.text.trim()).toBe(REPORT);
    expect(mail.signature).toMatchObject({ state: 'verified', signer: partnerA });
    expect(mail.signature.state === 'verified' && mail.signature.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes the subject protected inside the encrypted entity over the outer "..."', async () => {
    const entity = crlf(
      `Content-Type: text/plain; charset=utf-8; protected-headers="v1"\nSubject: =?utf-8?Q?TLP:AMBER_hame=C3=A7on?=\nContent-Transfer-Encoding: 8bit\n\n${REPORT}`,
    );
    const armored = await gnupg([...encryptTo(active.fingerprint), ...signBy(partnerA.fingerprint)], entity);
    const { headers, body } = pgpMimeEncrypted(armored);
    const mail = await readOk(message({ ...headers, Subject: '...' }, body));
    expect(mail.subject).toBe('TLP:AMBER hameçon');
    expect(mail.text.trim()).toBe(REPORT);
  });

  it('decrypts a multipart/signed entity encrypted whole (RFC 3156 §6.1), attachment included', async () => {
    const inner = crlf(
      `Content-Type: multipart/mixed; boundary="inner-mixed"\n\n${multipart('inner-mixed', [
        textEntity(REPORT),
        'Content-Type: text/csv; name="iocs.csv"\nContent-Disposition: attachment; filename="iocs.csv"\n\nip\n198.51.100.23\n',
      ])}`,
    );
    const signed = await pgpMimeSigned(inner, partnerB.fingerprint);
    const entity = `Content-Type: ${signed.contentType}\r\n\r\n${signed.body}`;
    const { headers, body } = pgpMimeEncrypted(await gnupg(encryptTo(active.fingerprint), entity));
    const mail = await readOk(message(headers, body));
    expect(mail).toMatchObject({ form: 'pgp-mime', encrypted: true, attachmentsDropped: 0 });
    expect(mail.signature).toMatchObject({ state: 'verified', signer: partnerB });
    expect(mail.text.trim()).toBe(REPORT);
    expect(mail.attachments.map((file) => [file.filename, file.mediaType, file.content.toString()])).toEqual([
      ['iocs.csv', 'text/csv', 'ip\r\n198.51.100.23\r\n'],
    ]);
  });

  it('verifies a multipart/signed message in the clear over its exact bytes', async () => {
    const signed = await pgpMimeSigned(textEntity(REPORT), partnerA.fingerprint);
    const mail = await readOk(message({ 'Content-Type': signed.contentType }, signed.body));
    expect(mail).toMatchObject({ form: 'pgp-mime', encrypted: false, decryptedWith: null });
    expect(mail.signature).toMatchObject({ state: 'verified', signer: partnerA });
    expect(mail.text.trim()).toBe(REPORT);
  });

  it('verifies a multipart/signed message stored with bare LF line endings (canonicalised to CRLF)', async () => {
    const signed = await pgpMimeSigned(textEntity(REPORT), partnerA.fingerprint);
    const raw = message({ 'Content-Type': signed.contentType }, signed.body).toString('utf8').replace(/\r\n/g, '\n');
    const mail = await readOk(Buffer.from(raw, 'utf8'));
    expect(mail.signature).toMatchObject({ state: 'verified', signer: partnerA });
  });

  it('refuses a signed message whose content was changed after signing (bad-signature)', async () => {
    const signed = await pgpMimeSigned(textEntity(REPORT), partnerA.fingerprint);
    const tampered = signed.body.replace('198.51.100.23', '198.51.100.99');
    const raw = message({ 'Content-Type': signed.contentType, 'Message-ID': '<tampered@a.example>' }, tampered);
    const reading = await read(raw);
    expect(reading).toMatchObject({
      ok: false,
      reason: 'bad-signature',
      messageId: '<tampered@a.example>',
      from: 'soc@a.example',
    });
    expect(!reading.ok && reading.detail).toContain(partnerA.fingerprint);
  });

  it("names the real key owner when a partner signs under another's From:, and returns the From: as written", async () => {
    const armored = await gnupg(
      [...encryptTo(active.fingerprint), ...signBy(partnerB.fingerprint)],
      textEntity(REPORT),
    );
    const { headers, body } = pgpMimeEncrypted(armored);
    const mail = await readOk(message(headers, body, 'Partner A SOC <soc@a.example>'));
    expect(mail.from).toEqual({ name: 'Partner A SOC', address: 'soc@a.example' });
    expect(mail.signature).toMatchObject({
      state: 'verified',
      signer: { organisationId: 'org-b', contactId: 'contact-b' },
    });
  });

  it('reads a signature by an unregistered key as unknown-signer, naming its key id', async () => {
    const signed = await pgpMimeSigned(textEntity(REPORT), strangerFingerprint);
    const mail = await readOk(message({ 'Content-Type': signed.contentType }, signed.body));
    expect(mail.signature.state).toBe('unknown-signer');
    const keyIds = mail.signature.state === 'unknown-signer' ? mail.signature.keyIds : [];
    // GnuPG signs with the primary key: its key id is the end of its fingerprint.
    expect(keyIds).toEqual([strangerFingerprint.slice(-16)]);
  });

  it('accepts, as not verified, a signature by a registered key that has expired since', async () => {
    const signed = await pgpMimeSigned(textEntity(REPORT), expiringFingerprint);
    const later = new Date(Date.now() + 3 * 86_400_000);
    const mail = await readOk(message({ 'Content-Type': signed.contentType }, signed.body), LIMITS, later);
    expect(mail.signature).toMatchObject({
      state: 'invalid',
      reason: 'key-expired',
      signer: { contactId: 'contact-old' },
    });
  });

  it('decrypts a message encrypted to a retired team key', async () => {
    const { headers, body } = pgpMimeEncrypted(await gnupg(encryptTo(retired.fingerprint), textEntity(REPORT)));
    const mail = await readOk(message(headers, body));
    expect(mail).toMatchObject({
      encrypted: true,
      decryptedWith: retired.fingerprint,
      signature: { state: 'unsigned' },
    });
    expect(mail.text.trim()).toBe(REPORT);
  });

  it('refuses a message encrypted to a key that is not the team’s (undecryptable), naming the key id', async () => {
    const { headers, body } = pgpMimeEncrypted(await gnupg(encryptTo(outsiderFingerprint), textEntity(REPORT)));
    const reading = await read(message(headers, body));
    expect(reading).toMatchObject({ ok: false, reason: 'undecryptable', from: 'soc@a.example' });
    const { stdout } = await gpg.gpg(['--with-colons', '--list-keys', outsiderFingerprint]);
    const encryptionKeyId = stdout
      .split('\n')
      .find((line) => line.startsWith('sub:'))!
      .split(':')[4];
    expect(!reading.ok && reading.detail).toContain(encryptionKeyId);
  });
});

describe('readIncomingMail: inline PGP from GnuPG', () => {
  it('decrypts and verifies an inline message encrypted and signed', async () => {
    const armored = await gnupg([...encryptTo(active.fingerprint), ...signBy(partnerA.fingerprint)], REPORT);
    const raw = message(
      { 'Content-Type': 'text/plain; charset=us-ascii' },
      `Hello,\n\n${armored}\n-- \nSent from a phone`,
    );
    const mail = await readOk(raw);
    expect(mail).toMatchObject({ form: 'inline', encrypted: true, decryptedWith: active.fingerprint });
    expect(mail.signature).toMatchObject({ state: 'verified', signer: partnerA });
    expect(mail.text).toBe(REPORT);
  });

  it('verifies a cleartext-signed body and keeps only the signed text', async () => {
    const clearsigned = await gnupg(
      ['--clearsign', '--local-user', partnerA.fingerprint],
      `${REPORT}\n- a dashed line\n`,
    );
    const raw = message(
      { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Transfer-Encoding': '8bit' },
      `Unsigned greeting\n${clearsigned}\nUnsigned footer`,
    );
    const mail = await readOk(raw);
    expect(mail).toMatchObject({
      form: 'inline',
      encrypted: false,
      signature: { state: 'verified', signer: partnerA },
    });
    expect(mail.text).toBe(`${REPORT}\n- a dashed line`);
    expect(mail.text).not.toContain('Unsigned');
  });

  it('refuses a cleartext-signed body changed after signing', async () => {
    const clearsigned = await gnupg(['--clearsign', '--local-user', partnerB.fingerprint], REPORT);
    const raw = message(
      { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Transfer-Encoding': '8bit' },
      clearsigned.replace('AMBER', 'CLEAR'),
    );
    expect(await read(raw)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });
});

describe('readIncomingMail: messages in the clear', () => {
  it('reads a plain message: envelope as written, one-line subject, no signature', async () => {
    const raw = message(
      {
        Subject: 'Suspicious\u0007 login\r\n  attempts \u202eexe.pdf',
        'Content-Type': 'text/plain; charset=iso-8859-1',
        'Content-Transfer-Encoding': 'quoted-printable',
      },
      'Bonjour, un hame=E7on.\n',
      '"Analyst, Partner" <analyst@b.example>',
    );
    const mail = await readOk(raw);
    expect(mail).toMatchObject({
      form: 'clear',
      encrypted: false,
      signature: { state: 'unsigned' },
      from: { name: 'Analyst, Partner', address: 'analyst@b.example' },
      subject: 'Suspicious login attempts exe.pdf',
      htmlReduced: false,
      rawSizeBytes: raw.length,
    });
    expect(mail.messageId).toMatch(/^<m\d+@a\.example>$/);
    expect(mail.date).toEqual(new Date('2026-03-03T09:00:00Z'));
    expect(mail.text.trim()).toBe('Bonjour, un hameçon.');
  });

  it('reads armor quoted in a reply as text, not as a message to open', async () => {
    const quoted = '> -----BEGIN PGP MESSAGE-----\n>\n> hQEMA0xyz\n> -----END PGP MESSAGE-----\n\nSee above.';
    const mail = await readOk(message({ 'Content-Type': 'text/plain; charset=utf-8' }, quoted));
    expect(mail).toMatchObject({ form: 'clear', signature: { state: 'unsigned' } });
    expect(mail.text).toContain('See above.');
  });

  it('gives null for a missing Message-ID, From and Date', async () => {
    const mail = await readOk(message({ 'Message-ID': '', From: '', Date: '' }, 'text', ''));
    expect(mail).toMatchObject({ messageId: null, from: null, date: null });
  });

  describe('HTML', () => {
    let server: Server;
    let requests = 0;
    let origin: string;

    beforeAll(async () => {
      server = createServer((_request, response) => {
        requests++;
        response.end('x');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    const html = () =>
      `<html><head><link rel="stylesheet" href="${origin}/style.css"><script src="${origin}/x.js">alert(1)</script></head>` +
      `<body><p>Indicator <b>203.0.113.9</b></p><img src="${origin}/pixel.gif"><iframe src="${origin}/frame"></iframe>` +
      `<a href="${origin}/phish">click</a></body></html>`;

    it('reduces an HTML-only message to text and fetches nothing it names', async () => {
      const mail = await readOk(message({ 'Content-Type': 'text/html; charset=utf-8' }, html()));
      expect(mail.htmlReduced).toBe(true);
      expect(mail.text).toContain('Indicator 203.0.113.9');
      expect(mail.text).not.toMatch(/<|alert\(1\)/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(requests).toBe(0);
    });

    it('reduces an HTML part beside attachments, with no plain text part, to text too', async () => {
      const body = multipart('mixed-h', [
        `Content-Type: text/html; charset=utf-8\r\n\r\n${html()}`,
        'Content-Type: application/octet-stream; name="a.bin"\r\nContent-Disposition: attachment; filename="a.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC',
      ]);
      const mail = await readOk(message({ 'Content-Type': 'multipart/mixed; boundary="mixed-h"' }, body));
      expect(mail.htmlReduced).toBe(true);
      expect(mail.text).toContain('Indicator 203.0.113.9');
      expect(mail.attachments.map((file) => [...file.content])).toEqual([[0, 1, 2]]);
      expect(requests).toBe(0);
    });

    it('keeps the plain text of a multipart/alternative message', async () => {
      const body = multipart('alt', [textEntity('Plain version'), `Content-Type: text/html\r\n\r\n${html()}`]);
      const mail = await readOk(message({ 'Content-Type': 'multipart/alternative; boundary="alt"' }, body));
      expect(mail).toMatchObject({ htmlReduced: false });
      expect(mail.text.trim()).toBe('Plain version');
    });
  });

  it('keeps attachments within the size bound as bytes, counts the others, and strips paths from names', async () => {
    const small = randomBytes(1000);
    const large = randomBytes(LIMITS.maxAttachmentBytes + 1);
    const attachment = (name: string, bytes: Buffer) =>
      `Content-Type: application/pdf; name="${name}"\r\nContent-Disposition: attachment; filename="${name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${bytes.toString('base64').replace(/(.{76})/g, '$1\r\n')}`;
    const body = multipart('mixed-a', [
      textEntity(REPORT),
      attachment('../../etc/report.pdf', small),
      attachment('dump.pdf', large),
    ]);
    const mail = await readOk(message({ 'Content-Type': 'multipart/mixed; boundary="mixed-a"' }, body));
    expect(mail.attachmentsDropped).toBe(1);
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({ filename: 'report.pdf', mediaType: 'application/pdf' });
    expect(mail.attachments[0].content.equals(small)).toBe(true);
  });
});

describe('readIncomingMail: hostile messages', () => {
  it('refuses a compression bomb (100 MB of zeros) quickly, in bounded memory', async () => {
    const zeros = join(gpg.home, 'zeros');
    const file = await open(zeros, 'w');
    await file.truncate(100 * 1024 * 1024);
    await file.close();
    const { stdout: armored } = await gpg.gpg([
      '--trust-model',
      'always',
      '--armor',
      '--output',
      '-',
      '--compress-algo',
      'zlib',
      '-z',
      '9',
      ...encryptTo(active.fingerprint),
      zeros,
    ]);
    expect(armored.length).toBeLessThan(LIMITS.maxMessageBytes);
    const { headers, body } = pgpMimeEncrypted(armored);
    const raw = message(headers, body);
    const before = process.memoryUsage();
    const started = performance.now();
    const reading = await read(raw);
    const elapsed = performance.now() - started;
    const after = process.memoryUsage();
    expect(reading).toMatchObject({ ok: false, reason: 'too-large' });
    expect(elapsed).toBeLessThan(3_000);
    const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    expect(grown).toBeLessThan(40 * 1024 * 1024);
  });

  it('refuses a message nested 60 levels deep at once, without recursion', async () => {
    let body = textEntity('at the bottom');
    for (let level = 60; level >= 1; level--)
      body = `Content-Type: multipart/mixed; boundary="b${level}"\r\n\r\n${multipart(`b${level}`, [body])}`;
    const [head, ...rest] = body.split('\r\n\r\n');
    const raw = message({ 'Content-Type': head.slice('Content-Type: '.length) }, rest.join('\r\n\r\n'));
    const started = performance.now();
    const reading = await read(raw);
    expect(reading).toMatchObject({ ok: false, reason: 'too-deep' });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('refuses nesting hidden inside the encrypted part too', async () => {
    let entity = textEntity('deep inside');
    for (let level = 10; level >= 1; level--)
      entity = `Content-Type: multipart/mixed; boundary="i${level}"\r\n\r\n${multipart(`i${level}`, [entity])}`;
    const { headers, body } = pgpMimeEncrypted(await gnupg(encryptTo(active.fingerprint), entity));
    expect(await read(message(headers, body))).toMatchObject({ ok: false, reason: 'too-deep' });
  });

  it('refuses a message over the size bound before reading it', async () => {
    const raw = message({}, 'x'.repeat(4096));
    const reading = await read(raw, { ...LIMITS, maxMessageBytes: 1024 });
    expect(reading).toMatchObject({ ok: false, reason: 'too-large', from: 'soc@a.example' });
    expect(!reading.ok && reading.messageId).toMatch(/^<m\d+@a\.example>$/);
  });

  it('gives up an OpenPGP read that takes longer than its time bound', async () => {
    const content = randomBytes(3 * 1024 * 1024).toString('base64');
    const { headers, body } = pgpMimeEncrypted(await gnupg(encryptTo(active.fingerprint), content));
    const reading = await read(message(headers, body), {
      ...LIMITS,
      maxMessageBytes: 16 * 1024 * 1024,
      maxContentBytes: 16 * 1024 * 1024,
      openPgpTimeoutMs: 1,
    });
    expect(reading).toMatchObject({ ok: false, reason: 'timeout' });
  });

  it('answers damaged input with a refusal or a reading, never by throwing', async () => {
    const armored = await gnupg(
      [...encryptTo(active.fingerprint), ...signBy(partnerA.fingerprint)],
      textEntity(REPORT),
    );
    const { headers, body } = pgpMimeEncrypted(armored);
    const sample = message(headers, body);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(sample.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(sample.length),
        async (changes, cut) => {
          const damaged = Buffer.from(sample.subarray(0, cut));
          for (const [at, byte] of changes) if (at < damaged.length) damaged[at] = byte;
          const reading = await read(damaged);
          expect(typeof reading.ok).toBe('boolean');
        },
      ),
      { numRuns: 60 },
    );
  });
});
