/**
 * `npm run bench` (docs/operations.md#benchmarks), all figures from one run on one database:
 * - batches of 100 `track` through HTTP beside the baseline: a raw `pg` client doing the same
 *   work (key lookup, bucket update, contact upsert, event insert `ON CONFLICT`, one transaction
 *   per batch), CONNECTIONS batches in flight on both sides; then ingestion-health's answer time;
 * - single-op requests beside the baseline with one op per transaction, and Stripe webhook
 *   deliveries (each a `customer.subscription.created` with its own event id, signed with
 *   stripe-node, for a known contact) beside the single track op;
 * - batches of 100 with 1 and with 5 active journeys on the benched event (default reentry
 *   `once`): their first run after approval (every contact's first run) beside the figure
 *   without, then live (every contact enrolled) in slices alternating with the journeys paused;
 *   and with 1 `every_event` journey (a run for every event), beside the figure without;
 * - batches of 100 (service and baseline) after SEED_EVENTS events were written into the
 *   tenant's table, in slices alternating with the same pair on an empty table (a second server
 *   on a second fresh database); then ingestion-health's answer time at that size;
 * - a sustained run of batches of 100 (BENCH_SUSTAINED_SECONDS) sampling the server's RSS every
 *   second: start, end, and the median of the middle third beside that of the last third.
 * The server runs as its own process (dist/src/main.js, journey workers included); autocannon
 * drives it from this one. Each side runs unmeasured once before the first pair.
 *
 * Settings (env): BENCH_DATABASE_URL (a server where a database may be created, dropped at the
 * end; default: an embedded PostgreSQL in a temporary folder), BENCH_SECONDS (10),
 * BENCH_CONNECTIONS (8), BENCH_ROUNDS (3: a service figure and its baseline alternate in that many
 * slices of BENCH_SECONDS / ROUNDS, so that the machine's load weighs on both), BENCH_SEED_EVENTS (5,000,000), BENCH_SUSTAINED_SECONDS (120; 0 skips it),
 * BENCH_PARTS (comma-separated subset of batch,single,webhooks,journeys,seeded,sustained),
 * BENCH_ONLY=webhooks (the webhook run alone), BENCH_LOG_MS (with BENCH_DATABASE_URL: the bench
 * database logs statements slower than that many ms into the server's log; BENCH_EXPLAIN_MS adds
 * their plans, through auto_explain).
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { ensureDatabase, startEmbeddedPostgres } from '../src/database/embedded-postgres.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WEBHOOKS_ONLY = process.env.BENCH_ONLY === 'webhooks';
const SUSTAINED_SECONDS = Number(process.env.BENCH_SUSTAINED_SECONDS ?? 120);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SEED_EVENTS = Number(process.env.BENCH_SEED_EVENTS ?? 5_000_000);
/** BENCH_PARTS: the runs to make, comma-separated (default all): batch, single, webhooks, journeys, seeded, sustained. */
const PARTS = new Set((process.env.BENCH_PARTS ?? 'batch,single,webhooks,journeys,seeded,sustained').split(','));
const part = (name: string): boolean => PARTS.has(name);
const eventCount = async (pool: pg.Pool, tenantId: string): Promise<number> =>
  (await pool.query('SELECT count(*)::int AS n FROM events WHERE tenant_id = $1', [tenantId])).rows[0].n;
const CONTACTS = 10_000;
const BATCH = 100;
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const here = path.dirname(fileURLToPath(import.meta.url));

interface Figure {
  label: string;
  requests: number;
  events: number;
  seconds: number;
  p50: number;
  p99: number;
  errors: number;
}

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

let seq = 0;
const userId = (): string => `u_${Math.floor(Math.random() * CONTACTS)}`;
const trackOps = (n: number, run: string): Array<Record<string, unknown>> =>
  Array.from({ length: n }, () => ({
    type: 'track',
    event: 'report.exported',
    userId: userId(),
    messageId: `${run}-${++seq}`,
    properties: { format: 'csv', rows: 1200, plan: 'pro' },
  }));

