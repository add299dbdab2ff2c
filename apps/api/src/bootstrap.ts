import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '@tlp-broker/config';
import { Metrics } from '@tlp-broker/observability';
import { ApiModule } from './api.module';
import { strictValidationPipe } from './common/errors';
import { JsonBodyErrorFilter } from './common/json-body-error.filter';
import { jsonBody } from './common/json-body';
import { TextRulesPipe } from './common/text-rules.pipe';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { serveConsole } from './console/console-static';
import { QUEUE_DASHBOARD_PATH, QueueDashboard } from './observability/queue-dashboard';
import { requestObservability } from './observability/request-observability';
import { createLogger } from '@tlp-broker/config';

export async function createApiApp(config: AppConfig): Promise<INestApplication> {
  const logger = createLogger(config);
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.register(config), {
    logger,
    bodyParser: false,
    // Start-up errors reach the caller (main prints them and exits 1) instead of aborting the process.
    abortOnError: false,
  });
  // Before anything else: the request's correlation id (X-Request-Id), its log line and its timing.
  app.use(requestObservability(logger.pino, app.get(Metrics)));
  // Administrators' queue dashboard: their console session is checked before any body is read.
  app.use(QUEUE_DASHBOARD_PATH, ...app.get(QueueDashboard).handlers());
  // 2 MB: an item body is at most 1 MB of text, plus its metadata. JSON only (415 otherwise), nested 32 levels at most.
  app.use(jsonBody('2mb'));
  app.disable('x-powered-by');
  // The analysts' console: static files under /console, with its own Content-Security-Policy.
  serveConsole(app);
  // The text rules run on the raw value, before the validation pipe builds and walks the DTO.
  app.useGlobalPipes(new TextRulesPipe(), strictValidationPipe());
  app.useGlobalFilters(new JsonBodyErrorFilter(app.getHttpAdapter()));
  app.enableShutdownHooks();
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app));
  // Start-up checks (schema migrated, team key unlocked) run here, before anything listens.
  await app.init();
  return app;
}
