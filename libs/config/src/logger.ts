import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { AppConfig } from './config';

const LEVELS: Record<AppConfig['log']['level'], LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  verbose: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** Structured (JSON) logs by default; `LOG_FORMAT=text` for a terminal. */
export function createLogger(config: AppConfig): ConsoleLogger {
  return new ConsoleLogger({
    json: config.log.format === 'json',
    logLevels: LEVELS[config.log.level],
    colors: config.log.format === 'text',
  });
}
