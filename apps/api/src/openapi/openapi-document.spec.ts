import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpenAPIObject } from '@nestjs/swagger';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_TYPES_FILE, clientTypes } from '../../../../scripts/openapi-client';
import { committedOpenApiDocument, REGENERATE, unresolvedRefs } from '../../../../test/support/openapi';
import { offlineOpenApiDocument } from './openapi-document';

/** The console's client is generated from apps/console/src/api/openapi.json: it must be the API's own document. */
describe('the OpenAPI document', () => {
  let document: OpenAPIObject;

  beforeAll(async () => {
    document = await offlineOpenApiDocument();
  }, 60_000);

  it('is built without PostgreSQL or Redis, with every route', () => {
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/items', '/items/{id}/decisions', '/organisations', '/feed', '/team/key']),
    );
    expect(document.components?.schemas?.ItemView).toBeDefined();
  });

  it('is the committed apps/console/src/api/openapi.json', () => {
    expect(committedOpenApiDocument(), `apps/console/src/api/openapi.json is out of date: ${REGENERATE}`).toEqual(
      document,
    );
  });

  it('is what the console client types (apps/console/src/api/schema.d.ts) are generated from', async () => {
    const committed = readFileSync(join(__dirname, '..', '..', '..', '..', CLIENT_TYPES_FILE), 'utf8');
    const generated = await clientTypes(committedOpenApiDocument());
    expect(committed === generated, `apps/console/src/api/schema.d.ts is out of date: ${REGENERATE}`).toBe(true);
  }, 60_000);

  it('names only schemas it holds', () => {
    expect(unresolvedRefs(document)).toEqual([]);
  });

  it('describes what every route answers', () => {
    const undescribed = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations as Record<string, { responses?: Record<string, { content?: unknown }> }>)
        .filter(([, operation]) => {
          const success = Object.entries(operation.responses ?? {}).filter(([status]) => /^2/.test(status));
          return success.length === 0 || success.some(([status, answer]) => status !== '204' && !answer.content);
        })
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(undescribed, 'give these routes @ApiView (or @ApiDocument for a standard document)').toEqual([]);
  });

  it('answers a route with the view it names', () => {
    const answer = (path: string, method: string, status: string) =>
      (document.paths[path] as any)[method].responses[status].content['application/json'].schema;
    expect(answer('/items', 'post', '201')).toEqual({ $ref: '#/components/schemas/ItemView' });
    expect(answer('/organisations', 'get', '200')).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/OrganisationView' },
    });
  });
});
