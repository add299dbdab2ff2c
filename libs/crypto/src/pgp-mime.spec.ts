import * as crypto from 'node:crypto';
import fc from 'fast-check';
import { ParsedMail, simpleParser } from 'mailparser';
import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { thrown } from '../../../test/support/errors';
import { MailHeaders, PgpMimeError, mimeEntityForItem, pgpMimeEncrypted, pgpMimeSigned } from './pgp-mime';
import { addressTo, generateKeyPair, sealOnce } from './seal';

// Boundaries come from randomBytes; one test makes the first draw collide with the content.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, randomBytes: vi.fn(actual.randomBytes) };
});

const ITEM =
  'Indicator: 203.0.113.7 — C2 de « BlackLotus », vu le 2025-05-30 🕵️\nFrom the logs:\n.\ntrailing space \n' +
  'x'.repeat(200);
const HEADERS: MailHeaders = {
  from: 'CSIRT Équipe <csirt@example.org>',
  to: ['soc@cert.example', 'Doe, John <john.doe@lea.example>'],
  subject: 'TLP:AMBER — rapport « C2 » sur les serveurs de commande, avec un sujet assez long pour être plié',
  messageId: '<item-42.v1.partner-7@broker.example.org>',
  date: new Date('2025-06-03T10:00:00Z'),
};

interface Party {
  readonly fingerprint: string;
  readonly privateKey: openpgp.PrivateKey;
  readonly publicKey: openpgp.PublicKey;
}

async function party(name: string, email: string): Promise<Party> {
  const pair = await generateKeyPair({ name, email });
  const privateKey = await openpgp.readPrivateKey({ armoredKey: pair.privateArmored });
  return { fingerprint: pair.fingerprint, privateKey, publicKey: privateKey.toPublic() };
}

let team: Party;
let partner: Party;

beforeAll(async () => {
  [team, partner] = await Promise.all([
    party('tlp-broker team', 'csirt@example.org'),
    party('Partner', 'soc@cert.example'),
  ]);
});

/** The parts of a multipart body, byte for byte (RFC 2046 §5.1.1: the CRLF before a delimiter is the delimiter's). */
function multipartParts(raw: string, boundary: string): string[] {
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  const chunks = `\r\n${body}`.split(`\r\n--${boundary}`);
  expect(chunks.at(-1)).toBe('--\r\n');
  const parts = chunks.slice(1, -1);
  for (const part of parts) expect(part.startsWith('\r\n')).toBe(true);
  return parts.map((part) => part.slice(2));
}

function contentType(mail: ParsedMail): { value: string; params: Record<string, string> } {
  return mail.headers.get('content-type') as { value: string; params: Record<string, string> };
}

function expectWellFormed(raw: string): void {
  expect(raw).toMatch(/^[\x20-\x7e\r\n]*$/);
  expect(/\r(?!\n)|(?<!\r)\n/.test(raw)).toBe(false);
  for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
}

