import { simpleParser, type ParsedMail } from 'mailparser';
import {
  openIncomingMessage,
  readClearsigned,
  verifyIncomingDetached,
  type IncomingKeys,
  type IncomingReadLimits,
  type IncomingRefusal,
  type SignatureCheck,
} from '@tlp-broker/crypto';
import {
  canonicalLineBreaks,
  decodedBody,
  entityOf,
  outlineOf,
  partsOf,
  type MimeEntity,
  type MimeOutline,
} from './incoming-mime';

/** Bounds on reading one message from the team mailbox. */
export interface MailLimits {
  maxMessageBytes: number;
  maxAttachmentBytes: number;
  /** Decrypted and decompressed content, once inflated. */
  maxContentBytes: number;
  maxMimeDepth: number;
  /** Each single OpenPGP read (parse, decrypt, verify) must end within this time. */
  openPgpTimeoutMs: number;
}

export interface IncomingAttachment {
  filename: string;
  mediaType: string;
  content: Buffer;
}

export interface ReadMail {
  /** The Message-ID header value, e.g. "<abc@host>", null when absent. */
  messageId: string | null;
  /** The From: header as written: never trusted as the sender (the signature's key owner is). */
  from: { name: string; address: string } | null;
  /** Decoded, single line (control characters removed). */
  subject: string;
  date: Date | null;
  /** Was encrypted to a team key (PGP/MIME or inline). */
  encrypted: boolean;
  /**
   * How OpenPGP was applied: PGP/MIME (multipart/encrypted or multipart/signed, RFC 3156), inline
   * (an armored message or a cleartext signature in the body), or not at all.
   */
  form: 'pgp-mime' | 'inline' | 'clear';
  /** multipart/signed, signed inside encrypted, or inline signed. */
  signature: SignatureCheck;
  /** The body as text (decrypted; HTML reduced to text). */
  text: string;
  htmlReduced: boolean;
  /** Each within maxAttachmentBytes, as bytes: never opened, rendered or followed. */
  attachments: IncomingAttachment[];
  /** Attachments left out for their size. */
  attachmentsDropped: number;
  rawSizeBytes: number;
  /** Fingerprint of the team key the message was encrypted to (the active one or a retired one). */
  decryptedWith: string | null;
}

export type MailRefusal =
  'too-large' | 'too-deep' | 'unreadable' | 'undecryptable' | 'timeout' | 'bad-signature' | 'not-text';

export type MailReading =
  | { ok: true; mail: ReadMail }
  | { ok: false; reason: MailRefusal; detail: string; messageId: string | null; from: string | null };

type Envelope = Pick<ReadMail, 'messageId' | 'from' | 'subject' | 'date'>;

type Refused = { refused: MailRefusal; detail: string };

/** What the OpenPGP layer gave: the MIME entity (or text) to read, and what protected it. */
interface Opened {
  readonly form: ReadMail['form'];
  readonly encrypted: boolean;
  readonly decryptedWith: string | null;
  readonly signature: SignatureCheck;
  /** The entity holding the body, handed to mailparser. */
  readonly entity: Buffer;
  /** How deep the layers already opened nest (multipart/encrypted, multipart/signed). */
  readonly depthUsed: number;
}

/** A header block longer than this is not a header block: only that much is read for the envelope. */
const MAX_HEADER_BYTES = 256 * 1024;

/**
 * Reads a message that arrived in the team mailbox: bounded in size, nesting and OpenPGP work,
 * decrypted with whichever team key it was encrypted to, its signature checked against every
 * registered partner key. Never throws: hostile input is a refusal naming the reason.
 */
