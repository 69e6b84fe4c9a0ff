import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { testDatabaseUrl } from '../support/app.js';
import { freePort, startMain as start, waitForOutput as waitFor } from '../support/process.js';

describe('migrations', () => {
  it('give an empty database the whole schema through the TypeORM CLI (npm run migration:run)', async () => {
    const server = process.env.MARA_TEST_SERVER_URL!;
    const name = `mara_cli_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: `${server}/postgres` });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
      const run = spawn(process.execPath, ['node_modules/typeorm/cli.js', '-d', 'dist/ormconfig.js', 'migration:run'], {
        env: { ...process.env, DATABASE_URL: `${server}/${name}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      run.stdout!.on('data', (d) => (out += d));
      run.stderr!.on('data', (d) => (out += d));
      expect(await new Promise((r) => run.on('exit', r))).toBe(0);
      const db = new pg.Client({ connectionString: `${server}/${name}` });
      await db.connect();
      try {
        const tables = (await db.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.tablename);
        expect(tables).toEqual(expect.arrayContaining(['tenants', 'contacts', 'events', 'webhook_deliveries', 'journeys', 'journey_runs', 'messages', 'migrations']));
        const applied = (await db.query('SELECT count(*)::int AS n FROM migrations')).rows[0].n;
        expect(applied).toBeGreaterThanOrEqual(5);
      } finally {
        await db.end();
      }
      expect(out).toMatch(/has been executed successfully/);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });
});

describe('the server process', () => {
  it('exits non-zero naming ADMIN_API_TOKEN when DATABASE_URL is set without it', async () => {
    const run = start({ DATABASE_URL: testDatabaseUrl(), SECRETS_KEY: Buffer.alloc(32, 1).toString('base64') }, process.cwd());
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('ADMIN_API_TOKEN');
  });

  it('exits non-zero naming SECRETS_KEY when it is malformed', async () => {
    const run = start(
      { DATABASE_URL: testDatabaseUrl(), ADMIN_API_TOKEN: 'a-long-enough-admin-token', SECRETS_KEY: 'short' },
      process.cwd(),
    );
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('SECRETS_KEY');
  });

  it('exits non-zero naming LOG_LEVEL when it is no pino level, before anything logs with it', async () => {
    const run = start(
      {
        DATABASE_URL: testDatabaseUrl(),
        ADMIN_API_TOKEN: 'a-long-enough-admin-token',
        SECRETS_KEY: Buffer.alloc(32, 1).toString('base64'),
        LOG_LEVEL: 'chatty',
      },
      process.cwd(),
    );
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('configuration error: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent');
    expect(run.output()).not.toMatch(/^\s+at /m);
  });

  it('serves on embedded PostgreSQL, keeps data across a restart, and stops on SIGTERM', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'mara-embedded-'));
    // As root, PostgreSQL runs as the `postgres` user, which must be able to reach .data/.
    await chmod(cwd, 0o755);
    const port = await freePort();
    try {
      const first = start({ PORT: String(port) }, cwd);
      await waitFor(first, `serving on http://localhost:${port}`);
      expect(first.output()).toContain(path.join(cwd, '.data', 'admin-token'));
      const token = (await readFile(path.join(cwd, '.data', 'admin-token'), 'utf8')).trim();
      const created = await fetch(`http://127.0.0.1:${port}/admin/tenants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Survivor' }),
      });
      expect(created.status).toBe(201);
      const tenant = (await created.json()) as { id: string };
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(first.output()).toContain('"msg":"stopped"');
      expect(first.output()).not.toContain(token);

      const second = start({ PORT: String(port) }, cwd);
      await waitFor(second, `serving on http://localhost:${port}`);
      const got = await fetch(`http://127.0.0.1:${port}/admin/tenants/${tenant.id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(got.status).toBe(200);
      expect(await got.json()).toMatchObject({ id: tenant.id, name: 'Survivor' });
      // A hard kill leaves the embedded server running; the next start stops it and carries on.
      second.child.kill('SIGKILL');
      await second.exited;
      const third = start({ PORT: String(port) }, cwd);
      await waitFor(third, `serving on http://localhost:${port}`);
      const again = await fetch(`http://127.0.0.1:${port}/admin/tenants/${tenant.id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(again.status).toBe(200);
      third.child.kill('SIGTERM');
      expect(await third.exited).toBe(0);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  }, 120_000);
});
