import { ERROR_STATUS, type ErrorCode } from '../../src/common/errors.js';
import { usermavenSeedEvent, usermavenSeedIdentify } from '../../src/ingestion/formats/usermaven.seed.js';
import { adminAuth, bootApp, createTenant, type TenantFixture, type TestApp } from '../support/app.js';
import { clone, type Json, JsonFuzzer, Prng } from '../support/fuzz.js';
import { configureSecrets, fixture, type Provider, signedHeaders } from '../support/webhooks.js';

/**
 * Seeded fuzz test of every public route (docs/api.md): valid seed bodies, mutated (deep nesting,
 * huge strings, lone surrogates, NUL, prototype keys, wrong types, numbers as strings, huge
 * batches, odd unicode, damaged JSON text), webhooks signed with their providers' own libraries
 * around the garbage. Every answer must be a 2xx in the route's own shape or a 4xx
 * `{ok: false, code, message}`, and a refused request must have written nothing.
 *
 * The seed is printed; `FUZZ_SEED=<n> npm test -- test/e2e/fuzz.e2e-spec.ts` replays a run
 * (`FUZZ_RUNS` sets the number of bodies, 2,000 by default).
 */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 32);
const RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 2000;

type Shape = 'events' | 'usermaven' | 'intake' | 'segment' | 'webhook';

interface Route {
  name: string;
  shape: Shape;
  seeds: Json[];
  provider?: Provider;
}

const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** What each table holds, and its newest row version: any insert, update or delete moves it. */
const FINGERPRINT = `SELECT ${['contacts', 'events', 'contact_connectors', 'webhook_deliveries', 'provider_customers', 'provider_state', 'journey_runs', 'messages']
  .map((table) => `(SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM ${table}) AS ${table}`)
  .join(', ')}`;

const track = (i: number): Json => ({
  type: 'track',
  event: 'signup',
  userId: `u${i}`,
  email: `u${i}@example.com`,
  properties: { plan: 'pro', seats: 3, trial: false, note: null },
  timestamp: '2025-12-22T10:30:00Z',
  messageId: `m${i}`,
});
const identify = (i: number): Json => ({ type: 'identify', userId: `u${i}`, email: `u${i}@example.com`, name: 'Ada', traits: { plan: 'pro', logins: 3 } });

const segmentContext: Json = { library: { name: '@segment/analytics-node', version: '3.1.0' }, page: { url: 'https://example.com' }, locale: 'en' };

function routes(): Route[] {
  const webhook = (provider: Provider, names: string[]): Route => ({
    name: `${provider} webhook`,
    shape: 'webhook',
    provider,
    seeds: names.map((n) => fixture(provider, n) as Json),
  });
  return [
    { name: 'events (one op)', shape: 'events', seeds: [track(1), identify(2), { type: 'track', event: 'project.created', email: 'x@example.com' }] },
    { name: 'events (batch)', shape: 'events', seeds: [{ batch: [identify(3), track(3), track(4)] }, { batch: Array.from({ length: 20 }, (_, i) => track(100 + i)) }] },
    { name: 'usermaven', shape: 'usermaven', seeds: [usermavenSeedIdentify() as Json, usermavenSeedEvent() as Json, [usermavenSeedEvent() as Json, usermavenSeedIdentify() as Json]] },
    {
      name: 'intake',
      shape: 'intake',
      seeds: [{ event_type: 'user.created', occurred_at: '2025-12-22T10:30:00Z', idempotency_key: 'k1', data: { user_id: 'u_1', email: 'a@example.com', plan: 'pro' } }],
    },
    {
      name: 'segment batch',
      shape: 'segment',
      seeds: [
        {
          batch: [
            { type: 'identify', userId: 'u_42', traits: { email: 'ada@example.com', name: 'Ada', plan: 'starter' }, messageId: 'n1', timestamp: '2025-03-01T10:00:00.000Z' },
            { type: 'track', event: 'project.created', userId: 'u_42', properties: { p: 1 }, context: segmentContext, messageId: 'n2', timestamp: '2025-03-01T10:00:05.500Z' },
            { type: 'page', name: 'Pricing', anonymousId: 'a1' },
          ],
          sentAt: '2025-03-01T10:00:08.000Z',
          context: segmentContext,
        },
      ],
    },
    { name: 'segment track', shape: 'segment', seeds: [{ event: 'Order Completed', userId: 'u_7', properties: { revenue: 42 }, context: segmentContext, messageId: 't1', timestamp: '2025-03-01T10:00:00Z', sentAt: '2025-03-01T10:00:01Z' }] },
    { name: 'segment identify', shape: 'segment', seeds: [{ userId: 'u_8', traits: { email: 'b@example.com', firstName: 'Bo', lastName: 'Li', plan: 'pro' } }] },
    webhook('stripe', ['customer.subscription.created', 'invoice.payment_failed.basil', 'checkout.session.completed.payment', 'charge.refunded', 'customer.subscription.updated.upgraded']),
    webhook('polar', ['subscription.created', 'order.paid.purchase', 'subscription.updated.product-change', 'subscription.active.trial']),
    webhook('clerk', ['user.created', 'user.updated', 'user.deleted']),
  ];
}

