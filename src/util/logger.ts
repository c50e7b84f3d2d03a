import { type Logger, pino } from 'pino';

export type { Logger };

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  level: string;
  format: string;
  /** Fields added to every line (e.g. the node id). */
  base?: Record<string, unknown>;
}

/**
 * Builds the process logger: JSON lines for machines, or pretty output on a terminal. Message text is never
 * logged by the server (privacy); log ids and sizes instead.
 */
export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.format === 'pretty' || (options.format === 'auto' && process.stdout.isTTY === true);
  return pino({
    level: options.level,
    base: options.base ?? {},
    transport: pretty
      ? { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } }
      : undefined,
  });
}

/** A logger that discards everything; for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