async function startServer(databaseUrl: string, port: number, role = process.env.PROCESS_ROLE ?? 'all'): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.resolve(here, '../src/main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      ADMIN_API_TOKEN: ADMIN_TOKEN,
      SECRETS_KEY: Buffer.alloc(32, 3).toString('base64'),
      PORT: String(port),
      LOG_LEVEL: 'warn',
      PROCESS_ROLE: role,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 300; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (res.ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start');
}

/** Stops a server started by startServer and waits for its exit. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

async function admin(port: number, method: string, route: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${port}${route}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>);
}

function httpRun(label: string, port: number, tenantId: string, key: string, opsPerRequest: number): Promise<Figure> {
  return httpRunFor(label, port, tenantId, key, opsPerRequest, SECONDS);
}

async function httpRunFor(label: string, port: number, tenantId: string, key: string, opsPerRequest: number, seconds: number): Promise<Figure> {
  const run = randomUUID().slice(0, 8);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: `/api/tenants/${tenantId}/events`,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify(opsPerRequest === 1 ? trackOps(1, run)[0] : { batch: trackOps(opsPerRequest, run) }),
        }),
      },
    ],
  });
  const ok = result.requests.total - result.non2xx - result.errors;
  return {
    label,
    requests: ok,
    events: ok * opsPerRequest,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors,
  };
}

const STRIPE_SECRET = 'whsec_bench_0123456789abcdef';
const stripe = new Stripe('sk_test_placeholder');

/** Stripe deliveries, one event each: a subscription started for a known contact, signed with stripe-node. */
async function webhookRun(label: string, port: number, tenantId: string): Promise<Figure> {
  const template = JSON.parse(
    await readFile(path.resolve(here, '../../test/fixtures/webhooks/stripe/customer.subscription.created.json'), 'utf8'),
  ) as { id: string; data: { object: { metadata: Record<string, string> } } };
  const run = randomUUID().slice(0, 8);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        path: `/api/webhooks/stripe/${tenantId}`,
        setupRequest: (req) => {
          template.id = `evt_bench_${run}_${++seq}`;
          template.data.object.metadata = { userId: userId() };
          const body = JSON.stringify(template);
          const signature = stripe.webhooks.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET });
          return { ...req, body, headers: { 'content-type': 'application/json', 'stripe-signature': signature } };
        },
      },
    ],
  });
  const ok = result.requests.total - result.non2xx - result.errors;
  return {
    label,
    requests: ok,
    events: ok,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors,
  };
}

/**
 * The baseline (docs/operations.md#benchmarks): what a raw `pg` client needs to record the same
 * batch, from a pool of CONNECTIONS clients on the same database: the key lookup and the bucket
 * update (each its own statement, as a keyed request's guard does), then one transaction with the
 * contact upsert (by external id, in id order) and the event insert (`ON CONFLICT` on the message
 * id, so a duplicate writes nothing).
 */
