import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { createDispatcher } from '../../apps/dispatcher/src/bootstrap';
import { DISPATCH_STEPS } from '../../apps/dispatcher/src/dispatcher.module';
import { AppConfig, ConfigModule, loadConfig } from '@tlp-broker/config';
import { CryptoModule } from '@tlp-broker/crypto';
import { ObservabilityModule } from '@tlp-broker/observability';
import { AuditLog, createDataSource, createUser, PersistenceModule } from '@tlp-broker/persistence';
import { deleteKeysUnder, QueueModule } from '@tlp-broker/queue';
import { createDatabase, dropDatabase, roleDatabaseUrl, TEST_APP_ROLE, TEST_REDIS_URL, uniqueName } from './databases';

export interface TestBroker {
  readonly url: string;
  readonly config: AppConfig;
  /**
   * The test's own connection, as the PostgreSQL superuser (to look at anything, or to play a
   * database administrator); the broker itself connects as the application role (`env.DATABASE_URL`).
   */
  readonly db: DataSource;
  readonly adminKey: string;
  readonly analystKey: string;
  readonly approverKey: string;
  readonly redisPrefix: string;
  /** The settings the broker runs with, as environment variables (to start more processes alike). */
  readonly env: Readonly<Record<string, string>>;
  /** Stops the API and dispatcher, drops the database and the Redis keys. */
  close(): Promise<void>;
}

export interface BrokerOptions {
  /** Start the dispatcher (routing and delivery workers) too. */
  dispatcher?: boolean;
  env?: Record<string, string>;
}

/** A whole broker on a fresh database and its own Redis key prefix: real PostgreSQL, real Redis. */
export async function startBroker(options: BrokerOptions = {}): Promise<TestBroker> {
  const databaseName = uniqueName('tlpb_test');
  const databaseUrl = await createDatabase(databaseName, inject('templateDatabase'));
  const redisPrefix = uniqueName('tlpb-test').replace(/_/g, '-');
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: roleDatabaseUrl(TEST_APP_ROLE, databaseName),
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    PORT: '0',
    TEAM_KEY_PASSPHRASE: 'test team key passphrase',
    TEAM_KEY_USER_ID: 'Test CSIRT <csirt@test.example>',
    // Links the broker signs and hands out come from here only, never from the address a test calls.
    PUBLIC_URL: 'https://broker.test.example',
    OUTBOX_POLL_MS: '20',
    // Four eyes is tested on its own; elsewhere items leave as soon as they are published.
    APPROVAL_REQUIRED_FOR: 'none',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'text',
    // The dispatcher's metrics server on any free port: several brokers run at once.
    DISPATCHER_HTTP_PORT: '0',
    ...options.env,
  };
  const config = loadConfig(env);
  const db = await createDataSource(databaseUrl).initialize();
  const [admin, analyst, approver] = await db.transaction(async (manager) => [
    await createUser(manager, new AuditLog(config.audit), 'admin', ['admin'], 'test'),
    await createUser(manager, new AuditLog(config.audit), 'analyst', ['analyst'], 'test'),
    await createUser(manager, new AuditLog(config.audit), 'approver', ['approver'], 'test'),
  ]);
  let api: INestApplication | null = null;
  let dispatcher: INestApplicationContext | null = null;
  try {
    api = await createApiApp(config);
    await api.listen(0, '127.0.0.1');
    if (options.dispatcher !== false) dispatcher = await createDispatcher(config);
  } catch (error) {
    await api?.close();
    await db.destroy();
    await dropDatabase(databaseName);
    throw error;
  }
  const url = (await api.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    url,
    config,
    db,
    adminKey: admin.apiKey,
    analystKey: analyst.apiKey,
    approverKey: approver.apiKey,
    redisPrefix,
    env,
    async close() {
      await dispatcher?.close();
      await api?.close();
      await db.destroy();
      await dropDatabase(databaseName);
      await deleteKeysUnder(TEST_REDIS_URL, redisPrefix);
    },
  };
}

/**
 * The dispatcher's steps (routing, delivery, recording) on a broker's database and Redis, without
 * its workers: the test runs each step itself, when it chooses. Close it before the broker.
 */
export async function startDispatchSteps(broker: TestBroker): Promise<INestApplicationContext> {
  const module = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(broker.config),
      PersistenceModule,
      CryptoModule,
      QueueModule.forRoot(),
      ObservabilityModule,
    ],
    providers: DISPATCH_STEPS,
  }).compile();
  return module.init();
}

/** What a `SELECT count(*)` over the broker's database counts. */
export async function countRows(broker: TestBroker, sql: string, parameters: unknown[] = []): Promise<number> {
  const [row]: { count: string }[] = await broker.db.query(sql, parameters);
  return Number(row.count);
}
