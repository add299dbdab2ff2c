import { v5 as uuidv5 } from 'uuid';
import { AppConfig } from '@tlp-broker/config';
import { PartnerPrincipal } from '../auth/principal';
import type { TaxiiCollectionResource } from './taxii.service';
import { STIX_MEDIA_TYPE } from '@tlp-broker/stix';

/**
 * The namespace of inbox collection ids: an organisation's inbox is the UUID v5 of its id in it, so
 * the id stays the same across restarts, restores and credentials without being stored.
 */
export const INBOX_NAMESPACE = '1b1665a0-0ad1-425e-ac8d-b556a3f78e0b';

/**
 * The most bytes an envelope posted to an inbox may hold (the API root's `max_content_length`): the
 * submission size limit, within the 2 MB the broker's JSON body parser reads at most.
 */
const JSON_BODY_LIMIT = 2 * 1024 * 1024;

export function inboxMaxContentLength(config: AppConfig): number {
  return Math.min(config.submissions.maxBytes, JSON_BODY_LIMIT);
}

export function inboxCollectionId(organisationId: string): string {
  return uuidv5(organisationId, INBOX_NAMESPACE);
}

/** Whether the credential may post to its organisation's inbox (and so sees it listed). */
export function canSubmit(partner: PartnerPrincipal): boolean {
  return partner.scopes.includes('submit');
}

/** The TAXII collection resource of an organisation's inbox: written to, never read. */
export function inboxResource(organisationId: string, organisation: string): TaxiiCollectionResource {
  return {
    id: inboxCollectionId(organisationId),
    title: `Inbox for ${organisation}`,
    description:
      'Post STIX 2.1 objects (a TAXII envelope) to send material to the team. Each post becomes one submission, ' +
      'held at the most restrictive TLP marking on its objects (TLP:AMBER until confirmed when none is marked).',
    can_read: false,
    can_write: true,
    media_types: [STIX_MEDIA_TYPE],
  };
}
