import { ConfigError, loadConfig } from './app-config.js';

const base = {
  DATABASE_URL: 'postgresql://u@localhost:5432/mara',
  ADMIN_API_TOKEN: 'a-long-enough-admin-token',
  SECRETS_KEY: Buffer.alloc(32, 1).toString('base64'),
};

describe('loadConfig', () => {
  it('reads a complete environment with defaults', () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({ port: 3000, publicBaseUrl: 'http://localhost:3000', smtpUrl: null, emailFrom: 'no-reply@localhost', logLevel: 'info', processRole: 'all' });
    expect(config.secretsKey).toHaveLength(32);
  });

  it.each([
    [{ ...base, ADMIN_API_TOKEN: undefined }, 'ADMIN_API_TOKEN'],
    [{ ...base, SECRETS_KEY: undefined }, 'SECRETS_KEY'],
    [{ ...base, SECRETS_KEY: Buffer.alloc(16).toString('base64') }, 'SECRETS_KEY'],
    [{ ...base, DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ ...base, DATABASE_URL: undefined }, 'DATABASE_URL'],
    [{ ...base, PORT: 'eighty' }, 'PORT'],
    [{ ...base, SMTP_URL: 'http://mail' }, 'SMTP_URL'],
    [{ ...base, LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ ...base, PROCESS_ROLE: 'both' }, 'PROCESS_ROLE'],
    [{ ...base, EMAIL_FROM: 'nobody' }, 'EMAIL_FROM'],
  ])('refuses a missing or malformed variable, naming it (%#)', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('uses the embedded values when DATABASE_URL is unset', () => {
    const config = loadConfig({}, { databaseUrl: 'postgresql://e/mara', adminApiToken: 'generated-token-0123456789', secretsKey: base.SECRETS_KEY });
    expect(config.databaseUrl).toBe('postgresql://e/mara');
    expect(config.adminApiToken).toBe('generated-token-0123456789');
  });
});
