import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import { runWithCorrelation } from '@tlp-broker/observability';
import { AppConfig } from './config';
import { createLogger, PinoLogger } from './logger';

function logTo(format: 'json' | 'text', level: AppConfig['log']['level'] = 'log') {
  const lines: string[] = [];
  const config = { log: { level, format } } as AppConfig;
  const logger = createLogger(config, { write: (line: string) => void lines.push(line) });
  return { logger, lines, json: () => lines.map((line) => JSON.parse(line)) };
}

describe('createLogger', () => {
  afterEach(() => Logger.overrideLogger(false));

  it('writes one JSON object per line: level, time, context and message', () => {
    const { logger, json } = logTo('json');
    logger.log('routing item-1', 'RoutingService');
    const [line] = json();
    expect(line).toMatchObject({ level: 'info', context: 'RoutingService', msg: 'routing item-1' });
    expect(new Date(line.time).toISOString()).toBe(line.time);
    expect(line.correlationId).toBeUndefined();
  });

  it('adds the correlation id of the work in progress to every line written inside it', async () => {
    const { logger, json } = logTo('json');
    await runWithCorrelation('req-0123456789', async () => {
      logger.warn('retrying', 'DeliveryService');
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.error('gave up', 'DeliveryService');
    });
    logger.log('idle', 'WorkersService');
    expect(json().map((line) => [line.level, line.msg, line.correlationId])).toEqual([
      ['warn', 'retrying', 'req-0123456789'],
      ['error', 'gave up', 'req-0123456789'],
      ['info', 'idle', undefined],
    ]);
  });

  it('takes what Nest hands it: a Logger with a context, a stack, an Error, an object', () => {
    const { logger, json } = logTo('json');
    Logger.overrideLogger(logger);
    new Logger('OutboxRelay').log('relayed 3 rows');
    new Logger('OutboxRelay').error('relay failed', 'Error: boom\n    at relay (outbox.ts:1:1)');
    logger.error(new Error('database down'), 'Reconciler');
    logger.log({ relayed: 3 }, 'OutboxRelay');
    const [plain, withStack, error, object] = json();
    expect(plain).toMatchObject({ level: 'info', context: 'OutboxRelay', msg: 'relayed 3 rows' });
    expect(withStack).toMatchObject({ level: 'error', context: 'OutboxRelay', msg: 'relay failed' });
    expect(withStack.stack).toMatch(/^Error: boom\n {4}at relay/);
    expect(error).toMatchObject({ level: 'error', context: 'Reconciler', msg: 'database down' });
    expect(error.err).toMatchObject({ type: 'Error', message: 'database down', stack: expect.any(String) });
    expect(object).toMatchObject({ level: 'info', context: 'OutboxRelay', data: { relayed: 3 } });
  });

  it('keeps to LOG_LEVEL, and to the levels Nest asks for', () => {
    const { logger, json } = logTo('json', 'warn');
    logger.log('not written');
    logger.debug('not written');
    logger.warn('written');
    logger.setLogLevels(['fatal', 'error', 'warn', 'log', 'debug']);
    logger.debug('written too');
    logger.verbose('not written');
    expect(json().map((line) => line.msg)).toEqual(['written', 'written too']);
  });

  it('writes a readable line per entry for a terminal (LOG_FORMAT=text)', async () => {
    const { logger, lines } = logTo('text');
    await runWithCorrelation('req-abcdefgh', async () => logger.warn('slow relay', 'MailRelay'));
    logger.log('started');
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+Z WARN {2}\[MailRelay\] slow relay \(req-abcdefgh\)\n$/);
    expect(lines[1]).toMatch(/^\S+ INFO {2}started\n$/);
  });

  it('is a Nest LoggerService on a pino logger', () => {
    const { logger } = logTo('json');
    expect(logger).toBeInstanceOf(PinoLogger);
    expect(logger.pino.level).toBe('info');
  });
});
