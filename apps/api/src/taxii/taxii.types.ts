import { HttpException, HttpStatus } from '@nestjs/common';
import { StepView, StixObject, TaxiiRecord } from '@tlp-broker/stix';
import { EntryHead } from '../feeds/partner-view.service';

/** A TAXII 2.1 error, answered as a TAXII error object. */
export class TaxiiError extends HttpException {
  constructor(status: HttpStatus, title: string, description: string) {
    super({ title, description, http_status: String(status) }, status);
  }
}

/**
 * One object version in a partner channel's collection (see TaxiiRecord), with where it comes from:
 * its dateAdded is the entry's added time plus the object's place in it.
 */
export interface ObjectRecord extends TaxiiRecord {
  readonly seq: bigint;
  readonly part: number;
  /** The feed entry it comes from, and how that entry is served; null for the team identity and the marking definitions. */
  readonly head: EntryHead | null;
  readonly view: StepView | null;
  /** For fixed objects: the object itself. */
  readonly fixed?: StixObject;
}
