import type { StixObject } from '@tlp-broker/stix';
import type { TlpLabel } from '@tlp-broker/tlp';

/**
 * One STIX object version the kit holds in its local collection: what `pull` decrypted and
 * verified, and what `serve` hands to the partner's own tools over TAXII 2.1.
 */
export interface LocalObjectRecord {
  /**
   * When the kit added this version to its collection, in microseconds since the epoch: distinct
   * for every record and increasing in the order records were added (TAXII's `date_added`).
   */
  readonly dateAdded: number;
  /** The label of the item the object comes from: `serve` leaves TLP:RED out unless opted in. */
  readonly tlp: TlpLabel;
  /** The item the object belongs to; null for the team identity and the marking definitions. */
  readonly itemId: string | null;
  /** The feed entry (delivery) whose application added it; null for fixed objects. */
  readonly deliveryId: string | null;
  readonly object: StixObject;
}

/** A collection's records, read afresh: `serve` reads them again when `pull` has changed them. */
export interface LocalCollectionSource {
  /** Every record in date_added order. */
  records(): Promise<readonly LocalObjectRecord[]>;
}
