import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { domainToASCII } from 'node:url';
import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * The official STIX 2.1 JSON schemas (OASIS cti-stix2-json-schemas, BSD-3: see LICENSE there),
 * kept in libs/stix/schemas. The broker reads them at run time, from the project's root whether it
 * runs from the sources or from dist/ (the image copies the folder beside dist/).
 */
const SCHEMA_FOLDER = join('libs', 'stix', 'schemas');
const SCHEMA_BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas';
const CORE = `${SCHEMA_BASE}/common/core.json`;
const OBSERVABLE_CORE = `${SCHEMA_BASE}/common/cyber-observable-core.json`;
/** The object types whose schema sits among the common ones; every file of the other folders is a type. */
const COMMON_TYPES = new Set(['bundle', 'marking-definition', 'language-content', 'extension-definition']);
const TYPE_FOLDERS = ['sdos', 'sros', 'observables'];
/** The schemas' own type-name rule, without the nested quantifier that makes theirs exponential. */
const TYPE_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*-?$/;
/**
 * Parts of the schemas' patterns that backtrack exponentially on a hostile string, and the same
 * languages written so that they cannot: a repeated group that can match its own repetitions
 * (type names), and two empty alternatives in a row (CPE components).
 */
const PATTERN_REWRITES: readonly (readonly [string, string])[] = [
  ['([a-z][a-z0-9]*)+', '[a-z][a-z0-9]*'],
  ['(\\?*|\\*?)', '(\\?+|\\*)?'],
];
/**
 * Patterns test identifiers (288 characters at most), timestamps, hashes, language tags, CPE names
 * and property names; a longer string fails them untested, as the language tag's pattern takes time
 * growing faster than the length. Base64 and hex contents, which may be long, have linear patterns.
 */
const MAX_PATTERN_INPUT = 300;
const LINEAR_PATTERNS = new Set([
  '^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$',
  '^([a-fA-F0-9]{2})+$',
]);
const MAX_PROBLEMS = 5;

interface Schemas {
  readonly ajv: Ajv2020;
  /** Schema id by object type. */
  readonly types: ReadonlyMap<string, string>;
  readonly validators: Map<string, ValidateFunction>;
}

let loaded: Schemas | null = null;

/** The folder holding the schemas: `libs/stix/schemas` under the first folder above `from` that has it. */
export function stixSchemaDirectory(from: string = __dirname): string {
  for (let directory = from; ; directory = dirname(directory)) {
    const candidate = join(directory, SCHEMA_FOLDER);
    if (existsSync(join(candidate, 'common', 'core.json'))) return candidate;
    if (dirname(directory) === directory)
      throw new Error(`the STIX 2.1 JSON schemas (${SCHEMA_FOLDER}) are not in ${from} nor in any folder above it`);
  }
}

/**
 * What is wrong with a STIX 2.1 object (or bundle) by the official schemas: empty when it is
 * valid. An object of a type the specification does not define (a custom `x-` type, or one an
 * extension definition adds) is held to the common core: an object's (`created`/`modified`
 * present) or an observable's. The schemas are read and each type's validator compiled on first use.
 */
export function stixSchemaErrors(object: unknown): string[] {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return ['must be a JSON object'];
  const fields = object as Record<string, unknown>;
  const { type, id } = fields;
  if (typeof type !== 'string' || type.length < 3 || type.length > 250 || !TYPE_NAME.test(type))
    return ['type must be a STIX type name: 3 to 250 lower-case letters, digits and hyphens, starting with a letter'];
  const empty = firstNull(fields);
  if (empty !== null) return [`${empty} must not be null: leave the property out`];
  const { types } = schemas();
  const custom = !types.has(type);
  const schema = types.get(type) ?? ('created' in fields || 'modified' in fields ? CORE : OBSERVABLE_CORE);
  const problems = validate(schema, object);
  if (custom && typeof id === 'string' && !id.startsWith(`${type}--`)) problems.push(`id must start with "${type}--"`);
  if (fields.spec_version !== undefined && fields.spec_version !== '2.1') problems.push('spec_version must be "2.1"');
  return problems;
}

function validate(schemaId: string, object: object): string[] {
  const { ajv, validators } = schemas();
  let validator = validators.get(schemaId);
  if (!validator) {
    validator = ajv.getSchema(schemaId);
    if (!validator) throw new Error(`no STIX 2.1 schema ${schemaId}`);
    validators.set(schemaId, validator);
  }
  if (validator(object)) return [];
  const problems = readable(validator.errors ?? []);
  return problems.length > MAX_PROBLEMS
    ? [...problems.slice(0, MAX_PROBLEMS), `and ${problems.length - MAX_PROBLEMS} more`]
    : problems;
}

