import { HttpStatus, Injectable } from '@nestjs/common';
import { OrganisationRepository } from '@tlp-broker/persistence';
import { Page, Publisher, STIX_MEDIA_TYPE, StixObject, taxiiTimestamp, TaxiiQuery } from '@tlp-broker/stix';
import { PartnerPrincipal } from '../auth/principal';
import { InboxService } from './inbox.service';
import { TaxiiCollectionService } from './taxii-collection.service';
import { ObjectRecord, TaxiiError } from './taxii.types';

export interface TaxiiCollectionResource {
  id: string;
  title: string;
  description: string;
  can_read: boolean;
  can_write: boolean;
  media_types: string[];
}

export interface ManifestRecord {
  id: string;
  date_added: string;
  version: string;
  media_type: string;
}

/**
 * TAXII 2.1 over a partner's deliveries: one collection per partner channel, holding what was
 * delivered to that channel and nothing else. TLP:CLEAR item versions are served as STIX in the
 * clear; anything above TLP:CLEAR only as the recipient's own encrypted copy (a report naming the
 * item by reference, and an artifact holding the OpenPGP message encrypted to its key), so that a
 * TAXII credential alone, like a mailbox password alone, never opens TLP:GREEN and above.
 */
@Injectable()
export class TaxiiService {
  constructor(
    private readonly contents: TaxiiCollectionService,
    private readonly organisations: OrganisationRepository,
    private readonly inbox: InboxService,
  ) {}

  /**
   * The credential's collections: its channel's deliveries when it may read them (`taxii`), and its
   * organisation's inbox when it may post to it (`submit`).
   */
  async collections(partner: PartnerPrincipal): Promise<TaxiiCollectionResource[]> {
    const inbox = await this.inbox.collection(partner);
    const readable = partner.scopes.includes('taxii') ? [await this.deliveries(partner, partner.channelId)] : [];
    return [...readable, ...(inbox ? [inbox] : [])];
  }

  /** One of the credential's collections; any other id is a 404, whether it exists or not. */
  async collection(partner: PartnerPrincipal, collectionId: string): Promise<TaxiiCollectionResource> {
    const inbox = await this.inbox.collection(partner);
    return inbox?.id === collectionId ? inbox : this.deliveries(partner, collectionId);
  }

  /** The channel's collection of deliveries, the only one objects are read from; the inbox is write-only (403). */
  private async deliveries(partner: PartnerPrincipal, collectionId: string): Promise<TaxiiCollectionResource> {
    this.readable(partner, collectionId);
    const holder = await this.organisations.channelHolder(partner.channelId);
    if (!holder) throw new Error(`channel ${partner.channelId} of a live credential does not exist`);
    return {
      id: partner.channelId,
      title: `Deliveries to ${holder.contact ? `${holder.contact} (${holder.organisation})` : holder.organisation}`,
      description:
        'What tlp-broker delivered to this channel. Above TLP:CLEAR, each item is an artifact encrypted to your OpenPGP key.',
      can_read: true,
      can_write: false,
      media_types: [STIX_MEDIA_TYPE],
    };
  }

  /**
   * The credential may read the collection: its own channel's, with the `taxii` scope. The inbox
   * is write-only (403); any other collection is a 404, whether it exists or not. Nothing is read.
   */
  readable(partner: PartnerPrincipal, collectionId: string): void {
    if (this.inbox.isInbox(partner, collectionId))
      throw new TaxiiError(
        HttpStatus.FORBIDDEN,
        'Write-only collection',
        'This collection takes the STIX objects posted to it; it cannot be read (can_read: false).',
      );
    if (collectionId !== partner.channelId || !partner.scopes.includes('taxii'))
      throw new TaxiiError(
        HttpStatus.NOT_FOUND,
        'Collection not found',
        `There is no collection ${collectionId} for this credential.`,
      );
  }

  async objects(partner: PartnerPrincipal, collectionId: string, query: TaxiiQuery): Promise<Page<StixObject>> {
    this.readable(partner, collectionId);
    const { page, publisher } = await this.contents.page(partner.channelId, query);
    return { ...page, items: await this.contents.materialise(partner.channelId, page.items, publisher) };
  }

  async manifest(partner: PartnerPrincipal, collectionId: string, query: TaxiiQuery): Promise<Page<ManifestRecord>> {
    this.readable(partner, collectionId);
    const { page } = await this.contents.page(partner.channelId, query);
    return {
      ...page,
      items: page.items.map((record) => ({
        id: record.id,
        date_added: taxiiTimestamp(record.dateAdded),
        version: record.version.toISOString(),
        media_type: STIX_MEDIA_TYPE,
      })),
    };
  }

  /** The versions of one object the query selects (`match[id]` aside); an object the collection does not hold is a 404. */
  async object(
    partner: PartnerPrincipal,
    collectionId: string,
    objectId: string,
    query: TaxiiQuery,
  ): Promise<Page<StixObject>> {
    const { page, publisher } = await this.objectVersions(partner, collectionId, objectId, query);
    return { ...page, items: await this.contents.materialise(partner.channelId, page.items, publisher) };
  }

  async versions(
    partner: PartnerPrincipal,
    collectionId: string,
    objectId: string,
    query: TaxiiQuery,
  ): Promise<Page<string>> {
    const { page } = await this.objectVersions(partner, collectionId, objectId, { ...query, versions: ['all'] });
    const versions = [...new Set(page.items.map((record) => record.version.toISOString()))].sort();
    return { ...page, items: versions };
  }

  private async objectVersions(
    partner: PartnerPrincipal,
    collectionId: string,
    objectId: string,
    query: TaxiiQuery,
  ): Promise<{ page: Page<ObjectRecord>; publisher: Publisher }> {
    this.readable(partner, collectionId);
    const found = await this.contents.page(partner.channelId, { ...query, ids: [objectId] });
    if (found.page.items.length === 0 && !(await this.contents.holds(partner.channelId, objectId)))
      throw new TaxiiError(
        HttpStatus.NOT_FOUND,
        'Object not found',
        `There is no object ${objectId} in this collection.`,
      );
    return found;
  }
}
