import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, createLogger } from '@tlp-broker/config';
import { DispatcherModule } from './dispatcher.module';

export async function createDispatcher(config: AppConfig): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(DispatcherModule.register(config), {
    logger: createLogger(config),
    abortOnError: false,
  });
  app.enableShutdownHooks();
  return app;
}
