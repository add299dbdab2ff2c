import { LoggerService, LogLevel } from '@nestjs/common';
import { pino, DestinationStream, Level, Logger } from 'pino';
import { currentCorrelationId } from '@tlp-broker/observability';
import { AppConfig } from './config';

/** LOG_LEVEL, in pino's words. */
const PINO_LEVEL: Record<AppConfig['log']['level'], Level> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** Nest's log levels, in pino's words. */
const NEST_LEVEL: Record<LogLevel, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** Nest's way of passing a stack to `error()`: a string that reads like one. */
const STACK = /\n\s+at .+/;

/**
 * Nest's LoggerService on pino: every line a JSON object (`level`, `time`, `context`, `msg`) and,
 * inside a request or a job, its `correlationId`. `pino` is there for what logs requests
 * (pino-http) to write through the same logger.
 */
export class PinoLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params, true);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params, true);
  }

  /** Nest asks for these levels: the lowest of them becomes pino's threshold. */
  setLogLevels(levels: LogLevel[]): void {
    const values = levels.map((level) => this.pino.levels.values[NEST_LEVEL[level]]);
    if (values.length === 0) this.pino.level = 'silent';
    else this.pino.level = this.pino.levels.labels[Math.min(...values)];
  }

  /**
   * Nest passes the context (the class name) last, and for errors a stack before it; anything
   * else given is kept under `params`. An Error goes under `err` with its stack; another object
   * under `data`.
   */
  private write(level: Level, message: unknown, params: unknown[], mayHaveStack = false): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = params.filter((param) => param !== undefined);
    const fields: Record<string, unknown> = {};
    if (typeof rest.at(-1) === 'string') fields.context = rest.pop();
    if (mayHaveStack && typeof rest.at(-1) === 'string' && STACK.test(rest.at(-1) as string)) fields.stack = rest.pop();
    if (rest.length > 0) fields.params = rest;
    if (message instanceof Error) this.pino[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'string') this.pino[level](fields, message);
    else this.pino[level]({ ...fields, data: message }, '');
  }
}

/**
 * A line a person reads in a terminal: time, level, context, message, correlation id, then any
 * other field as JSON. Errors and worse go to standard error, the rest to standard output.
 */
export function textLine(line: string): { text: string; toStderr: boolean } {
  const { time, level, context, msg, correlationId, ...rest } = JSON.parse(line);
  delete rest.pid;
  delete rest.hostname;
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  const label = String(level).toUpperCase().padEnd(5);
  const where = context ? ` [${context}]` : '';
  const id = correlationId ? ` (${correlationId})` : '';
  return {
    text: `${time} ${label}${where} ${msg ?? ''}${id}${extra}\n`,
    toStderr: level === 'error' || level === 'fatal',
  };
}

/** Readable lines to `out` when given, else errors to standard error and the rest to standard output. */
function textDestination(out?: DestinationStream): DestinationStream {
  return {
    write(line: string) {
      const { text, toStderr } = textLine(line);
      if (out) out.write(text);
      else (toStderr ? process.stderr : process.stdout).write(text);
    },
  };
}

/**
 * The processes' logger (LOG_LEVEL, LOG_FORMAT): `json`, one JSON object per line on standard
 * output, for a log collector; `text`, one readable line each, for a terminal. Either way every
 * line written inside a request or a job carries its correlation id. `destination` replaces the
 * standard streams (tests).
 */
export function createLogger(config: AppConfig, destination?: DestinationStream): PinoLogger {
  const logger = pino(
    {
      level: PINO_LEVEL[config.log.level],
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const correlationId = currentCorrelationId();
        return correlationId === undefined ? {} : { correlationId };
      },
    },
    config.log.format === 'json'
      ? (destination ?? pino.destination({ dest: 1, sync: true }))
      : textDestination(destination),
  );
  return new PinoLogger(logger);
}