async function baselineRun(label: string, pool: pg.Pool, tenantId: string, opsPerRequest: number, seconds = SECONDS): Promise<Figure> {
  const run = `base-${randomUUID().slice(0, 8)}`;
  const latencies: number[] = [];
  const until = Date.now() + seconds * 1000;
  const started = Date.now();
  let requests = 0;
  const worker = async (): Promise<void> => {
    const client = await pool.connect();
    try {
      while (Date.now() < until) {
        const ops = trackOps(opsPerRequest, run);
        const t0 = performance.now();
        const at = new Date();
        await client.query('SELECT ingestion_key_hash FROM tenants WHERE id = $1', [tenantId]);
        await client.query(
          `UPDATE tenant_rate_limits SET tokens = GREATEST(tokens - 1, 0), updated_at = clock_timestamp()
            WHERE tenant_id = $1 RETURNING tokens`,
          [tenantId],
        );
        await client.query('BEGIN');
        const userIds = [...new Set(ops.map((o) => o.userId as string))].sort();
        const contacts = await client.query(
          `INSERT INTO contacts AS c (tenant_id, id, external_id, created_at, updated_at)
           SELECT $1, gen_random_uuid(), u.x, $3, $3 FROM unnest($2::text[]) AS u(x) ORDER BY u.x
           ON CONFLICT (tenant_id, external_id) WHERE external_id IS NOT NULL DO UPDATE SET updated_at = EXCLUDED.updated_at
           RETURNING id, external_id`,
          [tenantId, userIds, at],
        );
        const idOf = new Map<string, string>(contacts.rows.map((r: { id: string; external_id: string }) => [r.external_id, r.id]));
        await client.query(
          `INSERT INTO events (tenant_id, id, contact_id, type, properties, occurred_at, received_at, message_id, source)
           SELECT $1, gen_random_uuid(), u.contact_id, u.type, u.properties, $6, $6, u.message_id, 'events_api'
             FROM unnest($2::uuid[], $3::text[], $4::jsonb[], $5::text[]) AS u(contact_id, type, properties, message_id)
            ORDER BY u.message_id
           ON CONFLICT (tenant_id, message_id) DO NOTHING`,
          [
            tenantId,
            ops.map((o) => idOf.get(o.userId as string)),
            ops.map((o) => o.event),
            ops.map((o) => JSON.stringify(o.properties)),
            ops.map((o) => o.messageId),
            at,
          ],
        );
        await client.query('COMMIT');
        latencies.push(performance.now() - t0);
        requests++;
      }
    } finally {
      client.release();
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const took = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    label,
    requests,
    events: requests * opsPerRequest,
    seconds: took,
    p50: Math.round(percentile(latencies, 50)),
    p99: Math.round(percentile(latencies, 99)),
    errors: 0,
  };
}

/**
 * SEED_EVENTS events for the tenant, written by SQL in chunks (the bench measures the service
 * with them in its table, not the seeding), over the tenant's contacts; then ANALYZE. The
 * seeded events are also added to the ingestion-health counters, as the recorder would have.
 * They look like a tenant's table after months of ingestion: received (and occurred) one after
 * the other over the SEED_DAYS before the run, each with the id the recorder would have given it
 * then, a UUIDv7 of its receiving millisecond (src/common/uuid-v7.ts), so the ids are in time order.
 */
async function seedEvents(pool: pg.Pool, tenantId: string, total: number): Promise<void> {
  const CHUNK = 250_000;
  const SEED_DAYS = 90;
  const firstMs = Date.now() - SEED_DAYS * 86_400_000;
  const stepMs = (SEED_DAYS * 86_400_000) / total;
  for (let done = 0; done < total; done += CHUNK) {
    const n = Math.min(CHUNK, total - done);
    // A UUIDv7 in SQL: a random uuid's first 48 bits replaced by the milliseconds, its version
    // nibble turned from 4 (0100) into 7 (0111); the variant bits stay.
    await pool.query(
      `INSERT INTO events (tenant_id, id, contact_id, type, properties, occurred_at, received_at, message_id, source)
       SELECT $1, encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING substring(int8send(t.ms) FROM 3) FROM 1 FOR 6),
                                         52, 1), 53, 1), 'hex')::uuid,
              c.ids[1 + g % cardinality(c.ids)], 'seeded', '{"n": 1}'::jsonb, t.at, t.at, 'seed-' || ($3::bigint + g), 'events_api'
         FROM (SELECT array_agg(id) AS ids FROM contacts WHERE tenant_id = $1) c, generate_series(1, $2::int) AS g,
              LATERAL (SELECT ($4::float8 + ($3::bigint + g) * $5::float8)::bigint AS ms) m,
              LATERAL (SELECT m.ms, to_timestamp(m.ms / 1000.0) AS at) t
        ORDER BY g`,
      [tenantId, n, done, firstMs, stepMs],
    );
  }
  await pool.query(
    `INSERT INTO ingestion_counters (tenant_id, connector, slot, events, contacts, last_activity_at)
     VALUES ($1, 'events_api', 0, $2, 0, now())
     ON CONFLICT (tenant_id, connector, slot) DO UPDATE SET events = ingestion_counters.events + EXCLUDED.events`,
    [tenantId, total],
  );
  await pool.query('ANALYZE events');
}

/** ingestion-health answer times (ms) over `n` sequential calls: p50 and max. */
async function healthTimes(port: number, tenantId: string, n: number): Promise<{ p50: number; max: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await admin(port, 'GET', `/admin/tenants/${tenantId}/ingestion-health`);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: Number(percentile(times, 50).toFixed(1)), max: Number(times[times.length - 1].toFixed(1)) };
}

/**
 * A CHECKPOINT before a measured pair, so that the figures before and after seeding start alike:
 * right after one, when each page's first change writes a full-page image into the WAL again
 * (otherwise the first figure, on a cluster that has not checkpointed yet, writes none, and the
 * seeded one, right after a seeding that set checkpoints off, writes many). Needs a superuser (the
 * embedded server's, or BENCH_DATABASE_URL's); skipped otherwise.
 */
