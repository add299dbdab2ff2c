import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/** The document the console's client is generated from, as committed. */
export const OPENAPI_FILE = join(__dirname, '..', '..', 'apps', 'console', 'src', 'api', 'openapi.json');

export const REGENERATE =
  'run `npm run openapi` (it rewrites apps/api/src/openapi/view-schemas.json, apps/console/src/api/openapi.json and schema.d.ts)';

export function committedOpenApiDocument(): any {
  return JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
}

/** Every `$ref` in the document that names nothing in it. */
export function unresolvedRefs(document: unknown): string[] {
  const refs = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === '$ref' && typeof inner === 'string') refs.add(inner);
        else walk(inner);
      }
    }
  };
  walk(document);
  return [...refs].filter((ref) => resolve(document, ref) === undefined);
}

function resolve(document: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((part) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>(
      (node, part) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined),
      document,
    );
}

/**
 * Checks an answer against what the document says the route returns (its JSON schema for that
 * status): the schema errors, empty when the answer is as documented.
 */
export function answerChecker(
  document: any,
): (method: string, path: string, status: number, body: unknown) => string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi.json', components: document.components });
  return (method, path, status, body) => {
    const schema =
      document.paths[path]?.[method.toLowerCase()]?.responses?.[String(status)]?.content?.['application/json']?.schema;
    if (!schema) return [`the document gives no JSON answer for ${method} ${path} ${status}`];
    const validate = ajv.compile(
      JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/')),
    );
    return validate(body)
      ? []
      : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`);
  };
}
