/**
 * Typed configuration, read once from the environment and validated at boot.
 * A missing or malformed variable stops the process with a message naming it.
 */
export interface AppConfig {
  port: number;
  databaseUrl: string;
  adminApiToken: string;
  /** 32-byte key for AES-256-GCM encryption of provider secrets. */
  secretsKey: Buffer;
  publicBaseUrl: string;
  smtpUrl: string | null;
  emailFrom: string;
  logLevel: string;
  /** `all` (default), `api` (HTTP only) or `worker` (journey workers only). */
  processRole: 'all' | 'api' | 'worker';
  /** Base URL of Clerk's Backend API (tests point it at a local server). */
  clerkApiUrl: string;
  /** SMTP connection and greeting timeout; a silent socket is given twice as long. */
  smtpTimeoutSeconds: number;
  /**
   * Seconds to wait before each retry of a send that failed for a reason that may pass
   * (connection refused or reset, timeout, SMTP 4xx); when they are used up, the send fails.
   */
  smtpRetrySchedule: number[];
  /** Durable jobs (pg-boss): how a job that throws is retried, and the queue's housekeeping. */
  jobs: JobsConfig;
  /** Days the webhook delivery log keeps a delivery (and its payload) before the retention job deletes it. */
  deliveryRetentionDays: number;
}

export interface JobsConfig {
  /** Retries of a job that throws (a database fault, say), with exponential backoff. */
  retryLimit: number;
  /** The first retry waits this to twice this; each next one twice as long (pg-boss backoff). */
  retryDelaySeconds: number;
  /** How often a worker process expires the jobs of dead workers. Not an env var. */
  maintenanceIntervalSeconds: number;
  /** When set, the expiry of every queue's jobs (tests); otherwise each queue's own. Not an env var. */
  expireSeconds: number | null;
}

/** 30 s, 1, 2, 5, 10, 20, 30 and 30 min: 9 attempts over 98.5 minutes. */
export const DEFAULT_SMTP_RETRY_SCHEDULE = [30, 60, 120, 300, 600, 1200, 1800, 1800];

export class ConfigError extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function parseLogLevel(raw: string | undefined): string {
  const level = raw || 'info';
  if (!LOG_LEVELS.includes(level)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/** What the bootstrap (src/main.ts) must know before the configuration itself can be loaded. */
export interface BootSettings {
  /** LOG_LEVEL, validated: the logger is made first, to report the rest of the configuration. */
  logLevel: string;
  /** DATABASE_URL is unset: the bootstrap starts an embedded PostgreSQL and generates the secrets. */
  embedded: boolean;
  /** ADMIN_API_TOKEN is set (in embedded mode, the token is otherwise the generated file's). */
  adminTokenGiven: boolean;
}

/**
 * The process environment is read here and in `loadConfig` only (the config module), never by
 * the rest of the code, which gets the validated AppConfig.
 */
export function readBootSettings(env: NodeJS.ProcessEnv = process.env): BootSettings {
  return { logLevel: parseLogLevel(env.LOG_LEVEL), embedded: !env.DATABASE_URL, adminTokenGiven: !!env.ADMIN_API_TOKEN };
}

function decodeSecretsKey(raw: string): Buffer {
  const key = Buffer.from(raw, 'base64');
  if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== raw.trim().replace(/=+$/, '')) {
    throw new ConfigError('SECRETS_KEY must be 32 random bytes encoded as base64 (44 characters)');
  }
  return key;
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 3000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be an integer from 0 to 65535, got "${raw}"`);
  }
  return port;
}

function parseUrl(name: string, raw: string, protocols: string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')}`);
  }
  return raw;
}

function parseInteger(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!/^\s*-?\d+\s*$/.test(raw) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

const UNIT_SECONDS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600 };

