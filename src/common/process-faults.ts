import type { Logger } from 'pino';
import { loggableError } from './logger.js';

/**
 * Error codes of a connection that failed or went away: the network's (Node) and PostgreSQL's
 * (class 08 connection exceptions, 57P0x the server shutting down or restarting, 53300 too many
 * connections). Such an error says the database (or another server) is unreachable for now, not
 * that this process is broken.
 */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03', '53300']);
const CONNECTION_MESSAGES = [/connection terminated/i, /terminating connection/i, /connection .*(closed|ended)/i, /not queryable/i, /timeout exceeded when trying to connect/i];

export function isConnectionError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' && CONNECTION_MESSAGES.some((re) => re.test(message));
}

/**
 * The process-level policy for errors that no caller handled (documented in the README,
 * "Failure behaviour"):
 * - an unhandled promise rejection is logged as an error and the process carries on. Every path
 *   of the app awaits and handles its own errors; what is left comes from bookkeeping a library
 *   does in the background (pg-boss completes or fails a fetched batch of jobs without awaiting
 *   it, so while PostgreSQL is down that rejects). Work it loses is recovered: a job whose outcome
 *   was not recorded expires and is retried, and steps are idempotent.
 * - an uncaught exception that is a connection error (the database went away under a socket
 *   nobody was listening on) is logged as an error and the process carries on: the pools open
 *   new connections once the server is back.
 * - any other uncaught exception is a bug whose effects are unknown: it is logged as fatal and
 *   `onFatal` shuts the process down gracefully with a non-zero exit code, for the supervisor to
 *   restart it.
 */
export function installProcessFaultHandlers(logger: Logger, onFatal: (err: unknown) => void): void {
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: loggableError(reason) }, 'unhandled promise rejection; carrying on');
  });
  process.on('uncaughtException', (err) => {
    if (isConnectionError(err)) {
      logger.error({ err: loggableError(err) }, 'uncaught connection error; carrying on');
      return;
    }
    logger.fatal({ err: loggableError(err) }, 'uncaught exception; shutting down');
    onFatal(err);
  });
}
