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
}

export class ConfigError extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

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

/**
 * Builds the configuration. `generated` supplies the admin token and secrets key in embedded
 * mode (persisted under .data/), where DATABASE_URL is also supplied by the bootstrap.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv,
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

  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const role = env.PROCESS_ROLE || 'all';
  if (role !== 'all' && role !== 'api' && role !== 'worker') {
    throw new ConfigError('PROCESS_ROLE must be one of all, api, worker');
  }
  const clerkApiUrl = parseUrl('CLERK_API_URL', env.CLERK_API_URL || 'https://api.clerk.com', ['http:', 'https:']);

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
  };
}

/** Injection token for the AppConfig object. */
export const APP_CONFIG = Symbol('APP_CONFIG');