describe('mimeEntityForItem', () => {
  it('is a text/plain; charset=utf-8 part, quoted-printable, 7-bit, that a MIME parser reads back exactly', async () => {
    const entity = mimeEntityForItem(ITEM);
    expectWellFormed(entity);
    const parsed = await simpleParser(entity);
    expect(contentType(parsed)).toEqual({ value: 'text/plain', params: { charset: 'utf-8' } });
    expect(parsed.headers.get('content-transfer-encoding')).toBe('quoted-printable');
    expect(parsed.text).toBe(ITEM);
  });

  it('encodes what transports alter: trailing whitespace, "From " and "." opening a line', () => {
    const body = mimeEntityForItem(ITEM).split('\r\n\r\n')[1];
    expect(body).toContain('\r\n=46rom the logs:\r\n=2E\r\ntrailing space=20\r\n');
    expect(
      body.split('\r\n').some((line) => /[ \t]$/.test(line) || line.startsWith('From ') || line.startsWith('.')),
    ).toBe(false);
  });

  it('uses base64 when most of the text is not ASCII', async () => {
    const text = 'Отчёт о серверах управления ботнетом\nサーバー一覧';
    const entity = mimeEntityForItem(text);
    expect(entity).toContain('Content-Transfer-Encoding: base64\r\n');
    expectWellFormed(entity);
    expect((await simpleParser(entity)).text).toBe(text);
  });

  it('round-trips any text through a MIME parser (line breaks read as LF)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({
          unit: fc.constantFrom('a', 'é', ' ', '\t', '\n', '\r\n', '=', '.', 'From ', '🕵️', 'x'.repeat(80), '\u0000'),
        }),
        async (text) => {
          fc.pre(text !== '');
          const entity = mimeEntityForItem(text);
          expectWellFormed(entity);
          expect((await simpleParser(entity)).text).toBe(text.replace(/\r\n/g, '\n'));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('pgpMimeEncrypted', () => {
  let raw: string;
  let armored: string;
  let parsed: ParsedMail;

  beforeAll(async () => {
    armored = await addressTo(await sealOnce(mimeEntityForItem(ITEM), team.privateKey), partner.publicKey);
    raw = pgpMimeEncrypted(HEADERS, armored);
    parsed = await simpleParser(raw);
  });

  it('is a 7-bit RFC 5322 message with CRLF lines of at most 78 characters', () => {
    expectWellFormed(raw);
    expect(raw).toContain('\r\nMIME-Version: 1.0\r\n');
  });

  it('carries the headers, the subject encoded per RFC 2047 and read back as written', () => {
    expect(parsed.subject).toBe(HEADERS.subject);
    expect(raw).toMatch(/\r\nSubject: =\?UTF-8\?B\?/);
    expect(parsed.messageId).toBe('<item-42.v1.partner-7@broker.example.org>');
    expect(parsed.date?.toISOString()).toBe('2025-06-03T10:00:00.000Z');
    expect(raw.startsWith('Date: Tue, 03 Jun 2025 10:00:00 +0000\r\n')).toBe(true);
    const from = parsed.from?.value ?? [];
    expect(from).toEqual([{ address: 'csirt@example.org', name: 'CSIRT Équipe' }]);
    const to = Array.isArray(parsed.to) ? parsed.to.flatMap((t) => t.value) : (parsed.to?.value ?? []);
    expect(to).toEqual([
      { address: 'soc@cert.example', name: '' },
      { address: 'john.doe@lea.example', name: 'Doe, John' },
    ]);
  });

  it('is multipart/encrypted with protocol application/pgp-encrypted and exactly the two RFC 3156 parts', () => {
    const type = contentType(parsed);
    expect(type.value).toBe('multipart/encrypted');
    expect(type.params.protocol).toBe('application/pgp-encrypted');
    expect(parsed.text).toBeUndefined();
    expect(parsed.html).toBe(false);
    expect(parsed.attachments.map((a) => a.contentType)).toEqual([
      'application/pgp-encrypted',
      'application/octet-stream',
    ]);
    expect(parsed.attachments[0].content.toString('ascii').trim()).toBe('Version: 1');
    expect(parsed.attachments[1].filename).toBe('encrypted.asc');
    expect(parsed.attachments[1].content.toString('ascii').trim()).toBe(armored.trim().replace(/\r?\n/g, '\r\n'));

    const parts = multipartParts(raw, type.params.boundary);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatch(/^Content-Type: application\/pgp-encrypted\r\n/);
    expect(parts[1]).toMatch(/^Content-Type: application\/octet-stream; name="encrypted.asc"\r\n/);
  });

  it('opens to a signed MIME entity that parses again to the item text', async () => {
    const message = await openpgp.readMessage({ armoredMessage: parsed.attachments[1].content.toString('ascii') });
    const { data, signatures } = await openpgp.decrypt({
      message,
      decryptionKeys: partner.privateKey,
      verificationKeys: team.publicKey,
      expectSigned: true,
    });
    expect(signatures).toHaveLength(1);
    await expect(signatures[0].verified).resolves.toBe(true);
    const inner = await simpleParser(data);
    expect(contentType(inner)).toEqual({ value: 'text/plain', params: { charset: 'utf-8' } });
    expect(inner.text).toBe(ITEM);
  });

  it('refuses what is not an armored OpenPGP message', () => {
    expect(() => pgpMimeEncrypted(HEADERS, 'hello')).toThrow(PgpMimeError);
    expect(() =>
      pgpMimeEncrypted(HEADERS, '-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----'),
    ).toThrow(/armoredMessage/);
    expect(() => pgpMimeEncrypted(HEADERS, '-----BEGIN PGP MESSAGE-----\n\nabcé\n-----END PGP MESSAGE-----')).toThrow(
      /armoredMessage/,
    );
  });

  it('draws another boundary when the first occurs in the content', () => {
    const first = Buffer.alloc(18, 0);
    const collides = `=_tlpb_${first.toString('base64url')}`;
    const message = armored.replace(
      '-----BEGIN PGP MESSAGE-----\n',
      `-----BEGIN PGP MESSAGE-----\nComment: ${collides}\n`,
    );
    vi.mocked(crypto.randomBytes).mockImplementationOnce(() => first);
    const mail = pgpMimeEncrypted(HEADERS, message);
    expect(mail).toContain(`Comment: ${collides}\r\n`);
    const boundary = /boundary="([^"]+)"/.exec(mail)![1];
    expect(boundary).not.toBe(collides);
    expect(multipartParts(mail, boundary)).toHaveLength(2);
  });
});

