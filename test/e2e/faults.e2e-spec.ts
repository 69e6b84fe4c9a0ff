import { spawn } from 'node:child_process';
import http from 'node:http';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { MIGRATIONS } from '../../migrations/index.js';
import { type EmbeddedDatabase, ensureDatabase, startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { freePort, logLines, MAIN, type Running, startMain } from '../support/process.js';
import { eventually } from '../support/smtp.js';

/**
 * Faults around real server processes (dist/src/main.js) on a PostgreSQL of this test's own (an
 * embedded one in a temporary folder, on a free port), which the test stops and starts again.
 * One database and two processes serve the whole file: they boot at once on the empty database,
 * both live through the outage, then each is stopped with SIGTERM.
 */

const ADMIN_TOKEN = 'faults-admin-token-0123456789';
const SECRETS_KEY = Buffer.alloc(32, 9).toString('base64');
const SLOW = 'slow@example.com';

interface Answer {
  status: number;
  body: Record<string, unknown> | null;
}

/** One HTTP request; a hang (no answer within 20 s) or a dropped connection fails loudly. */
async function call(port: number, method: string, route: string, opts: { body?: unknown; token?: string } = {}): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${port}${route}`, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

/** A real SMTP server that keeps mail to SLOW waiting (DATA unanswered) until `release()`. */
async function startGatedSmtp() {
  const received: string[] = [];
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let waiting = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const to = session.envelope.rcptTo.map((r) => r.address);
      stream.resume();
      stream.on('end', () => {
        if (!to.includes(SLOW)) {
          received.push(...to);
          callback();
          return;
        }
        waiting++;
        void gate.then(() => {
          received.push(...to);
          callback();
        });
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as net.AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    waiting: () => waiting,
    release: () => open(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

describe('server processes under faults', () => {
  let dir: string;
  let db: EmbeddedDatabase;
  let databaseUrl: string;
  let pool: pg.Pool;
  let smtp: Awaited<ReturnType<typeof startGatedSmtp>>;
  const apps: Array<{ run: Running; port: number }> = [];

  const sql = async <T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> =>
    (await pool.query(text, params)).rows as T[];
  const adminCall = (port: number, method: string, route: string, body?: unknown) =>
    call(port, method, `/admin/tenants${route}`, { body, token: ADMIN_TOKEN });

  async function tenantOn(port: number): Promise<{ id: string; key: string }> {
    const created = await adminCall(port, 'POST', '', { name: 'Faults' });
    expect(created.status).toBe(201);
    const id = created.body!.id as string;
    const key = await adminCall(port, 'POST', `/${id}/ingestion-key`);
    expect(key.status).toBe(201);
    expect((await adminCall(port, 'PUT', `/${id}/rate-limit`, { requestsPerHour: 1_000_000, burst: 100_000 })).status).toBe(200);
    return { id, key: key.body!.key as string };
  }

  async function liveJourney(port: number, tenantId: string, body: object): Promise<string> {
    const created = await adminCall(port, 'POST', `/${tenantId}/journeys`, body);
    expect(created.status).toBe(201);
    expect((await adminCall(port, 'POST', `/${tenantId}/journeys/${created.body!.id as string}/approve`)).status).toBe(200);
    return created.body!.id as string;
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mara-faults-'));
    // As root, PostgreSQL runs as the `postgres` user, which must be able to reach the folder.
    await chmod(dir, 0o755);
    db = await startEmbeddedPostgres(path.join(dir, 'pg'), { persistent: true, preferredPort: 0 });
    await ensureDatabase(db.serverUrl, 'mara');
    databaseUrl = `${db.serverUrl}/mara`;
    pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    pool.on('error', () => undefined); // idle clients die with the server during the outage
    smtp = await startGatedSmtp();
  }, 60_000);

  afterAll(async () => {
    for (const { run } of apps) if (run.child.exitCode === null) run.child.kill('SIGKILL');
    await Promise.all(apps.map(({ run }) => run.exited));
    await pool?.end();
    await db?.stop();
    await smtp?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('two instances booting at once on an empty database both come up, and the schema is made once', async () => {
    const ports = [await freePort(), await freePort()];
    for (const port of ports) {
      apps.push({
        port,
        run: startMain({ DATABASE_URL: databaseUrl, ADMIN_API_TOKEN: ADMIN_TOKEN, SECRETS_KEY, PORT: String(port), SMTP_URL: smtp.url }),
      });
    }
    for (const { run, port } of apps) {
      await eventually(async () => {
        if (run.child.exitCode !== null) throw new Error(`exited during boot:\n${run.output()}`);
        return (await call(port, 'GET', '/health/ready').catch(() => null))?.status === 200;
      }, 90_000, `instance on ${port} to be ready`);
    }
    const applied = await sql<{ name: string }>('SELECT name FROM migrations ORDER BY id');
    expect(applied.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
    expect(await sql('SELECT count(*)::int AS n FROM pgboss.version')).toEqual([{ n: 1 }]);
    expect(await sql("SELECT name FROM pgboss.queue WHERE name = 'journey-step'")).toEqual([{ name: 'journey-step' }]);
    // Neither instance failed a migration on its way up (and retried).
    for (const { run } of apps) {
      expect(logLines(run).filter((l) => Number(l.level) >= 40).map((l) => l.msg)).toEqual([]);
    }
  }, 120_000);

  it('lives through a database outage: liveness answers, readiness says 503, requests answer 500 infra, then work resumes', async () => {
    expect(apps.map(({ run }) => run.child.exitCode)).toEqual([null, null]);
    const [{ port }, other] = apps;
    const tenant = await tenantOn(port);
    const events = (body: unknown) => call(port, 'POST', `/api/tenants/${tenant.id}/events`, { body, token: tenant.key });

    // A run waiting in a journey: its send step falls due while the database is down.
    await liveJourney(port, tenant.id, {
      name: 'during the outage',
      trigger: { type: 'event', eventType: 'trial.started' },
      steps: [{ type: 'wait', seconds: 3 }, { type: 'send_email', subject: 'Welcome', text: 'Hello' }],
    });
    const started = await events({ batch: [
      { type: 'identify', userId: 'waiting', email: 'waiting@example.com' },
      { type: 'track', event: 'trial.started', userId: 'waiting', messageId: 'trial-waiting' },
    ] });
    expect(started.status).toBe(200);
    const [run] = await eventually(async () => {
      const rows = await sql<{ id: string }>("SELECT id FROM journey_runs WHERE tenant_id = $1 AND status = 'waiting'", [tenant.id]);
      return rows.length > 0 ? rows : null;
    }, 20_000, 'the run to wait');
    const dueAt = Date.now() + 3_000;

    // Ingestion load, before, during and after the outage; every batch is kept for a replay.
    const answers: Array<{ batch: unknown; answer: Answer | string; during: boolean }> = [];
    let down = false;
    let loading = true;
    let seq = 0;
    const load = async (lane: number): Promise<void> => {
      while (loading) {
        const n = ++seq;
        const batch = {
          batch: Array.from({ length: 20 }, (_, i) => ({
            type: 'track',
            event: 'page.viewed',
            userId: `load-${(n + i) % 50}`,
            messageId: `load-${lane}-${n}-${i}`,
          })),
        };
        const during = down;
        const answer = await events(batch).catch((e: Error) => `${e.name}: ${e.message}`);
        answers.push({ batch, answer, during });
      }
    };
    const seen = { live: false, notReady: false, infra: false };
    const outage = async (): Promise<void> => {
      await eventually(() => answers.length >= 8, 20_000, 'load before the outage');
      down = true;
      await db.stop();
      await eventually(async () => {
        const live = await call(port, 'GET', '/health');
        const otherLive = await call(other.port, 'GET', '/health');
        seen.live ||= live.status === 200 && otherLive.status === 200;
        const ready = await call(port, 'GET', '/health/ready');
        if (ready.status === 503) {
          expect(ready.body).toMatchObject({ ok: false, code: 'infra' });
          seen.notReady = true;
        }
        seen.infra ||= answers.some((a) => a.during && typeof a.answer !== 'string' && a.answer.status === 500);
        return seen.live && seen.notReady && seen.infra && Date.now() > dueAt;
      }, 30_000, 'liveness 200, readiness 503 and a 500 infra answer while the database is down').catch((err: Error) => {
        throw new Error(`${err.message} (seen: ${JSON.stringify(seen)}, answers: ${answers.length})`);
      });

      db = await startEmbeddedPostgres(path.join(dir, 'pg'), { persistent: true, preferredPort: db.port });
      down = false;
      for (const app of apps) {
        await eventually(async () => (await call(app.port, 'GET', '/health/ready')).status === 200, 30_000, 'readiness after the outage');
      }
      const after = answers.length;
      await eventually(() => answers.length >= after + 8, 30_000, 'load after the outage');
    };
    const lanes = Array.from({ length: 4 }, (_, lane) => load(lane));
    try {
      await outage();
    } finally {
      loading = false;
      await Promise.all(lanes);
    }

    // Both processes are up; every answer was a 200 or a 500 infra envelope, never a hang or a reset.
    expect(apps.map(({ run }) => run.child.exitCode)).toEqual([null, null]);
    const kinds = new Set(answers.map(({ answer }) => (typeof answer === 'string' ? answer : `${answer.status} ${answer.status === 500 ? String(answer.body?.code) : ''}`.trim())));
    expect([...kinds].sort()).toEqual(['200', '500 infra']);
    expect(answers.slice(-4).map(({ answer }) => (typeof answer === 'string' ? answer : answer.status))).toEqual([200, 200, 200, 200]);

    // A refused batch wrote nothing: sent again with the same messageIds, each op is recorded now
    // (or, had its commit landed before the connection dropped, answers duplicate).
    for (const { batch, answer } of answers) {
      if (typeof answer === 'string' || answer.status === 200) continue;
      const again = await events(batch);
      expect(again.status).toBe(200);
      for (const r of again.body!.results as Array<{ status: string }>) expect(['ok', 'duplicate']).toContain(r.status);
    }
    const sent = answers.length * 20;
    expect(await sql("SELECT count(*)::int AS n FROM events WHERE tenant_id = $1 AND type = 'page.viewed'", [tenant.id])).toEqual([{ n: sent }]);

    // The journey step that fell due during the outage ran once the database was back.
    await eventually(
      async () => (await sql("SELECT 1 FROM messages WHERE tenant_id = $1 AND run_id = $2 AND status = 'sent'", [tenant.id, run.id])).length > 0,
      60_000,
      'the delayed email to be sent',
    );
    expect(smtp.received).toContain('waiting@example.com');

    // What went wrong was logged as errors, with the cause.
    const errors = apps.flatMap(({ run }) => logLines(run)).filter((l) => Number(l.level) >= 50);
    expect(errors.some((l) => /not ready/.test(String(l.msg)))).toBe(true);
    expect(errors.filter((l) => Number(l.level) >= 60)).toEqual([]);
  }, 180_000);

  it('on SIGTERM stops accepting, finishes the request and the email in flight, closes idle keep-alives, and exits 0 within 30 s', async () => {
    // The second instance goes first, with nothing in flight.
    const second = apps[1];
    second.run.child.kill('SIGTERM');
    expect(await second.run.exited).toBe(0);

    const { run, port } = apps[0];
    const tenant = await tenantOn(port);
    await liveJourney(port, tenant.id, {
      name: 'slow mail',
      trigger: { type: 'event', eventType: 'order.paid' },
      steps: [{ type: 'send_email', subject: 'Receipt', text: 'Thanks' }],
    });
    const identify = await call(port, 'POST', `/api/tenants/${tenant.id}/events`, {
      token: tenant.key,
      body: { batch: [
        { type: 'identify', userId: 'slow', email: SLOW },
        { type: 'track', event: 'order.paid', userId: 'slow', messageId: 'order-1' },
      ] },
    });
    expect(identify.status).toBe(200);
    const contactId = (identify.body!.results as Array<{ contactId: string }>)[0].contactId;
    // A journey step mid-send: the SMTP server has the email's DATA and has not answered.
    await eventually(() => smtp.waiting() > 0, 20_000, 'the email to reach the SMTP server');

    // A request in flight: its contact's row is locked by another writer, so it waits.
    const locker = new pg.Client({ connectionString: databaseUrl });
    locker.on('error', () => undefined);
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM contacts WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [tenant.id, contactId]);
    const lockerPid: number = (await locker.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const inFlight = call(port, 'POST', `/api/tenants/${tenant.id}/events`, {
      token: tenant.key,
      body: { type: 'identify', userId: 'slow', traits: { plan: 'pro' } },
    });
    await eventually(async () => {
      const [row] = await sql<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [lockerPid]);
      return row.n > 0;
    }, 10_000, 'the request to wait for the row lock');

    // An idle keep-alive connection, open before the signal.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const idleClosed = new Promise<void>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/health', agent }, (res) => {
        res.resume();
        res.on('end', () => req.socket?.once('close', () => resolve()));
      });
    });
    await eventually(() => Object.values(agent.freeSockets).flat().length === 1, 5_000, 'an idle keep-alive socket');

    const signalledAt = Date.now();
    run.child.kill('SIGTERM');
    await eventually(() => refusesConnections(port), 10_000, 'new connections to be refused');
    await idleClosed;
    expect(run.child.exitCode).toBeNull();

    // The request and the email finish once their peers let them.
    await locker.query('COMMIT');
    await locker.end();
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ ok: true, results: [{ status: 'ok', contactId }] });
    smtp.release();

    expect(await run.exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(30_000);
    agent.destroy();
    expect(smtp.received).toContain(SLOW);
    expect(await sql("SELECT status FROM messages WHERE tenant_id = $1 AND contact_id = $2", [tenant.id, contactId])).toEqual([{ status: 'sent' }]);
    expect(await sql("SELECT status FROM journey_runs WHERE tenant_id = $1 AND contact_id = $2", [tenant.id, contactId])).toEqual([{ status: 'completed' }]);
    expect(await sql("SELECT attributes->>'plan' AS plan FROM contacts WHERE tenant_id = $1 AND id = $2", [tenant.id, contactId])).toEqual([{ plan: 'pro' }]);
    expect(run.output()).toContain('"msg":"stopped"');
  }, 120_000);
});

describe('the process-level policy for errors nobody handled', () => {
  it('logs a lost rejection and a stray connection error and carries on; any other uncaught exception is fatal', async () => {
    const dist = path.dirname(MAIN);
    const script = `
      import { createLogger } from '${dist}/common/logger.js';
      import { installProcessFaultHandlers } from '${dist}/common/process-faults.js';
      installProcessFaultHandlers(createLogger('info'), () => { process.stdout.write('ON_FATAL\\n'); process.exit(3); });
      void Promise.reject(Object.assign(new Error('update clerk_imports failed'), { code: 'ECONNREFUSED' }));
      setTimeout(() => { throw Object.assign(new Error('Connection terminated unexpectedly'), {}); }, 20);
      setTimeout(() => { process.stdout.write('STILL_UP\\n'); throw new TypeError('a bug'); }, 60);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(3);
    const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string; err?: { message: string } });
    expect(lines.map((l) => [l.level, l.msg, l.err?.message])).toEqual([
      [50, 'unhandled promise rejection; carrying on', 'update clerk_imports failed'],
      [50, 'uncaught connection error; carrying on', 'Connection terminated unexpectedly'],
      [60, 'uncaught exception; shutting down', 'a bug'],
    ]);
    expect(out.indexOf('STILL_UP')).toBeLessThan(out.indexOf('ON_FATAL'));
    expect(out).toContain('STILL_UP');
  });
});
