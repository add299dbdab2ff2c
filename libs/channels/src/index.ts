export { ChannelError } from './channel-error';
export type { ChannelErrorCode, ChannelKind } from './channel-error';
export { EmailSender } from './email-sender';
export type { SmtpSettings, OutgoingMail, MailBody, SentMail } from './email-sender';
export { mailSubject, mailMessageId, itemReference } from './mail-identity';
export { WebhookSender } from './webhook-sender';
export type { WebhookSettings, OutgoingWebhook, DeliveredWebhook, ResolvedAddress } from './webhook-sender';
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
