/**
 * `npm run openapi`: the view schemas from the TypeScript types, then the whole OpenAPI document
 * without PostgreSQL or Redis, then the console's typed client generated from it.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { offlineOpenApiDocument, ViewSchemas } from '../apps/api/src/openapi/openapi-document';
import { CLIENT_TYPES_FILE, clientTypes, OPENAPI_FILE } from './openapi-client';
import { generateViewSchemas, repositoryRoot, writeViewSchemas } from './openapi-views';

async function main(): Promise<void> {
  const root = repositoryRoot();
  const views = generateViewSchemas(root);
  console.log(`${Object.keys(views).length} view schemas written to ${writeViewSchemas(views, root)}`);
  const document = await offlineOpenApiDocument(views as ViewSchemas);
  writeFileSync(join(root, OPENAPI_FILE), `${JSON.stringify(document, null, 2)}\n`);
  console.log(`${Object.keys(document.paths).length} paths written to ${OPENAPI_FILE}`);
  writeFileSync(join(root, CLIENT_TYPES_FILE), await clientTypes(document));
  console.log(`the console's client types written to ${CLIENT_TYPES_FILE}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