const PATHS: Record<string, (tenantId: string) => string> = {
  'events (one op)': (t) => `/api/tenants/${t}/events`,
  'events (batch)': (t) => `/api/tenants/${t}/events`,
  usermaven: () => '/api/v1/s2s/event',
  intake: () => '/v1/events',
  'segment batch': () => '/v1/batch',
  'segment track': () => '/v1/track',
  'segment identify': () => '/v1/identify',
  'stripe webhook': (t) => `/api/webhooks/stripe/${t}`,
  'polar webhook': (t) => `/api/webhooks/polar/${t}`,
  'clerk webhook': (t) => `/api/webhooks/clerk/${t}`,
};

/** The route's own success shape, or a description of what is wrong with it. */
function successProblem(shape: Shape, body: Record<string, unknown>): string | null {
  const ok = (cond: boolean, what: string): string | null => (cond ? null : what);
  switch (shape) {
    case 'events': {
      const results = body.results;
      if (body.ok !== true || !Array.isArray(results) || results.length === 0) return 'not {ok: true, results: [...]}';
      for (const r of results as Array<Record<string, unknown>>) {
        if (!['ok', 'duplicate', 'skipped_no_identity'].includes(r.status as string)) return `result status ${String(r.status)}`;
        if (r.warnings !== undefined && (!Array.isArray(r.warnings) || r.warnings.length > 21)) return 'warnings not capped';
      }
      return null;
    }
    case 'usermaven':
      return ok(JSON.stringify(body) === '{"status":"ok"}', 'not {status: ok}');
    case 'intake':
      return ok(['ok', 'skipped_no_identity'].includes(body.status as string) && typeof body.received_at === 'string', 'not an intake answer');
    case 'segment':
      return ok(JSON.stringify(body) === '{"success":true}', 'not {success: true}');
    case 'webhook':
      return ok(['ok', 'ignored', 'duplicate'].includes(body.status as string), 'not a webhook answer');
  }
}

function errorProblem(status: number, body: Record<string, unknown>): string | null {
  if (body.ok !== false || typeof body.message !== 'string' || body.message === '') return 'not an error envelope';
  if (!ERROR_CODES.includes(body.code as ErrorCode)) return `unknown code ${String(body.code)}`;
  if (ERROR_STATUS[body.code as ErrorCode] !== status) return `code ${String(body.code)} with status ${status}`;
  if (Object.keys(body).length !== 3) return 'extra fields in the envelope';
  if (status === 400 && !/^\S[^\n]*?: \S/.test(body.message)) return 'a 400 message that names no field';
  return null;
}

