import { createHash } from 'node:crypto';
import type { TlpLabel } from '@tlp-broker/tlp';
import { ChannelError } from './channel-error';
import type { ItemKind } from '@tlp-broker/domain';

/**
 * The parts of a delivered message that identify it without saying what it is about: the subject
 * line and the Message-ID. Both are pure functions of the delivery, so a retry of the same
 * delivery produces the same ones (a mail client or archive that sees the message twice treats it
 * as one message, by RFC 5322 §3.6.4).
 */
export interface MailIdentityInput {
  readonly deliveryId: string;
  readonly itemId: string;
  readonly version: number;
  readonly itemType: ItemKind;
  readonly tlp: TlpLabel;
  /** Used only for TLP:CLEAR; above it a title is content and never leaves in a header. */
  readonly title?: string;
  /** A recall notice about the item rather than the item itself. */
  readonly notice?: 'recall';
}

const ITEM_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const ITEM_TYPE = /^[a-z][a-z0-9-]{0,31}$/;

function invalid(field: string, reason: string): ChannelError {
  return new ChannelError('email', 'invalid-input', `${field}: ${reason}`, { field });
}

function checkIdentity(input: MailIdentityInput): void {
  if (typeof input.itemId !== 'string' || !ITEM_ID.test(input.itemId))
    throw invalid('itemId', 'letters, digits, "-" and "_" only (at most 64)');
  if (!Number.isSafeInteger(input.version) || input.version < 1)
    throw invalid('version', 'a positive integer is required');
  if (typeof input.itemType !== 'string' || !ITEM_TYPE.test(input.itemType))
    throw invalid('itemType', 'a lower-case word such as "advisory" is required');
  if (typeof input.deliveryId !== 'string' || input.deliveryId === '')
    throw invalid('deliveryId', 'a delivery id is required');
}

/** `3f2a9c1e v2`: enough for a person to find the item in the broker, and nothing about its content. */
export function itemReference(itemId: string, version: number): string {
  return `${itemId.replace(/-/g, '').slice(0, 8)} v${version}`;
}

/**
 * Header text from something a person wrote (a title, an organisation's or a person's name): line
 * breaks, tabs and runs of blanks become single spaces, and what no header can carry (control
 * characters, DEL, C1, lone surrogates, U+FFFE/U+FFFF) is dropped. Intake refuses such characters,
 * but one stored before that rule must not make the message unbuildable: the message builder
 * refuses it, and a delivery that can never be built is dead on every attempt.
 */
export function headerText(text: string): string {
  return text
    .replace(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
      '',
    )
    .replace(/[\s\u2028\u2029]+/g, ' ')
    .trim();
}

/**
 * `[TLP:AMBER] advisory 3f2a9c1e v2` (`[TLP:AMBER] RECALL of advisory 3f2a9c1e v2` for a recall notice,
 * never with a title). For TLP:CLEAR only, the title follows after a colon, made one line of
 * header text (`headerText`).
 */
export function mailSubject(input: MailIdentityInput): string {
  checkIdentity(input);
  const base = `[${input.tlp}] ${input.notice === 'recall' ? 'RECALL of ' : ''}${input.itemType} ${itemReference(input.itemId, input.version)}`;
  if (input.notice === 'recall') return base;
  if (input.tlp !== 'TLP:CLEAR' || input.title === undefined) return base;
  const title = headerText(input.title);
  return title === '' ? base : `${base}: ${title}`;
}

/**
 * `<itemId.v2.1a2b3c4d5e6f7a8b@broker.example.org>`: the item version, then a digest of the
 * delivery id (one delivery = one item version to one recipient on one channel), at the domain of
 * the team's sending address.
 */
export function mailMessageId(
  input: Pick<MailIdentityInput, 'deliveryId' | 'itemId' | 'version'>,
  fromAddress: string,
): string {
  if (typeof input.itemId !== 'string' || !ITEM_ID.test(input.itemId))
    throw invalid('itemId', 'letters, digits, "-" and "_" only (at most 64)');
  if (!Number.isSafeInteger(input.version) || input.version < 1)
    throw invalid('version', 'a positive integer is required');
  if (typeof input.deliveryId !== 'string' || input.deliveryId === '')
    throw invalid('deliveryId', 'a delivery id is required');
  const domain = /@([A-Za-z0-9.-]+)$/.exec(fromAddress)?.[1];
  if (domain === undefined) throw invalid('from.address', 'an address with a domain is required');
  const digest = createHash('sha256').update(input.deliveryId, 'utf8').digest('hex').slice(0, 16);
  return `<${input.itemId}.v${input.version}.${digest}@${domain.toLowerCase()}>`;
}

/**
 * `<5f0c…@broker.example.org>` for a message that is not an item delivery (a submission's
 * acknowledgement, a reply): a digest of `key`, which names the message for as long as it exists,
 * so that every attempt to send it carries the same Message-ID and a copy that arrives twice (a
 * retry after the relay's answer was lost) is recognisable as one message.
 */
export function keyedMessageId(key: string, fromAddress: string): string {
  if (typeof key !== 'string' || key === '') throw invalid('key', 'a key naming the message is required');
  const domain = /@([A-Za-z0-9.-]+)$/.exec(fromAddress)?.[1];
  if (domain === undefined) throw invalid('from.address', 'an address with a domain is required');
  const digest = createHash('sha256').update(`tlp-broker/message@1\n${key}`, 'utf8').digest('hex').slice(0, 32);
  return `<${digest}@${domain.toLowerCase()}>`;
}