async function checkpoint(pool: pg.Pool): Promise<void> {
  await pool.query('CHECKPOINT').catch(() => undefined);
}

/**
 * Figures measured in BENCH_ROUNDS rounds of slices of SECONDS / ROUNDS each, one slice of each
 * run per round in turn (service, baseline, service, ...), so that a change in the machine's load
 * during the run weighs on all alike. Events and seconds are summed over the slices; p50 and p99
 * are the slices' figures averaged by their requests.
 */
async function slicedRun(runs: Array<(seconds: number) => Promise<Figure>>): Promise<Figure[]> {
  const slice = SECONDS / ROUNDS;
  const figures: Figure[][] = runs.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, run] of runs.entries()) figures[i].push(await run(slice));
  }
  return figures.map(merge);
}

/** A service figure and its baseline in alternating slices (slicedRun). */
async function pairRun(service: (seconds: number) => Promise<Figure>, baseline: (seconds: number) => Promise<Figure>): Promise<Row> {
  const [a, b] = await slicedRun([service, baseline]);
  return [a, b];
}

function merge(figures: Figure[]): Figure {
  const requests = figures.reduce((n, f) => n + f.requests, 0);
  const weighted = (key: 'p50' | 'p99'): number =>
    requests === 0 ? 0 : Math.round(figures.reduce((n, f) => n + f[key] * f.requests, 0) / requests);
  return {
    label: figures[0].label,
    requests,
    events: figures.reduce((n, f) => n + f.events, 0),
    seconds: figures.reduce((n, f) => n + f.seconds, 0),
    p50: weighted('p50'),
    p99: weighted('p99'),
    errors: figures.reduce((n, f) => n + f.errors, 0),
  };
}

/** Resident set size of a process in MB (Linux /proc, else `ps`). */
async function rssMb(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    if (Number.isFinite(kb)) return kb / 1024;
  } catch {
    // not Linux
  }
  const ps = spawn('ps', ['-o', 'rss=', '-p', String(pid)]);
  let out = '';
  ps.stdout.on('data', (d) => (out += d));
  await new Promise((r) => ps.once('exit', r));
  return Number(out.trim()) / 1024;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)];
};

/** Batches of 100 for SUSTAINED_SECONDS while the server's RSS is sampled every second. */
async function sustainedRun(port: number, pid: number, tenantId: string, key: string): Promise<void> {
  const samples: number[] = [await rssMb(pid)];
  const sampler = setInterval(() => void rssMb(pid).then((mb) => samples.push(mb)), 1000);
  let figure: Figure;
  try {
    figure = await httpRunFor(`service: sustained, batches of 100 (${SUSTAINED_SECONDS} s)`, port, tenantId, key, BATCH, SUSTAINED_SECONDS);
  } finally {
    clearInterval(sampler);
  }
  samples.push(await rssMb(pid));
  const third = Math.floor(samples.length / 3);
  const middle = median(samples.slice(third, 2 * third));
  const last = median(samples.slice(2 * third));
  const mb = (n: number): string => `${n.toFixed(1)} MB`;
  process.stdout.write(
    `\n${figure.label}: ${Math.round(figure.events / figure.seconds)} events/s, p50 ${figure.p50} ms, p99 ${figure.p99} ms, ${figure.errors} errors\n` +
      `  server RSS: start ${mb(samples[0])}, end ${mb(samples[samples.length - 1])}, ` +
      `median of middle third ${mb(middle)}, median of last third ${mb(last)} (last / middle ${(last / middle).toFixed(3)}; ${samples.length} samples)\n`,
  );
}

/**
 * 5 active journeys on the load (docs/journeys.md#enrollment), as a tenant has them, each with
 * the default reentry (`once`): 2 plain ones on the load's event type (a run per contact, on its
 * first event), 2 with `where` filters that the load's events do not pass, as most events fail
 * most filters (one on the contact, whose first condition holds and second does not; one on the
 * event's properties: evaluated for every event, starting nothing), and 1 whose `exitOn` is the
 * load's event type (the exits part of the statement, for every event). Created and approved;
 * answers their ids.
 */