export async function readIncomingMail(
  raw: Buffer,
  keys: IncomingKeys,
  limits: MailLimits,
  now: Date = new Date(),
): Promise<MailReading> {
  let envelope: Envelope = { messageId: null, from: null, subject: '', date: null };
  const refuse = (reason: MailRefusal, detail: string): MailReading => ({
    ok: false,
    reason,
    detail,
    messageId: envelope.messageId,
    from: envelope.from?.address ?? null,
  });
  try {
    envelope = await envelopeOf(raw);
    if (raw.length > limits.maxMessageBytes)
      return refuse('too-large', `the message is ${raw.length} bytes; at most ${limits.maxMessageBytes} are read`);
    const opened = await openLayers(raw, keys, limits, now);
    if ('refused' in opened) return refuse(opened.refused, opened.detail);
    const body = await bodyOf(opened, keys, limits, now);
    if ('refused' in body) return refuse(body.refused, body.detail);
    if (body.signature.state === 'invalid' && body.signature.reason === 'bad-signature')
      return refuse('bad-signature', body.signature.detail);
    const subject = (await protectedSubject(opened)) ?? envelope.subject;
    return { ok: true, mail: { ...envelope, subject, ...body, rawSizeBytes: raw.length } };
  } catch (error) {
    return refuse(
      'unreadable',
      `the message cannot be read (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

function openPgpLimits(limits: MailLimits): IncomingReadLimits {
  return { maxContentBytes: limits.maxContentBytes, timeoutMs: limits.openPgpTimeoutMs };
}

const refused = (reason: MailRefusal, detail: string): Refused => ({ refused: reason, detail });

function fromOpenPgp(refusal: IncomingRefusal): Refused {
  return refused(refusal.reason, refusal.detail);
}

/** The structure checked before anything recursive reads it: nesting within the bound, boundaries unambiguous. */
function structureRefusal(entity: Buffer, maxDepth: number, limits: MailLimits): Refused | MimeOutline {
  const outline = outlineOf(entity, maxDepth);
  if (outline.tooDeep) return refused('too-deep', `MIME parts nest more than ${limits.maxMimeDepth} levels deep`);
  if (outline.ambiguous)
    return refused('unreadable', 'a multipart Content-Type written with comments, escapes or RFC 2231 parameters');
  return outline;
}

/** The PGP/MIME layers (RFC 3156) opened: multipart/encrypted, then multipart/signed, at the top or inside. */
async function openLayers(raw: Buffer, keys: IncomingKeys, limits: MailLimits, now: Date): Promise<Opened | Refused> {
  // Depth first, before anything recursive reads the structure.
  const outline = structureRefusal(raw, limits.maxMimeDepth, limits);
  if ('refused' in outline) return outline;
  const top = entityOf(raw);
  const clear: Opened = {
    form: 'clear',
    encrypted: false,
    decryptedWith: null,
    signature: unsigned,
    entity: raw,
    depthUsed: 0,
  };
  if (top.header.contentType === 'multipart/signed') return signedLayer(top, clear, keys, limits, now);
  if (top.header.contentType !== 'multipart/encrypted') return clear;
  const payload = encryptedPayload(top);
  if (!payload) return refused('unreadable', 'a multipart/encrypted message without its encrypted part');
  const opened = await openIncomingMessage(payload, keys, openPgpLimits(limits), now);
  if (!opened.ok) return fromOpenPgp(opened);
  const inner = Buffer.from(opened.content);
  const decrypted: Opened = {
    form: 'pgp-mime',
    encrypted: opened.encrypted,
    decryptedWith: opened.decryptedWith,
    signature: opened.signature,
    entity: inner,
    depthUsed: 1,
  };
  const innerEntity = entityOf(inner);
  // Signed then encrypted as two layers (RFC 3156 §6.1): a multipart/signed entity inside.
  return innerEntity.header.contentType === 'multipart/signed'
    ? signedLayer(innerEntity, decrypted, keys, limits, now)
    : decrypted;
}

const unsigned: SignatureCheck = { state: 'unsigned' };

/** The armored (or binary) OpenPGP message of a multipart/encrypted entity: its second part (RFC 3156 §4). */
function encryptedPayload(entity: MimeEntity): string | Uint8Array | null {
  const parts = partsOf(entity);
  if (!parts || parts.length < 2) return null;
  const payload = decodedBody(entityOf(parts[1]));
  const text = payload.toString('latin1');
  return text.includes('-----BEGIN PGP MESSAGE-----') ? text : new Uint8Array(payload);
}

/**
 * A multipart/signed entity (RFC 3156 §5): the signature checked over the first part's exact
 * bytes, line breaks made canonical (CRLF) as they were when signed.
 */
async function signedLayer(
  entity: MimeEntity,
  outer: Opened,
  keys: IncomingKeys,
  limits: MailLimits,
  now: Date,
): Promise<Opened | Refused> {
  const parts = partsOf(entity);
  if (!parts || parts.length < 2) return refused('unreadable', 'a multipart/signed message without its two parts');
  const signed = canonicalLineBreaks(parts[0]);
  const armoredSignature = decodedBody(entityOf(parts[1])).toString('latin1');
  const check = await verifyIncomingDetached(armoredSignature, signed, keys.registered, openPgpLimits(limits), now);
  if ('ok' in check) return fromOpenPgp(check);
  return {
    ...outer,
    form: 'pgp-mime',
    signature: strongest(outer.signature, check),
    entity: signed,
    depthUsed: outer.depthUsed + 1,
  };
}

/** Of two signatures over the same content: a tampered one refuses, a verified one proves, else the more telling. */
function strongest(first: SignatureCheck, second: SignatureCheck): SignatureCheck {
  for (const check of [first, second]) if (check.state === 'invalid' && check.reason === 'bad-signature') return check;
  for (const check of [first, second]) if (check.state === 'verified') return check;
  return first.state === 'unsigned' ? second : first;
}

type Body = Pick<
  ReadMail,
  'form' | 'encrypted' | 'decryptedWith' | 'signature' | 'text' | 'htmlReduced' | 'attachments' | 'attachmentsDropped'
>;

/** The body read from the opened entity; a clear body holding inline PGP is opened in turn. */
async function bodyOf(opened: Opened, keys: IncomingKeys, limits: MailLimits, now: Date): Promise<Body | Refused> {
  const outline = structureRefusal(opened.entity, limits.maxMimeDepth - opened.depthUsed, limits);
  if ('refused' in outline) return outline;
  const parsed = await simpleParser(opened.entity, parserOptions(limits));
  let text = parsed.text ?? '';
  const htmlReduced = typeof parsed.html === 'string' && !outline.hasPlainText;
  if (htmlReduced && text.trim() === '') text = await htmlAsText(parsed.html as string, limits);
  const { attachments, dropped } = attachmentsOf(parsed, limits);
  const read: Body = {
    form: opened.form,
    encrypted: opened.encrypted,
    decryptedWith: opened.decryptedWith,
    signature: opened.signature,
    text,
    htmlReduced,
    attachments,
    attachmentsDropped: dropped,
  };
  return opened.form === 'clear' ? inlinePgp(read, keys, limits, now) : read;
}

/** Only text comes out: no links made, no images inlined, nothing fetched. */
function parserOptions(limits: MailLimits) {
  return {
    skipImageLinks: true,
    skipTextToHtml: true,
    skipTextLinks: true,
    keepCidLinks: true,
    maxHtmlLengthToParse: limits.maxContentBytes,
    checksumAlgo: false as const,
  };
}

/**
 * HTML that mailparser did not turn into text (an HTML part that is not the whole message, with no
 * plain text beside it): the HTML alone, as a message of its own, goes through the same conversion.
 */
async function htmlAsText(html: string, limits: MailLimits): Promise<string> {
  const alone = Buffer.concat([
    Buffer.from('Content-Type: text/html; charset=utf-8\r\n\r\n'),
    Buffer.from(html, 'utf8'),
  ]);
  return (await simpleParser(alone, parserOptions(limits))).text ?? '';
}

function attachmentsOf(parsed: ParsedMail, limits: MailLimits): { attachments: IncomingAttachment[]; dropped: number } {
  const attachments: IncomingAttachment[] = [];
  let dropped = 0;
  for (const attachment of parsed.attachments) {
    if (attachment.content.length > limits.maxAttachmentBytes) {
      dropped++;
      continue;
    }
    attachments.push({
      filename: safeFilename(attachment.filename),
      mediaType: /^[\w.+-]+\/[\w.+-]+$/.test(attachment.contentType)
        ? attachment.contentType.toLowerCase()
        : 'application/octet-stream',
      content: attachment.content,
    });
  }
  return { attachments, dropped };
}

/** The name's last path segment, without control characters: never a path on whoever saves it. */
function safeFilename(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, '')
    .trim()
    .slice(0, 255);
  return clean === '' || clean === '.' || clean === '..' ? 'attachment' : clean;
}

// Armor lines start a line: a block quoted in a reply ("> -----BEGIN…") is text, not something sent to the team.
const ARMORED_MESSAGE = /^-----BEGIN PGP MESSAGE-----[ \t]*$[\s\S]*?^-----END PGP MESSAGE-----[ \t]*$/m;
const CLEARSIGNED = /^-----BEGIN PGP SIGNED MESSAGE-----[ \t]*$[\s\S]*?^-----END PGP SIGNATURE-----[ \t]*$/m;

/**
 * Inline PGP in a clear body: an armored message (encrypted and/or signed) or a cleartext
 * signature. The text becomes what was encrypted or signed; what surrounds it proves nothing.
 */
async function inlinePgp(body: Body, keys: IncomingKeys, limits: MailLimits, now: Date): Promise<Body | Refused> {
  const armored = ARMORED_MESSAGE.exec(body.text)?.[0];
  if (armored) {
    const opened = await openIncomingMessage(armored, keys, openPgpLimits(limits), now);
    if (!opened.ok) return fromOpenPgp(opened);
    let text: string;
    try {
      // Text-mode literal data carries CRLF line breaks: read as the rest of the body is.
      text = new TextDecoder('utf-8', { fatal: true }).decode(opened.content).replace(/\r\n/g, '\n');
    } catch {
      return refused('not-text', 'the inline OpenPGP message does not hold UTF-8 text');
    }
    const { encrypted, decryptedWith, signature } = opened;
    return { ...body, form: 'inline', encrypted, decryptedWith, signature, text, htmlReduced: false };
  }
  const clearsigned = CLEARSIGNED.exec(body.text)?.[0];
  if (!clearsigned) return body;
  const read = await readClearsigned(clearsigned, keys.registered, openPgpLimits(limits), now);
  if (!read.ok) return fromOpenPgp(read);
  return { ...body, form: 'inline', signature: read.signature, text: read.text, htmlReduced: false };
}

/** An entity's header block alone, parsed (encoded words decoded, addresses split). */
async function headersOf(bytes: Buffer): Promise<ParsedMail> {
  const { headerBytes } = entityOf(bytes.subarray(0, Math.min(bytes.length, MAX_HEADER_BYTES)));
  return simpleParser(Buffer.concat([headerBytes, Buffer.from('\r\n\r\n')]), {
    skipHtmlToText: true,
    skipTextToHtml: true,
  });
}

/** The headers as written: Message-ID, From, Subject and Date. */
async function envelopeOf(raw: Buffer): Promise<Envelope> {
  const parsed = await headersOf(raw);
  const mailbox = parsed.from?.value.find((entry) => entry.address);
  const dateLine = parsed.headerLines.find((line) => line.key === 'date')?.line;
  const date = dateLine ? new Date(dateLine.slice(dateLine.indexOf(':') + 1).trim()) : null;
  return {
    messageId: parsed.messageId ?? null,
    from: mailbox ? { name: oneLine(mailbox.name ?? ''), address: oneLine(mailbox.address ?? '') } : null,
    subject: oneLine(parsed.subject ?? ''),
    date: date && !Number.isNaN(date.getTime()) ? date : null,
  };
}

/**
 * The subject a PGP/MIME message carries inside its encrypted or signed entity (protected
 * headers, as Thunderbird writes them with "..." as the outer subject): the one its sender wrote.
 */
async function protectedSubject(opened: Opened): Promise<string | null> {
  if (opened.form !== 'pgp-mime') return null;
  const parsed = await headersOf(opened.entity);
  return parsed.headerLines.some((line) => line.key === 'subject') ? oneLine(parsed.subject ?? '') : null;
}

/** One line: control characters and bidirectional overrides out, runs of white space as one space. */
function oneLine(value: string): string {
  return value
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
