import type { AddressInfo } from 'node:net';
import {
  createMaraClient,
  MaraApiError,
  messageIdFor,
  type EventsOp,
  type Journey,
  type JourneyStep,
  type MaraClient,
  type OpResult,
  type Tenant,
} from '../../sdk/src/index.js';
import { ADMIN_TOKEN, bootApp, resetDatabase, type TestApp } from '../support/app.js';
import { deliver, fixture, SECRETS } from '../support/webhooks.js';
import { specApi } from '../support/api.js';

/** A fetch that records every request (and its answer's status) before passing it on. */
function recordingFetch(fail?: (n: number) => Response | Error | null): {
  calls: Array<{ method: string; path: string; status: number | 'error' }>;
  fetch: (request: Request) => Promise<Response>;
} {
  const calls: Array<{ method: string; path: string; status: number | 'error' }> = [];
  return {
    calls,
    fetch: async (request) => {
      const call = { method: request.method, path: new URL(request.url).pathname, status: 'error' as number | 'error' };
      calls.push(call);
      const injected = fail?.(calls.length);
      if (injected instanceof Error) throw injected;
      const response = injected ?? (await fetch(request));
      call.status = response.status;
      return response;
    },
  };
}

describe('SDK against a live server', () => {
  let t: TestApp;
  let baseUrl: string;
  let admin: MaraClient;
  let tenant: Tenant;
  let key: string;
  /** The tenant's events URL as the settings page shows it, pointed at this test server. */
  let eventsUrl: string;

  const eventsClient = (options: Parameters<typeof createMaraClient>[0] = {}): MaraClient =>
    createMaraClient({ eventsUrl, ingestionKey: key, minRetryDelayMs: 10, ...options });
  const { count } = specApi(() => t);

  beforeAll(async () => {
    t = await bootApp({}, { listen: true });
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
    admin = createMaraClient({ baseUrl, adminToken: ADMIN_TOKEN });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await resetDatabase(t.db);
    tenant = await admin.admin.tenants.create({ name: 'Acme' });
    key = (await admin.admin.tenants.generateIngestionKey(tenant.id)).key;
    eventsUrl = (await admin.admin.tenants.integrations(tenant.id)).eventsUrl.replace(t.config.publicBaseUrl, baseUrl);
  });

  const signup = (user: { id: string; email: string; name: string }): EventsOp[] => [
    { type: 'identify', userId: user.id, email: user.email, name: user.name, traits: { plan: 'starter' } },
    { type: 'track', event: 'user.signed_up', userId: user.id, messageId: messageIdFor('signup', user.id) },
  ];

  it('configures itself from the events URL and sends identify + track; a resend answers duplicate', async () => {
    const client = eventsClient();
    expect(client.tenantId).toBe(tenant.id);
    expect(client.baseUrl).toBe(baseUrl);

    const user = { id: 'u_42', email: 'ada@example.com', name: 'Ada' };
    const first = await client.events.send(signup(user));
    const contactId = first[0].contactId;
    expect(first).toEqual([
      { index: 0, type: 'identify', status: 'ok', contactId },
      { index: 1, type: 'track', status: 'ok', contactId, eventId: expect.any(String) },
    ]);
    const again = await client.events.send(signup(user));
    expect(again.map((r) => r.status)).toEqual(['ok', 'duplicate']);
    expect(again[1].eventId).toBe(first[1].eventId);
    expect(await t.db.query('SELECT message_id, type FROM events')).toEqual([{ message_id: 'signup-u_42', type: 'user.signed_up' }]);
  });

  it('types the admin calls end to end from the generated schema', async () => {
    await eventsClient().events.send(signup({ id: 'u_7', email: 'grace@example.com', name: 'Grace' }));

    const page = await admin.admin.contacts.list(tenant.id, { externalId: 'u_7', limit: 10 });
    expect(page.nextCursor).toBeNull();
    const contactId: string = page.items[0].id;
    const contact = await admin.admin.contacts.get(tenant.id, contactId);
    expect(contact).toMatchObject({ externalId: 'u_7', email: 'grace@example.com', name: 'Grace', attributes: { plan: 'starter' } });
    expect(contact.consent?.status).toBe('granted');
    const timeline = await admin.admin.contacts.events(tenant.id, contactId);
    expect(timeline.items.map((e) => [e.type, e.messageId, e.source])).toEqual([['user.signed_up', 'signup-u_7', 'events_api']]);

    const integrations = await admin.admin.tenants.integrations(tenant.id);
    expect(integrations.ingestionKey.configured).toBe(true);
    expect(integrations.webhooks.stripe.secretConfigured).toBe(false);
    await admin.admin.tenants.setWebhookSecret(tenant.id, 'stripe', 'whsec_test');
    expect((await admin.admin.tenants.integrations(tenant.id)).webhooks.stripe.secretConfigured).toBe(true);
    expect(await admin.admin.tenants.setRateLimit(tenant.id, { requestsPerHour: 6000, burst: 600 })).toEqual({ requestsPerHour: 6000, burst: 600 });
    expect(await admin.admin.tenants.setSignupEvent(tenant.id, 'user.signed_up')).toEqual({
      signupEventType: 'user.signed_up',
      journeyId: expect.any(String),
    });
    expect((await admin.admin.tenants.list()).items.map((x) => x.id)).toEqual([tenant.id]);
    expect((await admin.admin.tenants.get(tenant.id)).name).toBe('Acme');
    const health = await admin.admin.ingestionHealth(tenant.id);
    expect(health.connectors.events_api).toEqual({ contacts: 1, events: 1, lastActivityAt: expect.any(String) });

    const notFound = await admin.admin.tenants.get('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(MaraApiError);
    expect(notFound).toMatchObject({ status: 404, code: 'not_found' });

    // Compile-time only (`npm run typecheck`): the generated types refuse a wrong call.
    const wrongCall = (): Promise<unknown> =>
      // @ts-expect-error requestsPerHour is a number
      admin.admin.tenants.setRateLimit(tenant.id, { requestsPerHour: 'many', burst: 1 });
    expect(typeof wrongCall).toBe('function');
  });

  it('creates, edits, approves and pauses a journey, and reads its runs and the outbox', async () => {
    const steps: JourneyStep[] = [
      { type: 'wait', seconds: 60 },
      { type: 'send_email', subject: 'Welcome, {{contact.name}}!', text: 'Hi {{contact.name}}' },
    ];
    const draft: Journey = await admin.admin.journeys.create(tenant.id, {
      name: 'Welcome',
      trigger: { type: 'event', eventType: 'user.signed_up' },
      steps,
    });
    expect(draft).toMatchObject({ name: 'Welcome', status: 'draft', reentry: 'once', steps });
    const edited = await admin.admin.journeys.update(tenant.id, draft.id, { reentry: 'every_event' });
    expect(edited).toMatchObject({ status: 'draft', reentry: 'every_event' });

    const active = await admin.admin.journeys.approve(tenant.id, draft.id);
    expect(active.status).toBe('active');
    expect((await admin.admin.journeys.get(tenant.id, draft.id)).status).toBe('active');
    const refused = await admin.admin.journeys.update(tenant.id, draft.id, { name: 'Renamed' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 409, code: 'conflict' });
    expect((await admin.admin.journeys.pause(tenant.id, draft.id)).status).toBe('paused');

    expect((await admin.admin.journeys.list(tenant.id, { limit: 10 })).items.map((j) => j.id)).toEqual([draft.id]);
    expect(await admin.admin.journeys.runs(tenant.id, draft.id)).toEqual({ items: [], nextCursor: null });
    expect(await admin.admin.messages(tenant.id)).toEqual({ items: [], nextCursor: null });

    // Compile-time only: a step must be one of the two kinds.
    const wrongStep = (): Promise<unknown> =>
      // @ts-expect-error 'send_sms' is not a step type
      admin.admin.journeys.create(tenant.id, { name: 'x', trigger: { type: 'event', eventType: 'x' }, steps: [{ type: 'send_sms' }] });
    expect(typeof wrongStep).toBe('function');
  });

  it('lists, reads and replays webhook deliveries; a replay is retried after a 5xx like an idempotent call', async () => {
    await admin.admin.tenants.setWebhookSecret(tenant.id, 'stripe', SECRETS.stripe);
    const payload = { ...fixture('stripe', 'customer.subscription.created'), id: 'evt_sdk_1' };
    await deliver(t, 'stripe', tenant.id, payload).expect(200);
    await deliver(t, 'stripe', tenant.id, payload).expect(200);

    const page = await admin.admin.webhookDeliveries.list(tenant.id, { provider: 'stripe', status: 'ok', limit: 10 });
    expect(page.items).toEqual([expect.objectContaining({ providerEventId: 'evt_sdk_1', status: 'ok', eventType: 'subscription-started' })]);
    expect((await admin.admin.webhookDeliveries.list(tenant.id)).items.map((d) => d.status)).toEqual(['duplicate', 'ok']);
    const detail = await admin.admin.webhookDeliveries.get(tenant.id, page.items[0].id);
    expect(detail.payload).toEqual(payload);

    const recorded = recordingFetch((n) => (n === 1 ? new Response('{}', { status: 503 }) : null));
    const flaky = createMaraClient({ baseUrl, adminToken: ADMIN_TOKEN, fetch: recorded.fetch, minRetryDelayMs: 10 });
    expect(await flaky.admin.webhookDeliveries.replay(tenant.id, page.items[0].id)).toEqual({ status: 'duplicate', eventType: null, contactId: null });
    expect(recorded.calls.map((c) => c.status)).toEqual([503, 200]);
    const missing = await admin.admin.webhookDeliveries.get(tenant.id, '00000000-0000-4000-8000-000000000000').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(MaraApiError);
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });
    expect(await count('events')).toBe(1);
  });

  it('splits 250 ops into exactly 3 requests and returns every result in order', async () => {
    const recorder = recordingFetch();
    const client = eventsClient({ fetch: recorder.fetch });
    const ops: EventsOp[] = Array.from({ length: 250 }, (_, i) => ({
      type: 'track',
      event: 'report.exported',
      userId: `u_${i % 25}`,
      messageId: `export-${i}`,
    }));

    const results: OpResult[] = await client.events.send(ops);
    expect(recorder.calls.map((c) => [c.method, c.path, c.status])).toEqual(
      Array.from({ length: 3 }, () => ['POST', `/api/tenants/${tenant.id}/events`, 200]),
    );
    expect(results.map((r) => r.index)).toEqual(ops.map((_, i) => i));
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    const stored: Array<{ id: string; message_id: string }> = await t.db.query('SELECT id, message_id FROM events');
    const idOf = new Map(stored.map((e) => [e.message_id, e.id]));
    expect(stored).toHaveLength(250);
    expect(results.map((r) => r.eventId)).toEqual(ops.map((op) => idOf.get((op as { messageId: string }).messageId)));

    const again = await client.events.send(ops);
    expect(recorder.calls).toHaveLength(6);
    expect(again.every((r, i) => r.status === 'duplicate' && r.eventId === results[i].eventId)).toBe(true);
  });

  it('waits for Retry-After on a 429 and then succeeds', async () => {
    await admin.admin.tenants.setRateLimit(tenant.id, { requestsPerHour: 3600, burst: 1 });
    const recorder = recordingFetch();
    const client = eventsClient({ fetch: recorder.fetch });
    await client.events.send(signup({ id: 'u_1', email: 'a@example.com', name: 'A' }));

    const started = Date.now();
    const results = await client.events.send([{ type: 'track', event: 'project.created', userId: 'u_1', messageId: 'p-1' }]);
    const elapsed = Date.now() - started;
    expect(results[0].status).toBe('ok');
    expect(recorder.calls.map((c) => c.status)).toEqual([200, 429, 200]);
    // The bucket holds one token and refills one per second: Retry-After is 1.
    expect(elapsed).toBeGreaterThanOrEqual(1000 - 20);
  });

  it('does not retry a 400, and reports its code and field path', async () => {
    const recorder = recordingFetch();
    const client = eventsClient({ fetch: recorder.fetch });
    const error = await client.events
      .send([{ type: 'track', event: 'bad*name', userId: 'u_1' }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MaraApiError);
    expect(error).toMatchObject({ status: 400, code: 'bad_request', message: expect.stringContaining('batch[0].event:') });
    expect(recorder.calls).toHaveLength(1);
    expect(await count('events')).toBe(0);
  });

  it('retries a 5xx and a dropped connection, and gives up after maxRetries', async () => {
    const unavailable = (): Response =>
      new Response(JSON.stringify({ ok: false, code: 'infra', message: 'internal error; safe to retry' }), {
        status: 503,
        headers: { 'Content-Type': 'application/json' },
      });
    const flaky = recordingFetch((n) => (n === 1 ? unavailable() : n === 2 ? new TypeError('fetch failed') : null));
    const results = await eventsClient({ fetch: flaky.fetch }).events.send(signup({ id: 'u_9', email: 'n@example.com', name: 'N' }));
    expect(flaky.calls.map((c) => c.status)).toEqual([503, 'error', 200]);
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok']);

    const down = recordingFetch(() => unavailable());
    const error = await eventsClient({ fetch: down.fetch, maxRetries: 2 }).events.send(signup({ id: 'u_9', email: 'n@example.com', name: 'N' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'MaraApiError', status: 503, code: 'infra' });
    expect(down.calls).toHaveLength(3);
  });

  it('queues fire-and-forget: 150 ops flush in 2 requests, all stored', async () => {
    const recorder = recordingFetch();
    const reported: unknown[] = [];
    const onError = (error: unknown): void => void reported.push(error);
    const queue = eventsClient({ fetch: recorder.fetch }).events.queue({ flushAt: 100, flushIntervalMs: 60_000, onError });
    for (let i = 0; i < 150; i++) {
      expect(queue.enqueue({ type: 'track', event: 'feature.used', userId: `u_${i % 10}`, messageId: `use-${i}` })).toBe(true);
    }
    await queue.flush();
    expect(recorder.calls.map((c) => c.status)).toEqual([200, 200]);
    expect(await count('events')).toBe(150);
    expect(reported).toEqual([]);
    await queue.close();
    expect(queue.enqueue({ type: 'track', event: 'late', userId: 'u_1' })).toBe(false);
    expect(reported).toEqual([expect.objectContaining({ message: 'the queue is closed' })]);
  });

  it('hands queue failures to onError without throwing into the caller', async () => {
    const failures: Array<{ error: unknown; ops: EventsOp[] }> = [];
    const queue = eventsClient({ ingestionKey: 'mara_ing_wrong' }).events.queue({
      flushIntervalMs: 60_000,
      onError: (error, ops) => failures.push({ error, ops }),
    });
    expect(() => queue.enqueue({ type: 'identify', userId: 'u_1', email: 'a@example.com' })).not.toThrow();
    queue.enqueue({ type: 'track', event: 'a.b', userId: 'u_1' });
    await expect(queue.close()).resolves.toBeUndefined();
    expect(failures).toHaveLength(1);
    expect(failures[0].error).toMatchObject({ name: 'MaraApiError', status: 401, code: 'unauthorized' });
    expect(failures[0].ops.map((op) => op.type)).toEqual(['identify', 'track']);
    expect(await count('contacts')).toBe(0);
  });
});
