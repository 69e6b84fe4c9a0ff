import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';

/**
 * Paths never written to a log line. Keys, secrets and auth headers are also kept out by never
 * logging bodies or query strings; this list is the second line of defence.
 */
export const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["stripe-signature"]',
  'req.headers["webhook-signature"]',
  'req.headers["svix-signature"]',
  'key',
  '*.key',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'password',
  '*.password',
  'adminApiToken',
  'secretsKey',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'mara' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination as never,
  );
}

/** Routes Nest's own log calls into pino as JSON lines. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, rest: unknown[]): void {
    const context = rest.length > 0 ? rest[rest.length - 1] : undefined;
    const fields = typeof context === 'string' ? { context } : {};
    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ ...fields, ...message });
    else this.logger[level](fields, String(message));
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest.length > 1 ? rest.slice(1) : rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
}

export const PINO_LOGGER = Symbol('PINO_LOGGER');

/**
 * What of an unexpected error goes to the log: its kind, message, code and stack. Not its other
 * fields: a failed query carries its parameters (contact emails, key hashes, ciphertexts).
 */
export function loggableError(e: unknown): Record<string, unknown> {
  if (typeof e !== 'object' || e === null) return { message: String(e) };
  // Not only Errors: pg-boss emits its worker errors as plain objects copied from the Error.
  const { name, message, code, constraint, table, stack } = e as Partial<Error> & { code?: unknown; constraint?: unknown; table?: unknown };
  if (!(e instanceof Error) && typeof message !== 'string') return { message: String(e) };
  return { type: e instanceof Error ? e.name : name, message, code, constraint, table, stack };
}
