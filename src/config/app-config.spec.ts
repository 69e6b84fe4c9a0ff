import { ConfigError, DEFAULT_SMTP_RETRY_SCHEDULE, loadConfig } from './app-config.js';

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
    [{ ...base, SMTP_TIMEOUT_SECONDS: '0' }, 'SMTP_TIMEOUT_SECONDS'],
    [{ ...base, SMTP_TIMEOUT_SECONDS: '2.5' }, 'SMTP_TIMEOUT_SECONDS'],
    [{ ...base, SMTP_RETRY_SCHEDULE: '30s,,1m' }, 'SMTP_RETRY_SCHEDULE'],
    [{ ...base, SMTP_RETRY_SCHEDULE: '30s,1d' }, 'SMTP_RETRY_SCHEDULE'],
    [{ ...base, SMTP_RETRY_SCHEDULE: '0s' }, 'SMTP_RETRY_SCHEDULE'],
    [{ ...base, SMTP_RETRY_SCHEDULE: '-5' }, 'SMTP_RETRY_SCHEDULE'],
    [{ ...base, SMTP_RETRY_SCHEDULE: '25h' }, 'SMTP_RETRY_SCHEDULE'],
    [{ ...base, SMTP_RETRY_SCHEDULE: Array(51).fill('1s').join(',') }, 'SMTP_RETRY_SCHEDULE'],
    [{ ...base, JOB_RETRY_LIMIT: '-1' }, 'JOB_RETRY_LIMIT'],
    [{ ...base, JOB_RETRY_LIMIT: 'many' }, 'JOB_RETRY_LIMIT'],
    [{ ...base, JOB_RETRY_DELAY_SECONDS: '0' }, 'JOB_RETRY_DELAY_SECONDS'],
    [{ ...base, DELIVERY_RETENTION_DAYS: '0' }, 'DELIVERY_RETENTION_DAYS'],
    [{ ...base, DELIVERY_RETENTION_DAYS: '7.5' }, 'DELIVERY_RETENTION_DAYS'],
    [{ ...base, DELIVERY_RETENTION_DAYS: 'a month' }, 'DELIVERY_RETENTION_DAYS'],
    [{ ...base, DELIVERY_RETENTION_DAYS: '3651' }, 'DELIVERY_RETENTION_DAYS'],
  ])('refuses a missing or malformed variable, naming it (%#)', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('uses the embedded values when DATABASE_URL is unset', () => {
    const config = loadConfig({}, { databaseUrl: 'postgresql://e/mara', adminApiToken: 'generated-token-0123456789', secretsKey: base.SECRETS_KEY });
    expect(config.databaseUrl).toBe('postgresql://e/mara');
    expect(config.adminApiToken).toBe('generated-token-0123456789');
  });

  it('retries transient SMTP failures for at least an hour by default, the first retry within a minute', () => {
    const { smtpRetrySchedule, smtpTimeoutSeconds } = loadConfig(base);
    expect(smtpRetrySchedule).toEqual(DEFAULT_SMTP_RETRY_SCHEDULE);
    expect(smtpRetrySchedule).toEqual([30, 60, 120, 300, 600, 1200, 1800, 1800]);
    expect(smtpRetrySchedule[0]).toBeLessThan(60);
    // Backoff: no delay is shorter than the one before it.
    expect(smtpRetrySchedule.every((s, i) => i === 0 || s >= smtpRetrySchedule[i - 1])).toBe(true);
    const total = smtpRetrySchedule.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(3600);
    expect(smtpTimeoutSeconds).toBe(20);
  });

  it('retries failed jobs with backoff for at least an hour by default, the first retry within a minute', () => {
    const { jobs } = loadConfig(base);
    expect(jobs).toMatchObject({ retryLimit: 8, retryDelaySeconds: 15 });
    // pg-boss backoff: retry n waits retryDelay * 2^(n-1) to twice that (jitter).
    const shortest = Array.from({ length: jobs.retryLimit }, (_, i) => jobs.retryDelaySeconds * 2 ** i);
    expect(2 * shortest[0]).toBeLessThan(60);
    expect(shortest.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3600);
  });

  it('reads the SMTP and job settings, durations in s, m or h', () => {
    const config = loadConfig({
      ...base,
      SMTP_TIMEOUT_SECONDS: '3',
      SMTP_RETRY_SCHEDULE: ' 1, 2s ,3m,1h ',
      JOB_RETRY_LIMIT: '0',
      JOB_RETRY_DELAY_SECONDS: '2',
    });
    expect(config.smtpTimeoutSeconds).toBe(3);
    expect(config.smtpRetrySchedule).toEqual([1, 2, 180, 3600]);
    expect(config.jobs).toMatchObject({ retryLimit: 0, retryDelaySeconds: 2 });
    expect(loadConfig({ ...base, SMTP_RETRY_SCHEDULE: 'none' }).smtpRetrySchedule).toEqual([]);
  });

  it('keeps webhook deliveries 30 days unless DELIVERY_RETENTION_DAYS says otherwise', () => {
    expect(loadConfig(base).deliveryRetentionDays).toBe(30);
    expect(loadConfig({ ...base, DELIVERY_RETENTION_DAYS: '7' }).deliveryRetentionDays).toBe(7);
    expect(loadConfig({ ...base, DELIVERY_RETENTION_DAYS: '' }).deliveryRetentionDays).toBe(30);
  });
});