describe('pgpMimeSigned', () => {
  let entity: string;
  let raw: string;
  let parsed: ParsedMail;

  beforeAll(async () => {
    entity = mimeEntityForItem(ITEM);
    raw = await pgpMimeSigned(HEADERS, entity, team.privateKey);
    parsed = await simpleParser(raw);
  });

  function signedParts(mail: string, boundary: string): { signed: string; signature: string } {
    const parts = multipartParts(mail, boundary);
    expect(parts).toHaveLength(2);
    return { signed: parts[0], signature: parts[1].slice(parts[1].indexOf('\r\n\r\n') + 4) };
  }

  async function verifyOver(
    signed: string,
    armoredSignature: string,
    key: openpgp.PublicKey,
  ): Promise<openpgp.Signature> {
    const { signatures } = await openpgp.verify({
      message: await openpgp.createMessage({ binary: new TextEncoder().encode(signed) }),
      signature: await openpgp.readSignature({ armoredSignature }),
      verificationKeys: key,
      expectSigned: true,
      format: 'binary',
    });
    await signatures[0].verified;
    return signatures[0].signature;
  }

  it('is a 7-bit RFC 5322 message with CRLF lines', () => {
    expectWellFormed(raw);
  });

  it('is multipart/signed with protocol application/pgp-signature, the entity then the signature', () => {
    const type = contentType(parsed);
    expect(type.value).toBe('multipart/signed');
    expect(type.params.protocol).toBe('application/pgp-signature');
    expect(type.params.micalg).toMatch(/^pgp-sha(256|384|512)$/);
    expect(parsed.subject).toBe(HEADERS.subject);
    expect(parsed.text).toBe(ITEM);
    expect(parsed.attachments.map((a) => [a.contentType, a.filename])).toEqual([
      ['application/pgp-signature', 'signature.asc'],
    ]);
    expect(parsed.attachments[0].content.toString('ascii')).toMatch(/^-----BEGIN PGP SIGNATURE-----/);
  });

  it('signs exactly the bytes of the first part, which are the entity given, and micalg names the hash used', async () => {
    const type = contentType(parsed);
    const { signed, signature } = signedParts(raw, type.params.boundary);
    expect(signed).toBe(entity);
    const made = await verifyOver(signed, signature, team.publicKey);
    const hash = made.packets[0].hashAlgorithm!;
    expect(type.params.micalg).toBe(`pgp-${openpgp.enums.read(openpgp.enums.hash, hash)}`);
    expect(made.packets[0].signatureType).toBe(openpgp.enums.signature.binary);
    expect(made.getSigningKeyIDs().map((id) => id.toHex())).toEqual([team.publicKey.getKeyID().toHex()]);
  });

  it('does not verify once a byte of the entity changes', async () => {
    const { signed, signature } = signedParts(raw, contentType(parsed).params.boundary);
    await expect(verifyOver(signed.replace('203.0.113.7', '203.0.113.8'), signature, team.publicKey)).rejects.toThrow(
      /signed digest did not match|signature/i,
    );
  });

  it('uses SHA-256 (micalg=pgp-sha256) with an RSA team key', async () => {
    const { privateKey } = await openpgp.generateKey({
      type: 'rsa',
      rsaBits: 3072,
      userIDs: [{ name: 'RSA team', email: 'rsa@example.org' }],
      format: 'object',
    });
    const mail = await pgpMimeSigned(HEADERS, entity, privateKey);
    const type = contentType(await simpleParser(mail));
    expect(type.params.micalg).toBe('pgp-sha256');
    const { signed, signature } = signedParts(mail, type.params.boundary);
    const made = await verifyOver(signed, signature, privateKey.toPublic());
    expect(made.packets[0].hashAlgorithm).toBe(openpgp.enums.hash.sha256);
  });

  it('canonicalises the entity to CRLF before signing', async () => {
    const lf = entity.replace(/\r\n/g, '\n');
    const mail = await pgpMimeSigned(HEADERS, lf, team.privateKey);
    const { signed, signature } = signedParts(mail, /boundary="([^"]+)"/.exec(mail)![1]);
    expect(signed).toBe(entity);
    await verifyOver(signed, signature, team.publicKey);
  });

  it('refuses an entity a transport could alter or that is not a MIME entity', async () => {
    const refused = async (candidate: string, pattern: RegExp) => {
      const error = await pgpMimeSigned(HEADERS, candidate, team.privateKey).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PgpMimeError);
      expect((error as PgpMimeError).field).toBe('entity');
      expect((error as Error).message).toMatch(pattern);
    };
    await refused('Content-Type: text/plain; charset=utf-8\r\n\r\nCafé', /7-bit/);
    await refused('Content-Type: text/plain\r\n\r\ntrailing \r\n', /whitespace/);
    await refused('Content-Type: text/plain\r\n\r\nFrom me\r\n', /From /);
    await refused(`Content-Type: text/plain\r\n\r\n${'a'.repeat(1000)}`, /998/);
    await refused('just a body', /not a MIME entity/);
    await refused('', /required/);
  });
});

