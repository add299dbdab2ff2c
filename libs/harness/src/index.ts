/**
 * Drives a running broker from outside, as the demonstration and the end-to-end tests do: its
 * HTTP API, partners with fresh keys, publishing and waiting for deliveries, the built processes,
 * and the databases they use.
 */
export { request, call, eventually, sleep } from './http';
export type { HttpResult, RequestOptions } from './http';
export { newKeyPair, registerPartner, registerContact, slug } from './partners';
export type { RegisteredPartner, RegisteredContact, PartnerSpec } from './partners';
export { itemBody, publishItem, waitForRouting, waitForDeliveries, waitForRecalls, feedItemIds } from './items';
export type { ItemSpec, PublishedItem, DecisionView } from './items';
export { builtEntry, startProcess, stopProcess, waitForHealth } from './processes';
export type { BrokerApp } from './processes';
export { dropDatabase, withRole } from './databases';
export { totpCode } from './totp';
export { withDatabase } from '@tlp-broker/persistence';
export { startDovecot, dovecotInstalled } from './dovecot';
export type { Dovecot, DovecotOptions, FolderMessage } from './dovecot';
