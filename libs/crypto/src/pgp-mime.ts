import { randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';

/**
 * PGP/MIME (RFC 3156) mail, written out as complete RFC 5322 messages: 7-bit, CRLF line endings,
 * ready to hand to an SMTP client as raw source.
 */
export interface MailHeaders {
  /** One mailbox: `csirt@example.org` or `Team Name <csirt@example.org>`. */
  readonly from: string;
  /** One mailbox per element, at least one. */
  readonly to: readonly string[];
  readonly subject: string;
  /** `<unique@domain>`, with or without the angle brackets. */
  readonly messageId: string;
  readonly date: Date;
}

/** Something the caller gave cannot go into a message safely; `field` names it. */
export class PgpMimeError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

const CRLF = '\r\n';
const MAX_LINE = 76;

/**
 * The entity callers sign and encrypt for mail: `text/plain; charset=utf-8`, quoted-printable
 * (base64 when over a third of the bytes would need escaping), so what a partner's client decrypts is itself
 * a MIME part it can show. 7-bit and CRLF, so it can also be the signed part of multipart/signed.
 */
export function mimeEntityForItem(textBody: string): string {
  const bytes = Buffer.from(toCrlf(textBody), 'utf8');
  const escaped = bytes.filter(
    (b) => (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b > 0x7e || b === 0x3d,
  ).length;
  const useBase64 = escaped * 3 > bytes.length;
  const body = useBase64 ? base64Lines(bytes) : quotedPrintable(bytes);
  return [
    'Content-Type: text/plain; charset=utf-8',
    `Content-Transfer-Encoding: ${useBase64 ? 'base64' : 'quoted-printable'}`,
    '',
    body,
  ].join(CRLF);
}

/**
 * RFC 3156 §4 multipart/encrypted around one armored OpenPGP message. The message may be signed
 * and encrypted in one (RFC 3156 §6.2), as `addressTo` makes it.
 */
export function pgpMimeEncrypted(headers: MailHeaders, armoredMessage: string): string {
  const head = headerLines(headers);
  const armored = armoredBlock('armoredMessage', armoredMessage, 'PGP MESSAGE');
  const parts = [
    [
      'Content-Type: application/pgp-encrypted',
      'Content-Description: PGP/MIME version identification',
      '',
      'Version: 1',
      '',
    ].join(CRLF),
    [
      'Content-Type: application/octet-stream; name="encrypted.asc"',
      'Content-Description: OpenPGP encrypted message',
      'Content-Disposition: inline; filename="encrypted.asc"',
      '',
      armored,
    ].join(CRLF),
  ];
  const boundary = boundaryFor(parts);
  return multipart(
    head,
    `multipart/encrypted; protocol="application/pgp-encrypted"; boundary="${boundary}"`,
    boundary,
    parts,
    'This is an OpenPGP/MIME encrypted message (RFC 3156).',
  );
}

/**
 * RFC 3156 §5 multipart/signed: `entity` (a MIME entity, 7-bit, e.g. from `mimeEntityForItem`)
 * then a detached signature over exactly its canonical (CRLF) bytes. For TLP:CLEAR mail.
 */
export async function pgpMimeSigned(
  headers: MailHeaders,
  entity: string,
  signingKey: openpgp.PrivateKey,
): Promise<string> {
  const head = headerLines(headers);
  const signed = signableEntity(entity);
  const armoredSignature = await openpgp.sign({
    message: await openpgp.createMessage({ binary: new TextEncoder().encode(signed) }),
    signingKeys: signingKey,
    detached: true,
    format: 'armored',
    config: { preferredHashAlgorithm: openpgp.enums.hash.sha256 },
  });
  // micalg must name the hash the signature really uses (RFC 3156 §5).
  const signature = await openpgp.readSignature({ armoredSignature });
  const hashAlgorithm = signature.packets[0]?.hashAlgorithm;
  if (hashAlgorithm === undefined || hashAlgorithm === null)
    throw new Error('openpgp made a signature without a hash algorithm');
  const hash = openpgp.enums.read(openpgp.enums.hash, hashAlgorithm).toLowerCase();
  const parts = [
    signed,
    [
      'Content-Type: application/pgp-signature; name="signature.asc"',
      'Content-Description: OpenPGP digital signature',
      'Content-Disposition: attachment; filename="signature.asc"',
      '',
      toCrlf(armoredSignature.trimEnd()),
    ].join(CRLF),
  ];
  const boundary = boundaryFor(parts);
  const type = `multipart/signed; micalg=pgp-${hash}; protocol="application/pgp-signature"; boundary="${boundary}"`;
  return multipart(head, type, boundary, parts, 'This is an OpenPGP/MIME signed message (RFC 3156).');
}

function multipart(head: string[], contentType: string, boundary: string, parts: string[], preamble: string): string {
  const lines = [...head, 'MIME-Version: 1.0', fold('Content-Type', contentType), '', preamble];
  // The CRLF before each delimiter belongs to the delimiter (RFC 2046 §5.1.1), not to the part.
  return `${lines.join(CRLF)}${parts.map((part) => `${CRLF}--${boundary}${CRLF}${part}`).join('')}${CRLF}--${boundary}--${CRLF}`;
}

function boundaryFor(parts: string[]): string {
  for (;;) {
    const boundary = `=_tlpb_${randomBytes(18).toString('base64url')}`;
    if (!parts.some((part) => part.includes(boundary))) return boundary;
  }
}

function headerLines(headers: MailHeaders): string[] {
  const to = headers.to;
  if (!Array.isArray(to) || to.length === 0) throw new PgpMimeError('to', 'at least one recipient is required');
  if (!(headers.date instanceof Date) || Number.isNaN(headers.date.getTime()))
    throw new PgpMimeError('date', 'a valid date is required');
  return [
    `Date: ${rfc5322Date(headers.date)}`,
    fold('From', mailbox('from', headers.from)),
    fold('To', to.map((address, i) => mailbox(`to[${i}]`, address)).join(', ')),
    subjectLine(headers.subject),
    `Message-ID: ${messageId(headers.messageId)}`,
  ];
}

/** Refuses what could end a header line or hide in one: CR, LF and every other control character. */
function printable(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new PgpMimeError(field, 'a string is required');
  if (/[\r\n]/.test(value)) throw new PgpMimeError(field, 'line breaks are not allowed in a header');
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(value))
    throw new PgpMimeError(field, 'control characters are not allowed in a header');
  return value;
}

const ADDR_SPEC =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const ATOMS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+$/;

/** One mailbox, rebuilt from its parts: a display name quoted or encoded as needed, an ASCII address. */
function mailbox(field: string, value: unknown): string {
  const text = printable(field, value).trim();
  const named = /^(.*?)\s*<([^<>]*)>$/.exec(text);
  const address = named ? named[2] : text;
  if (address.length > 254 || !ADDR_SPEC.test(address))
    throw new PgpMimeError(field, `not a single e-mail address: ${JSON.stringify(text)}`);
  let name = named ? named[1].trim() : '';
  if (/^".*"$/.test(name)) name = name.slice(1, -1).replace(/\\(.)/g, '$1');
  if (name === '') return address;
  if (!isAscii(name) || name.includes('=?')) return `${encodedWords(name)} <${address}>`;
  if (ATOMS.test(name) && !/^ | $| {2}/.test(name)) return `${name} <${address}>`;
  return `"${name.replace(/["\\]/g, '\\$&')}" <${address}>`;
}

function subjectLine(value: unknown): string {
  const text = printable('subject', value).trim();
  // ASCII that could be read as an encoded-word is encoded too, so the reader sees what was written;
  // so is a word too long to fold under 78 characters.
  if (isAscii(text) && !text.includes('=?')) {
    const line = fold('Subject', text);
    if (line.split(CRLF).every((l) => l.length <= 78)) return line;
  }
  return fold('Subject', encodedWords(text));
}

function messageId(value: unknown): string {
  const text = printable('messageId', value);
  const bare = /^<(.*)>$/.exec(text)?.[1] ?? text;
  if (!/^[\x21-\x7e]+@[\x21-\x7e]+$/.test(bare) || /[<>@\s"\\(),:;[\]]/.test(bare.replace('@', ''))) {
    throw new PgpMimeError('messageId', `not a message id (<unique@domain>): ${JSON.stringify(text)}`);
  }
  return `<${bare}>`;
}

/** RFC 2047 "B" encoded-words of at most 39 bytes each, so a folded line stays under 76 characters. */
function encodedWords(text: string): string {
  const words: string[] = [];
  let chunk = '';
  for (const char of text) {
    if (Buffer.byteLength(chunk + char) > 39) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk !== '') words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`).join(' ');
}

/** Folds at spaces followed by a non-space (RFC 5322 §2.2.3); unfolding gives back the value. */
function fold(name: string, value: string): string {
  const tokens = value.split(/ (?=[^ ])/);
  const lines: string[] = [];
  let line = `${name}:`;
  for (const token of tokens) {
    if (line.length + 1 + token.length > 78 && line.trim() !== `${name}:`) {
      lines.push(line);
      line = '';
    }
    line += ` ${token}`;
  }
  lines.push(line);
  if (lines.some((l) => l.length > 998)) throw new PgpMimeError(name.toLowerCase(), 'too long for a header line');
  return lines.join(CRLF);
}

function rfc5322Date(date: Date): string {
  // "Tue, 03 Jun 2025 10:00:00 GMT" with the numeric zone RFC 5322 prefers.
  return date.toUTCString().replace(/ GMT$/, ' +0000');
}

function isAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

function toCrlf(text: string): string {
  return text.replace(/\r\n|\r|\n/g, CRLF);
}

function armoredBlock(field: string, value: unknown, type: string): string {
  if (typeof value !== 'string') throw new PgpMimeError(field, 'an armored OpenPGP block is required');
  const text = toCrlf(value.trim());
  if (
    !text.startsWith(`-----BEGIN ${type}-----`) ||
    !text.endsWith(`-----END ${type}-----`) ||
    !/^[\x20-\x7e\r\n]*$/.test(text)
  ) {
    throw new PgpMimeError(field, `not an ASCII-armored ${type} block`);
  }
  return text;
}

/**
 * The entity as it will be signed and sent: CRLF, and only what passes every mail transport
 * unchanged (RFC 3156 §3): 7-bit, short lines, no trailing whitespace, no line starting "From ".
 */
function signableEntity(entity: unknown): string {
  if (typeof entity !== 'string' || entity === '') throw new PgpMimeError('entity', 'a MIME entity is required');
  const text = toCrlf(entity);
  const headerEnd = text.indexOf(`${CRLF}${CRLF}`);
  if (headerEnd < 0 || !/^[!-9;-~]+:/.test(text))
    throw new PgpMimeError('entity', 'not a MIME entity (headers, a blank line, a body)');
  const lines = text.split(CRLF);
  for (const [i, line] of lines.entries()) {
    const where = `line ${i + 1}`;
    if (!/^[\x20-\x7e\t]*$/.test(line))
      throw new PgpMimeError('entity', `${where} is not 7-bit text: use quoted-printable or base64`);
    if (line.length > 998) throw new PgpMimeError('entity', `${where} is longer than 998 characters`);
    if (/[ \t]$/.test(line))
      throw new PgpMimeError('entity', `${where} ends in whitespace, which transports may strip`);
    if (line.startsWith('From '))
      throw new PgpMimeError('entity', `${where} starts with "From ", which transports may alter`);
  }
  return text;
}

function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join(CRLF);
}

function quotedPrintable(bytes: Buffer): string {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length - 1; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
      lines.push(bytes.subarray(start, i));
      start = i + 2;
      i++;
    }
  }
  lines.push(bytes.subarray(start));
  return lines.map(quotedPrintableLine).join(CRLF);
}

/**
 * One line, soft-broken under 76 characters. Encoded besides what must be: tabs and trailing
 * spaces (transports expand or strip them), and a "From " or "." opening a physical line.
 */
function quotedPrintableLine(line: Buffer): string {
  let out = '';
  let current = '';
  for (let i = 0; i < line.length; i++) {
    const b = line[i];
    const last = i === line.length - 1;
    const literal = (b > 0x20 && b < 0x7f && b !== 0x3d) || (b === 0x20 && !last);
    let token = literal ? String.fromCharCode(b) : hexEscape(b);
    if (current.length + token.length > MAX_LINE - 1) {
      out += `${current}=${CRLF}`;
      current = '';
    }
    if (current === '' && (b === 0x2e || line.subarray(i, i + 5).toString('latin1') === 'From ')) token = hexEscape(b);
    current += token;
  }
  return out + current;
}

function hexEscape(byte: number): string {
  return `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}
