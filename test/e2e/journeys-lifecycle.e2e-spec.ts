import { bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp } from '../support/app.js';
import { specApi } from '../support/api.js';
import { eventually, mimeParts, startSmtp, type TestSmtp } from '../support/smtp.js';
import { configureSecrets, deliver, fixture } from '../support/webhooks.js';

/**
 * Journeys that express lifecycle logic (docs/journeys.md): exit events, branches on what the
 * contact did, contact updates and HTML email, run by the real workers on pg-boss, delivered to a
 * real SMTP server, triggered by signed provider webhooks.
 */
describe('journeys with lifecycle logic', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let tenant: TenantFixture;
  const { admin, events, rows } = specApi(() => t, () => tenant);

  async function liveJourney(definition: Record<string, unknown>): Promise<string> {
    const created = await admin('post', '/journeys').send(definition).expect(201);
    await admin('post', `/journeys/${created.body.id}/approve`).expect(200);
    return created.body.id as string;
  }

  /** The journey's runs, once every one of them has ended (completed, exited or failed). */
  const settledRuns = (journeyId: string, n: number) =>
    eventually(async () => {
      const page = await admin('get', `/journeys/${journeyId}/runs`).expect(200);
      const items = page.body.items as Array<{ id: string; contactId: string; status: string }>;
      return items.length === n && items.every((r) => ['completed', 'exited', 'failed'].includes(r.status)) ? items : null;
    }, 20_000, 'the runs to end');

  /** Stripe's invoice events for one invoice, as of now (the journey's maxEventAgeSeconds is a day). */
  function stripeInvoice(type: 'invoice.payment_failed' | 'invoice.paid', id: string): Record<string, unknown> {
    const base = fixture('stripe', 'invoice.payment_failed.basil') as { data: { object: Record<string, unknown> } };
    return {
      ...base,
      id,
      type,
      created: Math.floor(Date.now() / 1000),
      data: { ...base.data, object: { ...base.data.object, ...(type === 'invoice.paid' ? { status: 'paid', attempt_count: 2 } : {}) } },
    };
  }

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await bootApp({ PROCESS_ROLE: 'all', SMTP_URL: smtp.url });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });
  beforeEach(async () => {
    await resetDatabase(t.db);
    smtp.reset();
    tenant = await createTenant(t);
    await configureSecrets(t, tenant.tenantId);
  });

  it('dunning: payment-failed starts the run, payment-recovered during the wait exits it, the reminder never goes out', async () => {
    const journeyId = await liveJourney({
      name: 'Dunning',
      trigger: { type: 'event', eventType: 'payment-failed' },
      reentry: 'every_event',
      exitOn: ['payment-recovered'],
      steps: [
        { type: 'send_email', subject: 'Your payment did not go through', text: 'Hi {{contact.name}}, please update your card.' },
        { type: 'wait', seconds: 3 },
        { type: 'send_email', subject: 'Reminder: update your card', text: 'Still failing.' },
      ],
    });
    // The Stripe customer carries the app's user id (metadata), as the webhook guide asks.
    await events({ type: 'identify', userId: 'u_42', email: 'ada@example.com', name: 'Ada' }).expect(200);

    const failed = await deliver(t, 'stripe', tenant.tenantId, stripeInvoice('invoice.payment_failed', 'evt_dunning_failed')).expect(200);
    expect(failed.body).toEqual(expect.objectContaining({ status: 'ok', eventType: 'payment-failed' }));
    await eventually(async () => (smtp.received.length === 1 ? true : null), 10_000, 'the first dunning email');
    expect(smtp.received[0].headers.subject).toBe('Your payment did not go through');

    const recovered = await deliver(t, 'stripe', tenant.tenantId, stripeInvoice('invoice.paid', 'evt_dunning_paid')).expect(200);
    expect(recovered.body).toEqual(expect.objectContaining({ status: 'ok', eventType: 'payment-recovered' }));

    const [run] = await settledRuns(journeyId, 1);
    const detail = await admin('get', `/journeys/${journeyId}/runs/${run.id}`).expect(200);
    const [recoveredEvent] = await rows<{ id: string }>(`SELECT id FROM events WHERE type = 'payment-recovered'`);
    const [failedEvent] = await rows<{ id: string }>(`SELECT id FROM events WHERE type = 'payment-failed'`);
    expect(detail.body).toEqual({
      id: expect.any(String),
      journeyId,
      contactId: failed.body.contactId,
      status: 'exited',
      trigger: { eventId: failedEvent.id, eventType: 'payment-failed' },
      exitReason: { eventType: 'payment-recovered', eventId: recoveredEvent.id },
      steps: [
        expect.objectContaining({ path: '0', type: 'send_email', status: 'sent' }),
        expect.objectContaining({ path: '1', type: 'wait', status: 'scheduled' }),
      ],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    // The reminder's job wakes up after the wait, finds the run exited, and does nothing.
    await eventually(async () => {
      const [job] = await rows<{ n: number }>(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'journey-step' AND data->>'runId' = $1 AND (data->>'step')::int = 2
            AND state = 'completed'`,
        [detail.body.id],
      );
      return job.n === 1 ? true : null;
    }, 15_000, 'the reminder step job to run');
    expect(smtp.received).toHaveLength(1);
    expect((await rows(`SELECT status FROM journey_runs`)).map((r) => r.status)).toEqual(['exited']);
  });

  it('branches on what the contact did since the run started, and updates the contact', async () => {
    const journeyId = await liveJourney({
      name: 'Activation',
      trigger: { type: 'event', eventType: 'user.signed_up' },
      steps: [
        { type: 'wait', seconds: 2 },
        {
          type: 'branch',
          if: [{ performed: 'project.created', op: 'not_exists' }],
          then: [{ type: 'send_email', subject: 'Need a hand, {{contact.name}}?', text: 'Create your first project.' }],
          else: [{ type: 'update_contact', attributes: { onboarding: 'activated', password: 'dropped like a trait' } }],
        },
        { type: 'send_email', subject: 'Tips for {{contact.name}}', text: 'Plan: {{contact.attributes.onboarding}}' },
      ],
    });
    await events({ batch: [
      { type: 'identify', userId: 'busy', email: 'busy@example.com', name: 'Busy' },
      { type: 'identify', userId: 'idle', email: 'idle@example.com', name: 'Idle' },
      { type: 'track', event: 'user.signed_up', userId: 'busy', messageId: 's-busy' },
      { type: 'track', event: 'user.signed_up', userId: 'idle', messageId: 's-idle' },
    ] }).expect(200);
    await events({ type: 'track', event: 'project.created', userId: 'busy', messageId: 'p-busy' }).expect(200);

    const runs = await settledRuns(journeyId, 2);
    const byContact = new Map<string, { id: string }>();
    for (const r of runs) byContact.set(r.contactId, r);
    const [busy] = await rows<{ id: string; attributes: Record<string, unknown> }>(`SELECT id, attributes FROM contacts WHERE external_id = 'busy'`);
    const [idle] = await rows<{ id: string; attributes: Record<string, unknown> }>(`SELECT id, attributes FROM contacts WHERE external_id = 'idle'`);

    const busyRun = (await admin('get', `/journeys/${journeyId}/runs/${byContact.get(busy.id)!.id}`).expect(200)).body;
    expect(busyRun.status).toBe('completed');
    expect(busyRun.steps).toEqual([
      expect.objectContaining({ path: '0', type: 'wait', status: 'scheduled' }),
      {
        path: '1',
        type: 'branch',
        status: 'else',
        at: expect.any(String),
        conditions: [{ condition: { performed: 'project.created', op: 'not_exists' }, result: false }],
      },
      { path: '1.else.0', type: 'update_contact', status: 'applied', at: expect.any(String) },
      expect.objectContaining({ path: '2', type: 'send_email', status: 'sent' }),
    ]);
    // Sanitized like identify traits: the secret-looking key is dropped.
    expect(busy.attributes).toEqual({ onboarding: 'activated' });

    const idleRun = (await admin('get', `/journeys/${journeyId}/runs/${byContact.get(idle.id)!.id}`).expect(200)).body;
    expect(idleRun.steps.map((s: { path: string; status: string }) => `${s.path}:${s.status}`)).toEqual([
      '0:scheduled',
      '1:then',
      '1.then.0:sent',
      '2:sent',
    ]);
    expect(idle.attributes).toEqual({});

    const subjects = smtp.received.map((m) => `${m.to[0]} ${m.headers.subject}`).sort();
    expect(subjects).toEqual(['busy@example.com Tips for Busy', 'idle@example.com Need a hand, Idle?', 'idle@example.com Tips for Idle']);
    const busyTips = smtp.received.find((m) => m.to[0] === 'busy@example.com')!;
    expect(busyTips.text.trim()).toBe('Plan: activated');
  });

  it('escapes values in html, derives the text part, and keeps the subject on one line', async () => {
    await liveJourney({
      name: 'Welcome',
      trigger: { type: 'event', eventType: 'user.signed_up' },
      steps: [
        {
          type: 'send_email',
          subject: 'Welcome {{contact.name}} {{event.properties.headline}}',
          html: '<h1>Hi {{contact.name}}</h1><p>Your plan: <b>{{event.properties.plan}}</b></p><p><a href="https://example.com/start">Start</a></p>',
        },
      ],
    });
    await events({ batch: [
      { type: 'identify', userId: 'mallory', email: 'mallory@example.com', name: '<script>alert(1)</script>' },
      {
        type: 'track', event: 'user.signed_up', userId: 'mallory', messageId: 'm-1',
        properties: { plan: 'Pro & "Team"', headline: 'line one\r\nBcc: victim@example.com' },
      },
    ] }).expect(200);
    const [mail] = await eventually(async () => (smtp.received.length === 1 ? smtp.received : null), 10_000, 'the welcome email');

    expect(mail.headers['content-type']).toMatch(/^multipart\/alternative;/);
    expect(mail.headers.subject).toBe('Welcome <script>alert(1)</script> line one Bcc: victim@example.com');
    expect(mail.headers.bcc).toBeUndefined();
    expect(mail.to).toEqual(['mallory@example.com']);
    const parts = mimeParts(mail);
    expect(Object.keys(parts).sort()).toEqual(['text/html', 'text/plain']);
    expect(parts['text/html']).toContain('<h1>Hi &lt;script&gt;alert(1)&lt;/script&gt;</h1>');
    expect(parts['text/html']).toContain('<b>Pro &amp; &quot;Team&quot;</b>');
    expect(parts['text/html']).not.toContain('<script>');
    expect(parts['text/plain'].trim()).toBe('Hi <script>alert(1)</script>\n\nYour plan: Pro & "Team"\n\nStart (https://example.com/start)');
  });
});
