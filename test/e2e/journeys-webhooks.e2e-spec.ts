import { bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp } from '../support/app.js';
import { sendEvents, specApi } from '../support/api.js';
import { eventually } from '../support/smtp.js';
import { configureSecrets, deliver, fixture } from '../support/webhooks.js';

/**
 * Lifecycle events from provider webhooks fire journeys like any track. The recorded fixtures are
 * re-dated to now: a journey ignores events older than its maxEventAgeSeconds
 * (docs/journeys.md#history-is-not-news).
 */
const now = (payload: Record<string, unknown>): Record<string, unknown> =>
  'timestamp' in payload ? { ...payload, timestamp: Date.now() } : { ...payload, created: Math.floor(Date.now() / 1000) };

describe('journeys triggered by webhooks', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  const { admin } = specApi(() => t, () => tenant);

  beforeAll(async () => {
    t = await bootApp({ PROCESS_ROLE: 'all' });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await resetDatabase(t.db);
    tenant = await createTenant(t);
    await configureSecrets(t, tenant.tenantId);
  });

  it('a Stripe customer.subscription.created fires a journey triggered on subscription-started', async () => {
    const journey = await admin('post', '/journeys')
      .send({
        name: 'Subscription welcome',
        trigger: { type: 'event', eventType: 'subscription-started' },
        steps: [{ type: 'send_email', subject: 'Thanks for subscribing, {{contact.name}}', text: 'Status: {{event.properties.status}}' }],
      })
      .expect(201);
    await admin('post', `/journeys/${journey.body.id}/approve`).expect(200);
    // The app knows the user first (name and email), as a product would send them.
    await sendEvents(t, tenant, { type: 'identify', userId: 'u_42', email: 'ada@example.com', name: 'Ada' })
      .expect(200);

    const res = await deliver(t, 'stripe', tenant.tenantId, now(fixture('stripe', 'customer.subscription.created'))).expect(200);
    expect(res.body).toEqual({ status: 'ok', eventType: 'subscription-started', contactId: expect.any(String) });

    const runs = await admin('get', `/journeys/${journey.body.id}/runs`).expect(200);
    expect(runs.body.items).toEqual([expect.objectContaining({ contactId: res.body.contactId })]);
    const messages = await eventually(async () => {
      const page = await admin('get', '/messages').expect(200);
      return page.body.items.length > 0 ? page.body.items : null;
    }, 10_000, 'the journey email');
    expect(messages).toEqual([
      expect.objectContaining({
        journeyId: journey.body.id,
        contactId: res.body.contactId,
        to: 'ada@example.com',
        subject: 'Thanks for subscribing, Ada',
        status: 'captured',
      }),
    ]);
  });

  it('no journey email goes to a contact deleted in Clerk', async () => {
    const journey = await admin('post', '/journeys')
      .send({
        name: 'Goodbye',
        trigger: { type: 'event', eventType: 'user.deleted' },
        reentry: 'every_event',
        steps: [{ type: 'send_email', subject: 'Sorry to see you go', text: 'Bye {{contact.name}}' }],
      })
      .expect(201);
    await admin('post', `/journeys/${journey.body.id}/approve`).expect(200);
    await deliver(t, 'clerk', tenant.tenantId, now(fixture('clerk', 'user.created'))).expect(200);
    const deleted = await deliver(t, 'clerk', tenant.tenantId, now(fixture('clerk', 'user.deleted'))).expect(200);
    const messages = await eventually(async () => {
      const page = await admin('get', '/messages').expect(200);
      return page.body.items.length > 0 ? page.body.items : null;
    }, 10_000, 'the outbox entry');
    expect(messages).toEqual([
      expect.objectContaining({ contactId: deleted.body.contactId, status: 'blocked', reason: 'deactivated' }),
    ]);
  });
});
