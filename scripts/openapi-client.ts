/**
 * The console's typed client: TypeScript types of every path and schema of the OpenAPI document
 * (openapi-typescript), which openapi-fetch reads (apps/console/src/api/client.ts).
 */
import type { OpenAPIObject } from '@nestjs/swagger';

export const OPENAPI_FILE = 'apps/console/src/api/openapi.json';
export const CLIENT_TYPES_FILE = 'apps/console/src/api/schema.d.ts';

/** The text of schema.d.ts for the document. */
export async function clientTypes(document: OpenAPIObject): Promise<string> {
  // An ECMAScript module only: loaded with import(), which this CommonJS file keeps as is.
  const { default: openapiTS, astToString, COMMENT_HEADER } = await import('openapi-typescript');
  const ast = await openapiTS(document as unknown as Parameters<typeof openapiTS>[0], {
    // A default in a request body leaves the field optional to send: the broker fills it in.
    defaultNonNullable: false,
    silent: true,
  });
  return `${COMMENT_HEADER}${astToString(ast)}`;
}
