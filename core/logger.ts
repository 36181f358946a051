// Logging: pino (the logger fastify uses), JSON lines, with secrets redacted by key name.
import pino, { type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/** Keys whose values are never logged, wherever they appear in a log object. */
export const REDACT_PATHS = [
  'password', 'secret', 'token', 'access_token', 'refresh_token', 'client_secret', 'api_key', 'apiKey', 'authorization',
  '*.password', '*.secret', '*.token', '*.access_token', '*.refresh_token', '*.client_secret', '*.api_key', '*.apiKey', '*.authorization',
  'config.*', 'req.headers.authorization', 'req.headers.cookie', 'headers.authorization',
];

export interface LoggerOptions {
  /** `debug`, `info` (default), `warn`, `error` (LOG_LEVEL, read by core/config.ts). */
  level?: string;
  /** Where lines go (default stderr, so stdout stays for command output). */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' }, base: { service: 'switchboard' } }, (options.destination ?? process.stderr) as pino.DestinationStream);
}

/** A logger that drops everything (tests, quiet CLI commands). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
