export { ChannelError } from './channel-error';
export type { ChannelErrorCode, ChannelKind } from './channel-error';
export { EmailSender } from './email-sender';
export type { SmtpSettings, OutgoingMail, MailBody, SentMail, EncryptedMail } from './email-sender';
export { mailSubject, mailMessageId, keyedMessageId, itemReference } from './mail-identity';
export { WebhookSender } from './webhook-sender';
export type { WebhookSettings, OutgoingWebhook, DeliveredWebhook } from './webhook-sender';
export { literalFamily, pinnedLookup, systemCode, systemResolve, withinDeadline } from './vetted-connection';
export type { ResolvedAddress } from './vetted-connection';
export {
  webhookSignature,
  verifyWebhookSignature,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  IDEMPOTENCY_HEADER,
  DELIVERY_HEADER,
} from './webhook-signature';
export type { SignatureCheck, SignatureVerdict } from './webhook-signature';
export { AllowList, classifyAddress } from './address-policy';
export { checkWebhookAddress, vetWebhookAddress } from './webhook-address';
export type { WebhookAddressCheck, WebhookAddressOptions } from './webhook-address';
export type { AddressClass } from './address-policy';
export { readIncomingMail } from './incoming-mail';
export type { MailLimits, IncomingAttachment, ReadMail, MailRefusal, MailReading } from './incoming-mail';
export { ImapMailbox, quarantineKeyword } from './imap-mailbox';
export type { ImapMailboxSettings, WaitingMessage, MailboxFolder, MailboxLogger, MessageSource } from './imap-mailbox';