/** `30s,1m,2m,1h` (a bare number is seconds), each 1 s to 24 h, at most 50; `none`: no retries. */
function parseSchedule(name: string, raw: string | undefined, fallback: number[]): number[] {
  if (raw === undefined || raw.trim() === '') return fallback;
  if (raw.trim() === 'none') return [];
  const parts = raw.split(',');
  const seconds = parts.map((part) => {
    const m = /^\s*(\d+)\s*([smh]?)\s*$/.exec(part);
    const value = m ? Number(m[1]) * UNIT_SECONDS[m[2]] : NaN;
    if (!(value >= 1 && value <= 86400)) {
      throw new ConfigError(`${name} must list durations from 1s to 24h such as "30s,1m,5m,1h" (or "none"), got "${part.trim()}"`);
    }
    return value;
  });
  if (seconds.length > 50) throw new ConfigError(`${name} lists at most 50 retries, got ${seconds.length}`);
  return seconds;
}

/**
 * Builds the configuration. `embedded` supplies the admin token and secrets key in embedded mode
 * (generated once and persisted under .data/) and a placeholder database URL, which the
 * bootstrap replaces with the embedded server's once it runs.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  embedded?: { databaseUrl: string; adminApiToken: string; secretsKey: string },
): AppConfig {
  const port = parsePort(env.PORT);
  const databaseUrl = env.DATABASE_URL || embedded?.databaseUrl;
  if (!databaseUrl) throw new ConfigError('DATABASE_URL is required');
  parseUrl('DATABASE_URL', databaseUrl, ['postgres:', 'postgresql:']);

  const adminApiToken = env.ADMIN_API_TOKEN || embedded?.adminApiToken;
  if (!adminApiToken) throw new ConfigError('ADMIN_API_TOKEN is required when DATABASE_URL is set');
  if (adminApiToken.length < 16) throw new ConfigError('ADMIN_API_TOKEN must be at least 16 characters');

  const secretsKeyRaw = env.SECRETS_KEY || embedded?.secretsKey;
  if (!secretsKeyRaw) throw new ConfigError('SECRETS_KEY is required when DATABASE_URL is set');
  const secretsKey = decodeSecretsKey(secretsKeyRaw);

  const publicBaseUrl = (env.PUBLIC_BASE_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  parseUrl('PUBLIC_BASE_URL', publicBaseUrl, ['http:', 'https:']);

  const smtpUrl = env.SMTP_URL ? parseUrl('SMTP_URL', env.SMTP_URL, ['smtp:', 'smtps:']) : null;
  const emailFrom = env.EMAIL_FROM || 'no-reply@localhost';
  if (!/^[^\s@]+@[^\s@]+$/.test(emailFrom)) throw new ConfigError('EMAIL_FROM must be an email address');

  const logLevel = parseLogLevel(env.LOG_LEVEL);

  const role = env.PROCESS_ROLE || 'all';
  if (role !== 'all' && role !== 'api' && role !== 'worker') {
    throw new ConfigError('PROCESS_ROLE must be one of all, api, worker');
  }
  const clerkApiUrl = parseUrl('CLERK_API_URL', env.CLERK_API_URL || 'https://api.clerk.com', ['http:', 'https:']);

  const smtpTimeoutSeconds = parseInteger('SMTP_TIMEOUT_SECONDS', env.SMTP_TIMEOUT_SECONDS, 20, 1, 300);
  const smtpRetrySchedule = parseSchedule('SMTP_RETRY_SCHEDULE', env.SMTP_RETRY_SCHEDULE, DEFAULT_SMTP_RETRY_SCHEDULE);
  const jobs: JobsConfig = {
    retryLimit: parseInteger('JOB_RETRY_LIMIT', env.JOB_RETRY_LIMIT, 8, 0, 50),
    retryDelaySeconds: parseInteger('JOB_RETRY_DELAY_SECONDS', env.JOB_RETRY_DELAY_SECONDS, 15, 1, 3600),
    maintenanceIntervalSeconds: 60,
    expireSeconds: null,
  };

  const deliveryRetentionDays = parseInteger('DELIVERY_RETENTION_DAYS', env.DELIVERY_RETENTION_DAYS, 30, 1, 3650);

  return {
    port,
    databaseUrl,
    adminApiToken,
    secretsKey,
    publicBaseUrl,
    smtpUrl,
    emailFrom,
    logLevel,
    processRole: role,
    clerkApiUrl,
    smtpTimeoutSeconds,
    smtpRetrySchedule,
    jobs,
    deliveryRetentionDays,
  };
}

/** Injection token for the AppConfig object. */
export const APP_CONFIG = Symbol('APP_CONFIG');