async function fiveJourneys(port: number, tenantId: string): Promise<string[]> {
  const wait = [{ type: 'wait', seconds: 7 * 24 * 3600 }, { type: 'send_email', subject: 'Hi', text: 'Hi {{contact.name}}' }];
  const trigger = (where: unknown[] = []) => ({ type: 'event', eventType: 'report.exported', where });
  const definitions = [
    { name: 'plain', trigger: trigger() },
    { name: 'plain 2', trigger: trigger() },
    {
      name: 'contact filter',
      trigger: trigger([
        { field: 'contact.email', op: 'contains', value: '@bench.test' },
        { field: 'contact.attributes.plan', op: 'eq', value: 'trial' },
      ]),
    },
    { name: 'event filter', trigger: trigger([{ field: 'event.properties.rows', op: 'gt', value: 5000 }]) },
    { name: 'exits', trigger: { type: 'event', eventType: 'trial.started' }, exitOn: ['report.exported'] },
  ];
  const ids: string[] = [];
  for (const d of definitions) {
    const j = await admin(port, 'POST', `/admin/tenants/${tenantId}/journeys`, { ...d, steps: wait });
    await admin(port, 'POST', `/admin/tenants/${tenantId}/journeys/${j.id as string}/approve`);
    ids.push(j.id as string);
  }
  return ids;
}

/**
 * VACUUM (ANALYZE) of journey_runs, as autovacuum runs it on a table that took thousands of
 * inserts (autovacuum_vacuum_insert_threshold, PostgreSQL 13+), before the live journey figures.
 * The `once` check is an index-only probe of uq_journey_runs_once per (event, journey); until a
 * VACUUM marks the runs' pages all-visible, each probe also reads the run's heap page to check
 * its visibility, which is what a PostgreSQL with autovacuum off (this machine's) would pay
 * forever (docs/operations.md#the-recording-path).
 */
async function settled(pool: pg.Pool): Promise<void> {
  await pool.query('VACUUM (ANALYZE) journey_runs');
}

/** A pair's row, printed with the ratio `label`. */
const ratioOf = ([a, b]: Row, label: string): Row => [a, b, label];

/** Approves (`on`) or pauses the journeys. */
async function setJourneys(port: number, tenantId: string, ids: string[], on: boolean): Promise<void> {
  for (const id of ids) await admin(port, 'POST', `/admin/tenants/${tenantId}/journeys/${id}/${on ? 'approve' : 'pause'}`);
}

/**
 * Batches of 100 with the journeys active beside the same load with them paused, in BENCH_ROUNDS
 * alternating slices (pairRun), on contacts that have their `once` runs already: what a live
 * journey costs every batch of a tenant whose contacts it has enrolled. Leaves them paused.
 */
function journeysPair(label: string, port: number, tenantId: string, key: string, ids: string[]): Promise<Row> {
  return pairRun(
    async (s) => {
      await setJourneys(port, tenantId, ids, true);
      return httpRunFor(label, port, tenantId, key, BATCH, s);
    },
    async (s) => {
      await setJourneys(port, tenantId, ids, false);
      return httpRunFor(`${label.split(':')[0]}: batches of 100, journeys paused`, port, tenantId, key, BATCH, s);
    },
  );
}

/** A pair of figures and what the ratio line compares. */
type Row = [Figure, Figure, string?];

function print(rows: Row[]): void {
  const line = (f: Figure): string =>
    `${f.label.padEnd(44)} ${String(Math.round(f.events / f.seconds)).padStart(9)} ${String(
      Math.round(f.requests / f.seconds),
    ).padStart(8)} ${String(f.p50).padStart(7)} ${String(f.p99).padStart(7)} ${String(f.errors).padStart(6)}`;
  process.stdout.write(
    `\n${'run'.padEnd(44)} ${'events/s'.padStart(9)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'errors'.padStart(6)}\n`,
  );
  for (const [service, baseline, compares = 'service / baseline'] of rows) {
    process.stdout.write(`${line(service)}\n${line(baseline)}\n`);
    const ratio = service.events / service.seconds / (baseline.events / baseline.seconds);
    process.stdout.write(`${`  ratio ${compares} (events/s)`.padEnd(44)} ${ratio.toFixed(2).padStart(9)}\n\n`);
  }
}

/**
 * The bench's tenant on the server at `port`: created with an ingestion key and a rate limit the
 * load cannot reach, and 10,000 contacts identified through the API (`u_0`..), which exist before
 * either side is measured.
 */
