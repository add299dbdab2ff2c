import { createTransport } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type * as openpgp from 'openpgp';
import { MailHeaders, PgpMimeError, pgpMimeEncrypted, pgpMimeSigned } from '@tlp-broker/crypto';
import { isTlpLabel, TlpLabel } from '@tlp-broker/tlp';
import { ChannelError } from './channel-error';
import { headerText, keyedMessageId, mailMessageId, mailSubject } from './mail-identity';
import { smtpFailure } from './smtp-failure';
import type { ItemKind } from '@tlp-broker/domain';

/** How the broker reaches its outgoing mail relay. */
/** Connections kept open to the relay at most, and messages sent over one before it is renewed. */
const MAX_CONNECTIONS = 4;
const MESSAGES_PER_CONNECTION = 100;

export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465). */
  readonly secure: boolean;
  /** Without `secure`: STARTTLS is required, and a relay that does not offer it is a failure (`configuration`). */
  readonly requireTls: boolean;
  readonly auth?: { readonly user: string; readonly pass: string };
  /** The team's sending mailbox; its domain is the right-hand side of every Message-ID. */
  readonly from: { readonly name: string; readonly address: string };
  /** The name given in EHLO; nodemailer's default is the machine's host name. */
  readonly ehloName?: string;
  /** For connecting, and again for the relay's greeting. */
  readonly connectionTimeoutMs: number;
  /** Inactivity allowed once connected; 60 s when not set. */
  readonly socketTimeoutMs?: number;
  /** PEM certificates of a private CA the relay's certificate is issued by, trusted besides the system's. */
  readonly ca?: string;
}

export type MailBody =
  /** An OpenPGP message signed by the team and encrypted to the recipient (`addressTo`), sent as multipart/encrypted. */
  | { readonly kind: 'encrypted'; readonly armored: string }
  /** A MIME entity (`mimeEntityForItem`) signed here and sent as multipart/signed: TLP:CLEAR only. */
  | { readonly kind: 'signed'; readonly entity: string; readonly signingKey: openpgp.PrivateKey };

export interface OutgoingMail {
  readonly deliveryId: string;
  readonly itemId: string;
  readonly version: number;
  readonly itemType: ItemKind;
  readonly tlp: TlpLabel;
  /** Shown in the subject for TLP:CLEAR only; ignored above it. */
  readonly title?: string;
  /** A recall notice about the item: said in the subject, which then never carries a title. */
  readonly notice?: 'recall';
  readonly to: { readonly name: string; readonly address: string };
  readonly body: MailBody;
}

/**
 * A message other than an item delivery (a submission's acknowledgement, an analyst's reply),
 * signed by the team and encrypted to its one recipient (`addressTo`), sent as multipart/encrypted.
 */
export interface EncryptedMail {
  /** Names the message for as long as it exists (`submission-message-<uuid>`): every attempt gets the same Message-ID. */
  readonly key: string;
  /** Travels in the clear: it must say nothing a third party may not read (a reference, never a title). */
  readonly subject: string;
  readonly to: { readonly name: string; readonly address: string };
  readonly armored: string;
}

export interface SentMail {
  /** The deterministic Message-ID, with angle brackets: the same on every attempt of a delivery. */
  readonly messageId: string;
  readonly accepted: string[];
  /** The relay's final reply, e.g. `250 2.0.0 Ok: queued as 4Z…`. */
  readonly response: string;
}

// The addr-spec the message builder accepts (dot-atom local part, an ASCII domain).
const ADDRESS =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** pgp-mime's field names, as the fields of OutgoingMail they come from. */
const FIELDS: Readonly<Record<string, string>> = {
  'to[0]': 'to',
  subject: 'title',
  armoredMessage: 'body.armored',
  entity: 'body.entity',
};

/**
 * Sends one delivery as one PGP/MIME message over SMTP: multipart/encrypted above TLP:CLEAR,
 * multipart/signed (or encrypted) for TLP:CLEAR. The message is built complete by
 * `@tlp-broker/crypto`'s pgp-mime and handed to nodemailer as raw source with an explicit
 * envelope, so nothing is re-encoded or added on the way. Connections to the relay are kept and
 * reused (a few at a time, each for at most a hundred messages): a relay that pauses before its
 * greeting, as many do against spam, makes every new connection cost that pause, which an urgent
 * alert should not wait for. A connection the relay closed is opened again for the next message.
 */
export class EmailSender {
  private readonly transport: Mail<SMTPPool.SentMessageInfo, SMTPPool.Options>;

  constructor(private readonly settings: SmtpSettings) {
    checkSettings(settings);
    this.transport = createTransport({
      pool: true,
      maxConnections: MAX_CONNECTIONS,
      maxMessages: MESSAGES_PER_CONNECTION,
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      requireTLS: settings.requireTls,
      auth: settings.auth ? { user: settings.auth.user, pass: settings.auth.pass } : undefined,
      name: settings.ehloName,
      connectionTimeout: settings.connectionTimeoutMs,
      greetingTimeout: settings.connectionTimeoutMs,
      dnsTimeout: settings.connectionTimeoutMs,
      socketTimeout: settings.socketTimeoutMs ?? 60_000,
      tls: { minVersion: 'TLSv1.2', ...(settings.ca ? { ca: settings.ca } : {}) },
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
    });
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    const raw = await this.compose(mail);
    return this.transmit(raw, mail.to.address, mailMessageId(mail, this.settings.from.address));
  }

