import { stixSchemaErrors } from '@tlp-broker/stix';

/**
 * The schema errors of a STIX object or bundle (empty when it validates), by the official STIX 2.1
 * JSON schemas the broker itself validates with (libs/stix/schemas): one copy for both.
 */
export function stixErrors(object: { readonly type: string; readonly [property: string]: unknown }): string[] {
  return stixSchemaErrors(object);
}
