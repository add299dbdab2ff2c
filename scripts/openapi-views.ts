/**
 * JSON Schemas of the view types that routes answer with, generated from the TypeScript types
 * themselves: every name given to `@ApiView('…')` in apps/api/src is looked up among the exported
 * types the controllers reach, and written with the types it uses to
 * apps/api/src/openapi/view-schemas.json, which the OpenAPI document takes its answers from.
 *
 * `npm run openapi` runs it (with the OpenAPI document and the console's client after it).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  CompletedConfig,
  createFormatter,
  createParser,
  createProgram,
  DEFAULT_CONFIG,
  Definition,
  SchemaGenerator,
} from 'ts-json-schema-generator';

export const VIEW_SCHEMAS_FILE = 'apps/api/src/openapi/view-schemas.json';

/** A schema name OpenAPI accepts in components/schemas. */
const SCHEMA_NAME = /^[A-Za-z0-9._-]+$/;
const API_VIEW = /@ApiView\(\s*['"]([^'"]+)['"]/g;

/** The repository's root, from the sources or from their build in dist/. */
export function repositoryRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'tsconfig.json')) || !existsSync(join(dir, 'apps/api/src'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no tlp-broker repository above ${from}`);
    dir = parent;
  }
  return dir;
}

/** The view names routes give to `@ApiView`, in name order. */
export function viewNames(root = repositoryRoot()): string[] {
  const names = new Set<string>();
  for (const file of sourceFiles(join(root, 'apps/api/src'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(API_VIEW)) names.add(match[1]);
  }
  return [...names].sort();
}

/**
 * The schemas of the named views and of every named type they use, by name, with references
 * between them as `#/components/schemas/<name>`. Date becomes a string in date-time format.
 */
export function generateViewSchemas(root = repositoryRoot(), names = viewNames(root)): Record<string, Definition> {
  return viewSchemaGenerator(root)(names);
}

/** Reads the types the controllers reach once, for any number of generations. */
export function viewSchemaGenerator(root = repositoryRoot()): (names: readonly string[]) => Record<string, Definition> {
  const config: CompletedConfig = {
    ...DEFAULT_CONFIG,
    path: join(root, 'apps/api/src/**/*.controller.ts'),
    tsconfig: join(root, 'tsconfig.json'),
    // tsc checks the types; this only reads them.
    skipTypeCheck: true,
    expose: 'export',
    topRef: true,
    jsDoc: 'extended',
    additionalProperties: false,
  };
  const program = createProgram(config);
  const generator = new SchemaGenerator(program, createParser(program, config), createFormatter(config), config);
  const sources = program
    .getSourceFiles()
    .filter((file) => !file.fileName.includes('/node_modules/') && !file.isDeclarationFile);
  return (names) => {
    const schemas: Record<string, Definition> = {};
    for (const name of names) {
      const declaredIn = sources.filter((file) => declares(file.text, name)).map((file) => file.fileName);
      if (declaredIn.length === 0) throw new Error(`@ApiView('${name}'): no exported type ${name} found`);
      if (declaredIn.length > 1) {
        throw new Error(
          `@ApiView('${name}'): ${name} is declared in ${declaredIn.join(' and ')}; give each its own name`,
        );
      }
      const definitions = generator.createSchema(name).definitions ?? {};
      for (const [type, definition] of Object.entries(definitions)) add(schemas, type, definition as Definition);
    }
    return Object.fromEntries(
      Object.keys(schemas)
        .sort()
        .map((name) => [name, schemas[name]]),
    );
  };
}

/** Writes the view schemas file; returns its path. */
export function writeViewSchemas(schemas: Record<string, Definition>, root = repositoryRoot()): string {
  const file = join(root, VIEW_SCHEMAS_FILE);
  writeFileSync(file, `${JSON.stringify(schemas, null, 2)}\n`);
  return file;
}

function add(schemas: Record<string, Definition>, name: string, definition: Definition): void {
  if (!SCHEMA_NAME.test(name)) {
    throw new Error(`the view schemas use a type named ${name}: give it an exported name of letters and digits`);
  }
  const schema = withComponentRefs(definition) as Definition;
  if (name in schemas && JSON.stringify(schemas[name]) !== JSON.stringify(schema)) {
    throw new Error(`two different types named ${name} are used by views: give each its own name`);
  }
  schemas[name] = schema;
}

function withComponentRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withComponentRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === '$ref' && typeof inner === 'string'
        ? inner.replace('#/definitions/', '#/components/schemas/')
        : withComponentRefs(inner),
    ]),
  );
}

function declares(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^export\\s+(?:declare\\s+)?(?:interface|type|class|enum)\\s+${escaped}\\b`, 'm').test(text);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !/\.(spec|db-spec)\.ts$/.test(entry.name) ? [path] : [];
  });
}

if (require.main === module) {
  const root = repositoryRoot();
  const schemas = generateViewSchemas(root);
  console.log(`${Object.keys(schemas).length} view schemas written to ${writeViewSchemas(schemas, root)}`);
}