  /** Sends an encrypted message that is not an item delivery; the same `key` always gives the same Message-ID. */
  async sendEncrypted(mail: EncryptedMail): Promise<SentMail> {
    const raw = this.composeEncrypted(mail);
    return this.transmit(raw, mail.to.address, keyedMessageId(mail.key, this.settings.from.address));
  }

  /** The complete RFC 5322 message `sendEncrypted` would hand to the relay (the boundary and Date differ per call). */
  composeEncrypted(mail: EncryptedMail): string {
    checkRecipient(mail.to);
    const subject = typeof mail.subject === 'string' ? headerText(mail.subject) : '';
    if (subject === '') throw invalid('subject', 'a subject is required');
    const headers: MailHeaders = {
      from: mailbox(this.settings.from.name, this.settings.from.address),
      to: [mailbox(mail.to.name, mail.to.address)],
      subject,
      messageId: keyedMessageId(mail.key, this.settings.from.address),
      date: new Date(),
    };
    try {
      return pgpMimeEncrypted(headers, mail.armored);
    } catch (error) {
      throw unbuildable(error, { armoredMessage: 'armored' });
    }
  }

  private async transmit(raw: string, to: string, messageId: string): Promise<SentMail> {
    let info: SMTPPool.SentMessageInfo;
    try {
      info = await this.transport.sendMail({ raw, envelope: { from: this.settings.from.address, to: [to] } });
    } catch (error) {
      throw smtpFailure(error);
    }
    return { messageId, accepted: info.accepted.map(String), response: String(info.response) };
  }

  /** The complete RFC 5322 message `send` would hand to the relay (the boundary and Date differ per call). */
  async compose(mail: OutgoingMail): Promise<string> {
    if (!isTlpLabel(mail.tlp)) throw invalid('tlp', 'a TLP 2.0 label is required');
    if (mail.tlp !== 'TLP:CLEAR' && mail.body?.kind !== 'encrypted')
      throw invalid('body', `${mail.tlp} mail must be encrypted to the recipient`);
    checkRecipient(mail.to);
    const headers: MailHeaders = {
      from: mailbox(this.settings.from.name, this.settings.from.address),
      to: [mailbox(mail.to.name, mail.to.address)],
      subject: mailSubject(mail),
      messageId: mailMessageId(mail, this.settings.from.address),
      date: new Date(),
    };
    try {
      if (mail.body.kind === 'encrypted') return pgpMimeEncrypted(headers, mail.body.armored);
      if (mail.body.kind === 'signed') return await pgpMimeSigned(headers, mail.body.entity, mail.body.signingKey);
    } catch (error) {
      throw unbuildable(error, FIELDS);
    }
    throw invalid('body', 'kind must be "encrypted" or "signed"');
  }

  /** Closes the kept connections; sends already under way finish. */
  close(): void {
    this.transport.close();
  }
}

function invalid(field: string, reason: string): ChannelError {
  return new ChannelError('email', 'invalid-input', `${field}: ${reason}`, { field });
}

function checkRecipient(to: { readonly address: string } | undefined): void {
  if (typeof to?.address !== 'string' || to.address.length > 254 || !ADDRESS.test(to.address))
    throw invalid('to.address', 'a single e-mail address is required');
}

/** pgp-mime's refusal as a ChannelError naming the caller's field (`fields` maps pgp-mime's names to the caller's). */
function unbuildable(error: unknown, fields: Readonly<Record<string, string>>): unknown {
  if (!(error instanceof PgpMimeError)) return error;
  const field = fields[error.field] ?? error.field;
  return new ChannelError('email', 'invalid-input', `the message cannot be built: ${error.message}`, {
    field,
    cause: error,
  });
}

/**
 * The display name quoted whole, so none of its characters is read as mailbox syntax; made header
 * text first, since a name that cannot sit in a header would make every message to it unbuildable.
 */
function mailbox(name: unknown, address: string): string {
  const text = typeof name === 'string' ? headerText(name) : '';
  if (text === '') return address;
  return `"${text.replace(/["\\]/g, '\\$&')}" <${address}>`;
}

function checkSettings(settings: SmtpSettings): void {
  const problems: string[] = [];
  if (typeof settings.host !== 'string' || settings.host.trim() === '') problems.push('host is required');
  if (!Number.isInteger(settings.port) || settings.port < 1 || settings.port > 65_535)
    problems.push('port must be 1–65535');
  if (!ADDRESS.test(settings.from?.address ?? '')) problems.push('from.address must be a single e-mail address');
  if (typeof settings.from?.name !== 'string' || CONTROL.test(settings.from.name))
    problems.push('from.name must be text without line breaks or control characters');
  if (settings.ehloName !== undefined && !/^[A-Za-z0-9.-]{1,253}$/.test(settings.ehloName))
    problems.push('ehloName must be a host name');
  if (!(settings.connectionTimeoutMs > 0)) problems.push('connectionTimeoutMs must be positive');
  if (settings.socketTimeoutMs !== undefined && !(settings.socketTimeoutMs > 0))
    problems.push('socketTimeoutMs must be positive');
  if (problems.length > 0) throw new Error(`SMTP settings: ${problems.join('; ')}`);
}