describe(`fuzz: every public route (FUZZ_SEED=${SEED})`, () => {
  let t: TestApp;
  let tenant: TenantFixture;

  beforeAll(async () => {
    // Listening once, so that supertest does not open a server per request.
    t = await bootApp({}, { listen: true });
    tenant = await createTenant(t, 'Fuzz');
    await configureSecrets(t, tenant.tenantId);
    await t.http().put(`/admin/tenants/${tenant.tenantId}/rate-limit`).set(adminAuth).send({ requestsPerHour: 1e9, burst: 1e9 }).expect(200);
    // An active journey, so that tracks go through enrollment too.
    const journey = await t.http().post(`/admin/tenants/${tenant.tenantId}/journeys`).set(adminAuth).send({
      name: 'Fuzz',
      trigger: { type: 'event', eventType: 'signup' },
      reentry: 'every_event',
      steps: [{ type: 'send_email', subject: 'Hi {{contact.name}}', text: 'Plan {{event.properties.plan}}' }],
    }).expect(201);
    await t.http().post(`/admin/tenants/${tenant.tenantId}/journeys/${journey.body.id}/approve`).set(adminAuth).expect(200);
  });
  afterAll(() => t.close());

  it(`answers ${RUNS} mutated bodies with a 2xx or a 4xx envelope, and refused ones write nothing`, async () => {
    console.log(`fuzz seed ${SEED} (${RUNS} bodies); replay with FUZZ_SEED=${SEED}`);
    const rng = new Prng(SEED);
    const fuzz = new JsonFuzzer(rng);
    const all = routes();
    const tally = new Map<string, Map<number, number>>();
    const failures: string[] = [];
    const acknowledged = new Set<string>();
    const deliveryIds: string[] = [];
    const fingerprint = async (): Promise<string> => JSON.stringify(await t.db.query(FINGERPRINT));
    let before = await fingerprint();

    for (let run = 0; run < RUNS && failures.length < 5; run++) {
      const route = rng.pick(all);
      const seed = clone(rng.pick(route.seeds));
      if (route.provider === 'stripe' && seed && typeof seed === 'object' && !Array.isArray(seed)) seed.id = `evt_${rng.uuid()}`;
      const mutated = rng.chance(0.08) ? seed : fuzz.mutate(seed);
      let text = JSON.stringify(mutated) ?? 'null';
      if (rng.chance(0.05)) text = fuzz.damageText(text);
      if (rng.chance(0.005)) text = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) });

      const req = t.http().post(PATHS[route.name](tenant.tenantId)).set('Content-Type', rng.chance(0.01) ? 'text/plain' : 'application/json');
      if (route.provider) {
        const reuse = deliveryIds.length > 0 && rng.chance(0.05);
        const id = reuse ? rng.pick(deliveryIds) : `msg_${rng.uuid()}`;
        deliveryIds.push(id);
        req.set(signedHeaders(route.provider, text, { id }));
      } else if (route.shape === 'usermaven') {
        req.query({ token: `API_KEY.${tenant.key}` });
      } else if (route.shape === 'segment') {
        if (rng.chance(0.2) && text.startsWith('{')) text = `{"writeKey":${JSON.stringify(tenant.key)},${text.slice(1)}`;
        else req.set('Authorization', `Basic ${Buffer.from(`${tenant.key}:`).toString('base64')}`);
      } else {
        req.set('Authorization', `Bearer ${tenant.key}`);
      }

      const res = await req.send(text);
      const counts = tally.get(route.name) ?? new Map<number, number>();
      counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
      tally.set(route.name, counts);
      const body = (res.body ?? {}) as Record<string, unknown>;
      const after = await fingerprint();
      let problem: string | null;
      if (res.status >= 200 && res.status < 300) {
        problem = successProblem(route.shape, body);
        if (route.shape === 'events') {
          for (const r of body.results as Array<{ status: string; eventId?: string }>) if (r.status === 'ok' && r.eventId) acknowledged.add(r.eventId);
        }
        if (route.shape === 'intake' && body.status === 'ok' && !body.deduplicated) acknowledged.add(body.event_id as string);
      } else if (res.status >= 400 && res.status < 500) {
        problem = errorProblem(res.status, body) ?? (after === before ? null : `a refused request wrote: ${before} -> ${after}`);
      } else {
        problem = `status ${res.status}`;
      }
      if (problem) {
        failures.push(`run ${run} (${route.name}): ${problem}; answer ${res.status} ${JSON.stringify(body).slice(0, 300)}; body ${text.slice(0, 300)}`);
      }
      before = after;
    }

    const summary = [...tally].map(([name, counts]) => `${name}: ${[...counts].sort().map(([s, n]) => `${s}×${n}`).join(' ')}`);
    console.log(`fuzz seed ${SEED}\n${summary.join('\n')}`);
    expect({ seed: SEED, failures }).toEqual({ seed: SEED, failures: [] });

    // Every route saw both kinds of answer: the mutations neither all bounce nor all pass.
    for (const route of all) {
      const counts = tally.get(route.name) ?? new Map<number, number>();
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const accepted = [...counts].filter(([s]) => s < 300).reduce((a, [, n]) => a + n, 0);
      expect({ seed: SEED, route: route.name, someAccepted: accepted > total * 0.1, someRefused: accepted < total }).toEqual({
        seed: SEED,
        route: route.name,
        someAccepted: true,
        someRefused: true,
      });
    }

    // What the 2xx answers acknowledged is there.
    const stored: Array<{ id: string }> = await t.db.query('SELECT id::text FROM events WHERE id = ANY($1::uuid[])', [[...acknowledged]]);
    expect({ seed: SEED, missing: acknowledged.size - stored.length }).toEqual({ seed: SEED, missing: 0 });
  }, 180_000);
});
