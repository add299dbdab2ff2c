import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { loadConfig } from '@tlp-broker/config';
import { ApiModule } from '../api.module';
import committedViewSchemas from './view-schemas.json';

/** JSON Schemas of the view types routes answer with (`@ApiView`), by name. */
export type ViewSchemas = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>;

/** Generated from the view types by `npm run openapi` (scripts/openapi-views.ts). */
export const VIEW_SCHEMAS: ViewSchemas = committedViewSchemas as ViewSchemas;

/**
 * The OpenAPI document of the API's routes: request bodies and parameters from the DTO classes,
 * answers from the view schemas. Paths and schemas in name order, so the document reads the same
 * whatever order the controllers are registered in.
 */
export function buildOpenApiDocument(app: INestApplication, views: ViewSchemas = VIEW_SCHEMAS): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('tlp-broker')
      .setDescription('TLP-aware information sharing broker: publishing, partner administration and partner feeds')
      .setVersion('0.1.0')
      // 3.1: its schemas are JSON Schema, as the view schemas generated from the TypeScript types are.
      .setOpenAPIVersion('3.1.0')
      .addBearerAuth()
      .addCookieAuth('tlpb_session')
      .build(),
  );
  const schemas: ViewSchemas = { ...document.components?.schemas };
  for (const [name, schema] of Object.entries(views)) {
    if (name in schemas) throw new Error(`the view type ${name} has the name of a request schema: rename one of them`);
    schemas[name] = schema;
  }
  return {
    ...document,
    paths: byName(document.paths),
    components: { ...document.components, schemas: byName(schemas) },
  };
}

/**
 * The document without PostgreSQL or Redis: Nest's preview mode maps modules, controllers and
 * routes without creating any provider, so nothing connects and the settings below are never used.
 */
export async function offlineOpenApiDocument(views: ViewSchemas = VIEW_SCHEMAS): Promise<OpenAPIObject> {
  const config = loadConfig({
    NODE_ENV: 'development',
    DATABASE_URL: 'postgres://unused@127.0.0.1:5432/unused',
    REDIS_URL: 'redis://127.0.0.1:6379/0',
    TEAM_KEY_PASSPHRASE: 'unused in preview mode',
  });
  const app = await NestFactory.create(ApiModule.register(config), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    return buildOpenApiDocument(app, views);
  } finally {
    await app.close();
  }
}

function byName<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
