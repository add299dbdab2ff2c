import { HttpException, HttpStatus } from '@nestjs/common';
import { StepView, StixObject } from '@tlp-broker/stix';
import { EntryHead } from '../feeds/partner-view.service';

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

/** A TAXII 2.1 error, answered as a TAXII error object. */
export class TaxiiError extends HttpException {
  constructor(status: HttpStatus, title: string, description: string) {
    super({ title, description, http_status: String(status) }, status);
  }
}

export interface TaxiiQuery {
  /** Microseconds since the epoch. */
  readonly addedAfter?: number;
  readonly limit: number;
  /** The `next` token of a previous page, as given: opened (and checked) against the collection it was handed out for. */
  readonly next?: string;
  readonly types?: readonly string[];
  readonly ids?: readonly string[];
  readonly versions: readonly ('first' | 'last' | 'all' | Date)[];
  readonly specVersions?: readonly string[];
}

export interface Page<T> {
  readonly items: T[];
  readonly more: boolean;
  readonly next?: string;
  /** The page's first and last date_added, as TAXII timestamps with microseconds. */
  readonly first?: string;
  readonly last?: string;
}

/**
 * One object version in a collection: what TAXII filters, orders and pages, before any content is
 * read. Every object version has a date_added of its own, in microseconds (the precision of
 * PostgreSQL and of the reference server), so that a client asking for what was added after the
 * last date_added it saw never skips an object that shared it.
 */
export interface ObjectRecord {
  readonly id: string;
  readonly type: string;
  /** The object's version (`modified`, else `created`). */
  readonly version: Date;
  /** Microseconds since the epoch: the entry's added time plus the object's place in it. */
  readonly dateAdded: number;
  readonly seq: bigint;
  readonly part: number;
  /** The feed entry it comes from, and how that entry is served; null for the team identity and the marking definitions. */
  readonly head: EntryHead | null;
  readonly view: StepView | null;
  /** For fixed objects: the object itself. */
  readonly fixed?: StixObject;
}

/** A TAXII timestamp with six fractional digits (as the reference server writes them) from microseconds since the epoch. */
export function taxiiTimestamp(microseconds: number): string {
  const milliseconds = Math.floor(microseconds / 1000);
  return `${new Date(milliseconds).toISOString().slice(0, -1)}${String(microseconds - milliseconds * 1000).padStart(3, '0')}Z`;
}