async function benchTenant(port: number): Promise<{ tenantId: string; key: string }> {
  const tenant = await admin(port, 'POST', '/admin/tenants', { name: 'bench' });
  const tenantId = tenant.id as string;
  const { key } = (await admin(port, 'POST', `/admin/tenants/${tenantId}/ingestion-key`)) as { key: string };
  await admin(port, 'PUT', `/admin/tenants/${tenantId}/rate-limit`, { requestsPerHour: 1_000_000_000, burst: 1_000_000_000 });
  for (let i = 0; i < CONTACTS; i += BATCH) {
    const batch = Array.from({ length: BATCH }, (_, j) => ({ type: 'identify', userId: `u_${i + j}`, email: `u${i + j}@bench.test` }));
    const res = await fetch(`http://127.0.0.1:${port}/api/tenants/${tenantId}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ batch }),
    });
    if (!res.ok) throw new Error(`seeding failed: ${res.status}`);
  }
  return { tenantId, key };
}

/** A fresh bench database on the server at `serverUrl`, its migrations run; answers its URL. */
async function benchDatabase(serverUrl: string, name: string): Promise<string> {
  await ensureDatabase(serverUrl, name);
  const ds = new DataSource(dataSourceOptions(`${serverUrl}/${name}`, { poolSize: 1 }));
  await ds.initialize();
  await ds.destroy();
  return `${serverUrl}/${name}`;
}

async function main(): Promise<void> {
  let stopEmbedded: (() => Promise<void>) | null = null;
  let cleanup: string | null = null;
  let serverUrl = process.env.BENCH_DATABASE_URL?.replace(/\/[^/]*$/, '');
  if (!serverUrl) {
    cleanup = await mkdtemp(path.join(tmpdir(), 'mara-bench-'));
    await chmod(cleanup, 0o755);
    const db = await startEmbeddedPostgres(path.join(cleanup, 'pg'), { persistent: false, preferredPort: 0 });
    stopEmbedded = db.stop;
    serverUrl = db.serverUrl;
  }
  const dbName = `mara_bench_${Date.now().toString(36)}`;
  await ensureDatabase(serverUrl, dbName);
  if (process.env.BENCH_LOG_MS) {
    const c = new pg.Client({ connectionString: `${serverUrl}/postgres` });
    await c.connect();
    await c.query(`ALTER DATABASE "${dbName}" SET log_min_duration_statement = ${Number(process.env.BENCH_LOG_MS)}`);
    if (process.env.BENCH_EXPLAIN_MS) {
      await c.query(`ALTER DATABASE "${dbName}" SET session_preload_libraries = 'auto_explain'`);
      await c.query(`ALTER DATABASE "${dbName}" SET auto_explain.log_min_duration = ${Number(process.env.BENCH_EXPLAIN_MS)}`);
      await c.query(`ALTER DATABASE "${dbName}" SET auto_explain.log_analyze = on`);
    }
    await c.end();
  }
  const databaseUrl = await benchDatabase(serverUrl, dbName);
  const emptyDbName = `${dbName}_empty`;
  let emptyServer: ChildProcess | null = null;

  const port = await freePort();
  const server = await startServer(databaseUrl, port);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: CONNECTIONS });
  try {
    const { tenantId, key } = await benchTenant(port);
    const ids = new Map<string, string>(
      (await pool.query('SELECT external_id, id FROM contacts WHERE tenant_id = $1', [tenantId])).rows.map((r) => [
        r.external_id as string,
        r.id as string,
      ]),
    );
    process.stdout.write(`bench: ${CONTACTS} contacts, ${SECONDS} s per run, ${CONNECTIONS} connections\n`);

    await admin(port, 'PUT', `/admin/tenants/${tenantId}/webhook-secrets/stripe`, { secret: STRIPE_SECRET });
    if (WEBHOOKS_ONLY) {
      const deliveries = await webhookRun('service: HTTP, Stripe webhook deliveries', port, tenantId);
      print([[deliveries, await httpRun('service: HTTP, single track op', port, tenantId, key, 1), 'webhook / single track op']]);
      return;
    }

    const rows: Row[] = [];
    const notes: string[] = [];
    // Unmeasured, as any run of a server reaches its steady state first: a new process compiles
    // its hot paths and its pool's connections plan their statements in its first seconds under
    // load (the first measured slices ran up to a fifth below the same figure later in a run).
    await httpRun('service: warm-up', port, tenantId, key, BATCH);
    await baselineRun('baseline: warm-up', pool, tenantId, BATCH, SECONDS / ROUNDS);
    if (part('batch')) {
      await checkpoint(pool);
      const pair = await pairRun(
        (s) => httpRunFor('service: HTTP, batches of 100 track', port, tenantId, key, BATCH, s),
        (s) => baselineRun('baseline: raw pg, batches of 100, 1 tx each', pool, tenantId, BATCH, s),
      );
      rows.push(pair);
      const health = await healthTimes(port, tenantId, 20);
      notes.push(`ingestion-health (${await eventCount(pool, tenantId)} events): p50 ${health.p50} ms, max ${health.max} ms`);
    }
    if (part('single')) {
      const pair = await pairRun(
        (s) => httpRunFor('service: HTTP, single track op', port, tenantId, key, 1, s),
        (s) => baselineRun('baseline: raw pg, single op, 1 tx each', pool, tenantId, 1, s),
      );
      const single = pair[0];
      rows.push(pair);
      if (part('webhooks')) {
        rows.push([await webhookRun('service: HTTP, Stripe webhook deliveries', port, tenantId), single, 'webhook / single track op']);
      }
    }

    // Live journeys on the benched event, as a journey is made by default (reentry `once`): the
    // first event of each contact starts a run and schedules its next step (a week's wait comes
    // first, so no email goes out); every later one is judged and starts nothing. Then the extreme:
    // an `every_event` journey, where every event of the load starts a run of its own.
    const journeyIds: string[] = [];
    const addJourney = async (reentry: 'once' | 'every_event'): Promise<void> => {
      const journey = await admin(port, 'POST', `/admin/tenants/${tenantId}/journeys`, {
        name: `bench ${journeyIds.length + 1}`,
        trigger: { type: 'event', eventType: 'report.exported' },
        reentry,
        steps: [{ type: 'wait', seconds: 7 * 24 * 3600 }, { type: 'send_email', subject: 'Hi', text: 'Hi {{contact.name}}' }],
      });
      await admin(port, 'POST', `/admin/tenants/${tenantId}/journeys/${journey.id as string}/approve`);
      journeyIds.push(journey.id as string);
    };
    if (part('journeys')) {
      // The figure without journeys again, right before: the machine's load drifts.
      const without = await httpRun('service: batches of 100, no journey', port, tenantId, key, BATCH);
      // The first run after approval: nearly every contact's first event starts its run here.
      await addJourney('once');
      const first = await httpRun('service: 1 journey, first run after approval', port, tenantId, key, BATCH);
      rows.push([first, without, "first run (contacts' first runs) / without"]);
      // Then live, every contact enrolled, alternating with the journey paused; after the VACUUM
      // that autovacuum would have run by then (see settled).
      await settled(pool);
      const one = journeyIds[0];
      rows.push(ratioOf(await journeysPair('service: batches of 100, 1 active journey', port, tenantId, key, [one]), 'with journey / paused'));
      await addJourney('every_event');
      const everyEvent = await httpRun('service: 1 journey, a run for every event', port, tenantId, key, BATCH);
      rows.push([everyEvent, without, 'every_event journey / without']);
      await admin(port, 'POST', `/admin/tenants/${tenantId}/journeys/${journeyIds.pop()!}/pause`);
      // Five journeys as a real tenant has them: two on the benched event, two more with
      // filters, one exiting on it (see fiveJourneys); their first run, then live.
      const five = await fiveJourneys(port, tenantId);
      const fiveFirst = await httpRun('service: 5 journeys, first run after approval', port, tenantId, key, BATCH);
      rows.push([fiveFirst, without, 'first run with 5 journeys / without']);
      await settled(pool);
      rows.push(ratioOf(await journeysPair('service: batches of 100, 5 active journeys', port, tenantId, key, five), 'with 5 journeys / paused'));
      const runs = (await pool.query('SELECT count(*)::int AS n FROM journey_runs WHERE tenant_id = $1', [tenantId])).rows[0].n;
      notes.push(`journey runs started during the journey runs: ${runs}`);

      // The same on an API-only server (PROCESS_ROLE=api, as when workers scale separately:
      // docs/operations.md): what enrollment costs the ingestion path itself, without the
      // workers polling for jobs on the same two cores. Its step jobs are deleted afterwards, so
      // that the later figures run without that backlog.
      const apiPort = await freePort();
      const api = await startServer(databaseUrl, apiPort, 'api');
      try {
        // Unmeasured: a new process first learns, batch by batch, which contacts have entered the
        // `once` journeys (JourneyEnrollment's EnteredOnce), as the first server did in the first
        // runs above; the pairs then measure it live, as they measure that one.
        await setJourneys(apiPort, tenantId, [one, ...five], true);
        await httpRun('api-only server: warm-up', apiPort, tenantId, key, BATCH);
        await setJourneys(apiPort, tenantId, [one, ...five], false);
        rows.push(ratioOf(await journeysPair('api-only server: batches of 100, 1 journey', apiPort, tenantId, key, [one]), 'api-only: with journey / paused'));
        rows.push(ratioOf(await journeysPair('api-only server: batches of 100, 5 journeys', apiPort, tenantId, key, five), 'api-only: with 5 journeys / paused'));
      } finally {
        await stopServer(api);
      }
      await pool.query(`DELETE FROM pgboss.job WHERE name = 'journey-step' AND state IN ('created', 'retry')`);
    }
    if (part('seeded')) {
      // The figure on an empty table comes from a second server, on a second fresh database with
      // the same tenant setup, warmed up as the first was (an unmeasured run); its slices
      // alternate with the seeded server's and the baseline's (slicedRun), so that the machine's
      // drift over the run does not pass for the table's size. It stops after them.
      const emptyUrl = await benchDatabase(serverUrl, emptyDbName);
      const emptyPort = await freePort();
      emptyServer = await startServer(emptyUrl, emptyPort);
      const emptyTenant = await benchTenant(emptyPort);
      await httpRun('empty table: warm-up', emptyPort, emptyTenant.tenantId, emptyTenant.key, BATCH);
      const t0 = Date.now();
      await seedEvents(pool, tenantId, SEED_EVENTS);
      notes.push(`seeded ${SEED_EVENTS} events in ${Math.round((Date.now() - t0) / 1000)} s`);
      await checkpoint(pool);
      const emptyPool = new pg.Pool({ connectionString: emptyUrl, max: CONNECTIONS });
      try {
        const [seeded, baseline, empty, emptyBaseline] = await slicedRun([
          (s) => httpRunFor(`service: batches of 100, ${SEED_EVENTS / 1e6} M events seeded`, port, tenantId, key, BATCH, s),
          (s) => baselineRun(`baseline: batches of 100, ${SEED_EVENTS / 1e6} M events seeded`, pool, tenantId, BATCH, s),
          (s) => httpRunFor('service: batches of 100, empty table', emptyPort, emptyTenant.tenantId, emptyTenant.key, BATCH, s),
          (s) => baselineRun('baseline: batches of 100, empty table', emptyPool, emptyTenant.tenantId, BATCH, s),
        ]);
        rows.push([seeded, baseline]);
        rows.push([seeded, empty, 'seeded / empty table']);
        // What the table's size costs PostgreSQL itself, for comparison.
        rows.push([baseline, emptyBaseline, 'baseline seeded / empty']);
      } finally {
        await emptyPool.end();
        await stopServer(emptyServer);
        emptyServer = null;
      }
      const health = await healthTimes(port, tenantId, 20);
      notes.push(`ingestion-health (${await eventCount(pool, tenantId)} events): p50 ${health.p50} ms, max ${health.max} ms`);
    }
    print(rows);
    for (const n of notes) process.stdout.write(`${n}\n`);
    if (SUSTAINED_SECONDS > 0 && part('sustained')) {
      // Without journeys, as the ingestion figures above.
      await sustainedRun(port, server.pid!, tenantId, key);
    }
  } finally {
    await pool.end();
    await stopServer(server);
    if (emptyServer) await stopServer(emptyServer);
    if (stopEmbedded) await stopEmbedded();
    else {
      // A shared server keeps no bench database behind.
      const maint = new pg.Client({ connectionString: `${serverUrl}/postgres` });
      await maint.connect();
      await maint.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await maint.query(`DROP DATABASE IF EXISTS "${emptyDbName}" WITH (FORCE)`);
      await maint.end();
    }
    if (cleanup) await rm(cleanup, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