/**
 * The schema errors as a reader fixes them, each once: the types a property may have written as
 * one error, and the "must match a schema in anyOf" summaries left out when their branches' own
 * errors say more.
 */
function readable(errors: readonly ErrorObject[]): string[] {
  const summaries = new Set(['anyOf', 'oneOf']);
  const detailed = errors.some((error) => !summaries.has(error.keyword));
  const types = new Map<string, string[]>();
  const problems: string[] = [];
  for (const error of errors) {
    if (detailed && summaries.has(error.keyword)) continue;
    if (error.keyword !== 'type') problems.push(describe(error));
    else types.set(error.instancePath, [...(types.get(error.instancePath) ?? []), String(error.params.type)]);
  }
  for (const [path, allowed] of types)
    problems.push(describe({ instancePath: path, message: `must be ${allowed.join(' or ')}` }));
  return [...new Set(problems)];
}

/** One schema error: where (a property path) and what. */
function describe(error: Pick<ErrorObject, 'instancePath' | 'message'> & Partial<ErrorObject>): string {
  const where = error.instancePath.slice(1).replace(/\//g, '.').replace(/~1/g, '/').replace(/~0/g, '~');
  const params = (error.params ?? {}) as { additionalProperty?: string; allowedValues?: unknown[] };
  let what = error.message ?? error.keyword ?? 'is not valid';
  if (error.keyword === 'pattern' && typeof error.data === 'string' && error.data.length > MAX_PATTERN_INPUT)
    what = `must be at most ${MAX_PATTERN_INPUT} characters`;
  else if (error.keyword === 'additionalProperties') what = `${what}: ${params.additionalProperty}`;
  else if (error.keyword === 'enum') what = `${what}: ${(params.allowedValues ?? []).join(', ')}`;
  return where ? `${where} ${what}` : what;
}

/** The path of the first null anywhere in the object (STIX has no null values), or null. Iterative: no stack to exhaust. */
function firstNull(object: Record<string, unknown>): string | null {
  const stack: { value: unknown; path: string }[] = [{ value: object, path: '' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (value === null || value === undefined) return path;
    if (typeof value !== 'object') continue;
    for (const [key, entry] of Object.entries(value)) stack.push({ value: entry, path: path ? `${path}.${key}` : key });
  }
  return null;
}

function schemas(): Schemas {
  if (loaded) return loaded;
  const root = stixSchemaDirectory();
  // The schemas' patterns are ECMA-262 without the u flag (e.g. `\-` outside a class).
  const ajv = new Ajv2020({
    strict: false,
    allErrors: true,
    verbose: true,
    unicodeRegExp: false,
    code: { regExp: boundedRegExp },
  });
  addFormats(ajv);
  // Not in ajv-formats; only domain-name observables use it.
  ajv.addFormat('idn-hostname', (value: string) => value.length <= 253 && domainToASCII(value) !== '');
  const types = new Map<string, string>();
  for (const folder of ['common', ...TYPE_FOLDERS]) {
    for (const file of readdirSync(join(root, folder)).filter((name) => name.endsWith('.json'))) {
      const schema = JSON.parse(readFileSync(join(root, folder, file), 'utf8')) as { $id: string };
      ajv.addSchema(schema);
      const type = basename(file, '.json');
      if (folder !== 'common' || COMMON_TYPES.has(type)) types.set(type, schema.$id);
    }
  }
  loaded = { ajv, types, validators: new Map() };
  return loaded;
}

/**
 * The schemas' patterns as regular expressions that a hostile string cannot keep busy: rewritten
 * where they backtrack exponentially, and strings over MAX_PATTERN_INPUT failing untested (except
 * base64 and hex contents).
 */
function boundedRegExp(pattern: string, flags: string): { test(text: string): boolean; toString(): string } {
  const rewritten = PATTERN_REWRITES.reduce((text, [from, to]) => text.split(from).join(to), pattern);
  const expression = new RegExp(rewritten, flags);
  if (LINEAR_PATTERNS.has(pattern)) return expression;
  return {
    test: (text: string) => text.length <= MAX_PATTERN_INPUT && expression.test(text),
    // ajv keeps one compiled pattern per distinct toString().
    toString: () => `bounded ${String(expression)}`,
  };
}
boundedRegExp.code = 'boundedRegExp';
