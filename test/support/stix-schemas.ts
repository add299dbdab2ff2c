import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/** The official STIX 2.1 JSON schemas (OASIS, BSD-3), kept under test/fixtures. */
const ROOT = join(__dirname, '..', 'fixtures', 'stix2.1-json-schemas', 'schemas');
const BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas';

let ajv: Ajv2020 | null = null;

function schemas(): Ajv2020 {
  if (ajv) return ajv;
  // The schemas' patterns are ECMA-262 without the u flag (e.g. `\-` outside a class).
  ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  // Not in ajv-formats; only domain-name observables use it (not served by tlp-broker).
  ajv.addFormat('idn-hostname', /^\S+$/);
  for (const folder of readdirSync(ROOT)) {
    for (const file of readdirSync(join(ROOT, folder)).filter((name) => name.endsWith('.json'))) {
      ajv.addSchema(JSON.parse(readFileSync(join(ROOT, folder, file), 'utf8')));
    }
  }
  return ajv;
}

const SCHEMA_OF: Record<string, string> = {
  bundle: 'common/bundle.json',
  'marking-definition': 'common/marking-definition.json',
  artifact: 'observables/artifact.json',
};

function validator(type: string): ValidateFunction {
  const path = SCHEMA_OF[type] ?? `sdos/${type}.json`;
  const validate = schemas().getSchema(`${BASE}/${path}`);
  if (!validate) throw new Error(`no STIX 2.1 schema for ${type}`);
  return validate;
}

/** The schema errors of a STIX object or bundle (empty when it validates). */
export function stixErrors(object: { readonly type: string; readonly [property: string]: unknown }): string[] {
  const type = object.type;
  const validate = validator(type);
  if (validate(object)) return [];
  return (validate.errors ?? []).map(
    (error) => `${type} ${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`,
  );
}