describe('headers', () => {
  const entity = mimeEntityForItem('x');
  let armored: string;

  beforeAll(async () => {
    armored = await addressTo(await sealOnce(entity, team.privateKey), partner.publicKey);
  });

  const refusal = (headers: Partial<Record<keyof MailHeaders, unknown>>): PgpMimeError =>
    thrown(() => pgpMimeEncrypted({ ...HEADERS, ...headers } as MailHeaders, armored), PgpMimeError);

  it.each([
    ['subject', { subject: 'Hello\r\nBcc: victim@example.net' }],
    ['subject', { subject: 'Hello\nBcc: victim@example.net' }],
    ['subject', { subject: 'Hello\rBcc: victim@example.net' }],
    ['subject', { subject: 'Bell\u0007' }],
    ['subject', { subject: 'Next line\u0085' }],
    ['subject', { subject: 'Line separator\u2028' }],
    ['from', { from: 'csirt@example.org\r\nBcc: victim@example.net' }],
    ['from', { from: 'Name\u0000 <csirt@example.org>' }],
    ['to[1]', { to: ['soc@cert.example', 'x@example.net\nBcc: victim@example.net'] }],
    ['to[0]', { to: ['soc@cert.example, victim@example.net'] }],
    ['to[0]', { to: ['not an address'] }],
    ['to[0]', { to: ['unicodé@example.net'] }],
    ['to', { to: [] }],
    ['messageId', { messageId: '<a@b>\r\nBcc: victim@example.net' }],
    ['messageId', { messageId: 'no-at-sign' }],
    ['messageId', { messageId: '<a@b> <c@d>' }],
    ['date', { date: new Date('not a date') }],
    ['subject', { subject: 42 }],
  ])('refuses a bad %s', (field, headers) => {
    const error = refusal(headers);
    expect(error.field).toBe(field);
  });

  it('refuses injection in the signed form too', async () => {
    await expect(
      pgpMimeSigned({ ...HEADERS, subject: 'x\r\nBcc: y@example.net' }, entity, team.privateKey),
    ).rejects.toBeInstanceOf(PgpMimeError);
  });

  it('folds a long ASCII subject at spaces, and a parser unfolds it to what was written', async () => {
    const subject = `TLP:GREEN ${'indicators of compromise for the campaign '.repeat(4)}end`;
    const raw = pgpMimeEncrypted({ ...HEADERS, subject }, armored);
    expectWellFormed(raw);
    expect(raw).toMatch(/\r\nSubject: TLP:GREEN indicators/);
    expect((await simpleParser(raw)).subject).toBe(subject);
  });

  it('keeps an ASCII subject that looks like an encoded-word literal', async () => {
    const subject = 'Re: =?UTF-8?B?SGVsbG8=?= is not decoded';
    expect((await simpleParser(pgpMimeEncrypted({ ...HEADERS, subject }, armored))).subject).toBe(subject);
  });

  it('quotes display names with specials and encodes non-ASCII ones', async () => {
    const raw = pgpMimeEncrypted(
      {
        ...HEADERS,
        from: '"Team \\"Blue\\"" <blue@example.org>',
        to: ['Ops (24/7) <ops@example.org>', 'Сергей <s@example.org>'],
      },
      armored,
    );
    expect(raw).toContain('From: "Team \\"Blue\\"" <blue@example.org>\r\n');
    const parsed = await simpleParser(raw);
    expect(parsed.from?.value).toEqual([{ address: 'blue@example.org', name: 'Team "Blue"' }]);
    const to = Array.isArray(parsed.to) ? parsed.to.flatMap((t) => t.value) : (parsed.to?.value ?? []);
    expect(to).toEqual([
      { address: 'ops@example.org', name: 'Ops (24/7)' },
      { address: 's@example.org', name: 'Сергей' },
    ]);
  });

  it('reads any printable subject back as written (less leading and trailing spaces)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({
          unit: fc.constantFrom('a', 'Z', ' ', 'é', '—', '🕵️', '=?', '?=', '"', ':', 'x'.repeat(30)),
          minLength: 1,
        }),
        async (subject) => {
          fc.pre(subject.trim() !== '');
          const raw = pgpMimeEncrypted({ ...HEADERS, subject }, armored);
          expectWellFormed(raw);
          expect((await simpleParser(raw)).subject).toBe(subject.trim());
        },
      ),
      { numRuns: 100 },
    );
  });
});
