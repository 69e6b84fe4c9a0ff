import { bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp } from '../support/app.js';
import { specApi } from '../support/api.js';
import { eventually, type ReceivedMail, sleep, startSmtp, type TestSmtp } from '../support/smtp.js';

/** Journeys end to end: workers in the app (PROCESS_ROLE all), a real SMTP server in the test. */
describe('journeys with email delivery', () => {
  let smtp: TestSmtp;
  let t: TestApp;
  let tenant: TenantFixture;
  const boot = (): Promise<TestApp> => bootApp({ PROCESS_ROLE: 'all', SMTP_URL: smtp.url });
  const { events, admin, rows } = specApi(() => t, () => tenant);
  const send = (body: object) => events(body).expect(200);
  const mailsTo = (email: string): ReceivedMail[] => smtp.received.filter((m) => m.to.includes(email));

  async function liveJourney(body: object): Promise<string> {
    const created = await admin('post', '/journeys').send(body).expect(201);
    await admin('post', `/journeys/${created.body.id}/approve`).expect(200);
    return created.body.id;
  }

  const emailStep = { type: 'send_email', subject: 'Hello {{contact.name}}', text: 'You did {{event.type}} ({{event.properties.plan}}).' };

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await boot();
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });
  beforeEach(async () => {
    await resetDatabase(t.db);
    smtp.received.length = 0;
    tenant = await createTenant(t);
  });

  it('seeds a welcome draft from the signup event, fires nothing until approved, then emails new contacts', async () => {
    const mapped = await admin('put', '/signup-event').send({ eventType: 'user.signed_up' }).expect(200);
    expect(mapped.body).toEqual({ signupEventType: 'user.signed_up', journeyId: expect.any(String) });
    const list = await admin('get', '/journeys').expect(200);
    expect(list.body).toEqual({
      items: [
        {
          id: mapped.body.journeyId,
          name: 'Welcome (user.signed_up)',
          status: 'draft',
          trigger: { type: 'event', eventType: 'user.signed_up', where: [] },
          reentry: 'once',
          exitOn: [],
          maxEventAgeSeconds: 86400,
          steps: [{ type: 'send_email', subject: expect.stringContaining('{{contact.name}}'), text: expect.stringContaining('{{contact.name}}') }],
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
    // Mapping the same event type again seeds nothing new.
    const again = await admin('put', '/signup-event').send({ eventType: 'user.signed_up' }).expect(200);
    expect(again.body.journeyId).toBe(mapped.body.journeyId);
    expect(await rows('SELECT count(*)::int AS n FROM journeys')).toEqual([{ n: 1 }]);

    // While the journey is a draft, a matching track starts nothing.
    await send({ batch: [
      { type: 'identify', userId: 'early', email: 'early@example.com', name: 'Early' },
      { type: 'track', event: 'user.signed_up', userId: 'early', messageId: 'signup-early' },
    ] });
    expect(await rows('SELECT count(*)::int AS n FROM journey_runs')).toEqual([{ n: 0 }]);
    expect(await rows(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'journey-step'`)).toEqual([{ n: 0 }]);

    const approved = await admin('post', `/journeys/${mapped.body.journeyId}/approve`).expect(200);
    expect(approved.body).toMatchObject({ id: mapped.body.journeyId, status: 'active' });

    const res = await send({ batch: [
      { type: 'identify', userId: 'u_42', email: 'ada@example.com', name: 'Ada' },
      { type: 'track', event: 'user.signed_up', userId: 'u_42', messageId: 'signup-u42' },
    ] });
    const contactId = res.body.results[0].contactId;
    const [mail] = await eventually(() => (smtp.received.length > 0 ? smtp.received : null), 10_000, 'the welcome email');
    expect(mail.to).toEqual(['ada@example.com']);
    expect(mail.headers.subject).toBe('Welcome, Ada!');
    expect(mail.text).toContain('Hi Ada,');
    expect(mail.text).not.toContain('{{');
    expect(mail.headers['list-unsubscribe']).toMatch(/^<http:\/\/mara\.test\/u\/[A-Za-z0-9_-]{80}>$/);
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');

    await eventually(async () => (await rows(`SELECT status FROM journey_runs`))[0]?.status === 'completed', 5000, 'run completion');
    const messages = await admin('get', '/messages').expect(200);
    expect(messages.body).toEqual({
      items: [
        {
          id: expect.any(String),
          journeyId: mapped.body.journeyId,
          runId: expect.any(String),
          contactId,
          to: 'ada@example.com',
          subject: 'Welcome, Ada!',
          status: 'sent',
          reason: null,
          createdAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
    const runs = await admin('get', `/journeys/${mapped.body.journeyId}/runs`).expect(200);
    expect(runs.body).toEqual({
      items: [
        {
          id: messages.body.items[0].runId,
          contactId,
          status: 'completed',
          steps: [{ path: '0', type: 'send_email', status: 'sent', at: expect.any(String), messageId: messages.body.items[0].id, reason: null }],
          createdAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
    // Exactly one email, and none for the contact that signed up during the draft.
    await sleep(1500);
    expect(smtp.received).toHaveLength(1);
    expect(mailsTo('early@example.com')).toHaveLength(0);
  });

  it('starts one run per contact for `once` journeys and one per event for `every_event`', async () => {
    const once = await liveJourney({ name: 'Once', trigger: { type: 'event', eventType: 'project.created' }, steps: [emailStep] });
    const every = await liveJourney({
      name: 'Every',
      trigger: { type: 'event', eventType: 'report.exported' },
      reentry: 'every_event',
      steps: [emailStep],
    });
    await send({ type: 'identify', userId: 'u1', email: 'grace@example.com', name: 'Grace' });
    await send({ type: 'track', event: 'project.created', userId: 'u1', messageId: 'p1', properties: { plan: 'pro' } });
    // A second trigger in a later request, and twice more inside one batch.
    await send({ type: 'track', event: 'project.created', userId: 'u1', messageId: 'p2' });
    await send({ batch: [
      { type: 'track', event: 'project.created', userId: 'u1', messageId: 'p3' },
      { type: 'track', event: 'project.created', userId: 'u1', messageId: 'p4' },
    ] });
    await send({ type: 'track', event: 'report.exported', userId: 'u1', messageId: 'r1', properties: { plan: 'a' } });
    await send({ type: 'track', event: 'report.exported', userId: 'u1', messageId: 'r2', properties: { plan: 'b' } });

    const runCount = async (journeyId: string): Promise<number> =>
      (await rows('SELECT count(*)::int AS n FROM journey_runs WHERE journey_id = $1', [journeyId]))[0].n as number;
    expect(await runCount(once)).toBe(1);
    expect(await runCount(every)).toBe(2);

    await eventually(() => smtp.received.length >= 3, 10_000, 'three emails');
    await sleep(1500);
    const bodies = smtp.received.map((m) => m.text.trim()).sort();
    expect(bodies).toEqual(['You did project.created (pro).', 'You did report.exported (a).', 'You did report.exported (b).']);
    expect(smtp.received.every((m) => m.headers.subject === 'Hello Grace')).toBe(true);
    expect(await rows(`SELECT status, count(*)::int AS n FROM messages GROUP BY status`)).toEqual([{ status: 'sent', n: 3 }]);
  });

  it('keeps a waiting run across a restart of the app and sends its email once', async () => {
    const journeyId = await liveJourney({
      name: 'Nudge',
      trigger: { type: 'event', eventType: 'trial.started' },
      steps: [{ type: 'wait', seconds: 2 }, emailStep],
    });
    await send({ batch: [
      { type: 'identify', userId: 'w1', email: 'wait@example.com', name: 'Wes' },
      { type: 'track', event: 'trial.started', userId: 'w1', messageId: 't1' },
    ] });
    await eventually(async () => (await rows('SELECT status FROM journey_runs'))[0]?.status === 'waiting', 5000, 'the wait step');

    // The app goes away during the wait; the next step lives on as a scheduled job in PostgreSQL.
    await t.close();
    expect(await pendingJobs()).toBe(1);
    t = await boot();

    await eventually(() => smtp.received.length > 0, 10_000, 'the email after the restart');
    await sleep(1500);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0].to).toEqual(['wait@example.com']);
    const runs = await admin('get', `/journeys/${journeyId}/runs`).expect(200);
    expect(runs.body.items).toHaveLength(1);
    const steps = runs.body.items[0].steps;
    expect(steps).toEqual([
      { path: '0', type: 'wait', status: 'scheduled', at: expect.any(String), seconds: 2, until: expect.any(String) },
      { path: '1', type: 'send_email', status: 'sent', at: expect.any(String), messageId: expect.any(String), reason: null },
    ]);
    expect(Date.parse(steps[1].at)).toBeGreaterThanOrEqual(Date.parse(steps[0].until));
    expect(runs.body.items[0].status).toBe('completed');

    async function pendingJobs(): Promise<number> {
      // The closed app's pool is gone: ask through a short-lived app-independent query.
      const pg = await import('pg');
      const client = new pg.default.Client({ connectionString: t.config.databaseUrl });
      await client.connect();
      try {
        const r = await client.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'journey-step' AND state = 'created'`);
        return r.rows[0].n as number;
      } finally {
        await client.end();
      }
    }
  });

  it('blocks sends to contacts without email, consent, subscription or activation, and records why', async () => {
    // A welcome email first, to take its unsubscribe link.
    await liveJourney({ name: 'Welcome', trigger: { type: 'event', eventType: 'user.signed_up' }, steps: [emailStep] });
    // The wait leaves time to withdraw consent after the track: any op on a contact with an email
    // records consent again (docs/identity.md#consent), so it is cleared between the track and the send.
    const journeyId = await liveJourney({
      name: 'Upsell',
      trigger: { type: 'event', eventType: 'plan.limit_reached' },
      steps: [{ type: 'wait', seconds: 1 }, emailStep],
    });

    const ids: Record<string, string> = {};
    const who = async (userId: string, email?: string): Promise<void> => {
      const res = await send({ type: 'identify', userId, ...(email ? { email } : {}), name: userId });
      ids[userId] = res.body.results[0].contactId;
    };
    await who('no_email');
    await who('no_consent', 'noconsent@example.com');
    await who('unsubscribed', 'leaving@example.com');
    await who('deactivated', 'gone@example.com');
    await t.db.query('UPDATE contacts SET deactivated_at = now() WHERE id = $1', [ids.deactivated]);

    await send({ type: 'track', event: 'user.signed_up', userId: 'unsubscribed', messageId: 'welcome-leaving' });
    const [welcome] = await eventually(() => (mailsTo('leaving@example.com').length ? mailsTo('leaving@example.com') : null), 10_000, 'the welcome email');
    const link = /^<(.+)>$/.exec(welcome.headers['list-unsubscribe'])![1];
    const path = new URL(link).pathname;
    // RFC 8058 one-click: a form post, whatever the JSON-only rule of the other routes.
    // A link scanner's GET changes nothing; the one-click POST unsubscribes.
    const page = await t.http().get(path).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toMatch(/<form method="post">/);
    expect((await rows('SELECT unsubscribed_at FROM contacts WHERE id = $1', [ids.unsubscribed]))[0].unsubscribed_at).toBeNull();
    const oneClick = await t.http().post(path).set('Content-Type', 'application/x-www-form-urlencoded').send('List-Unsubscribe=One-Click').expect(200);
    expect(oneClick.text).toMatch(/You are unsubscribed/);
    const [{ unsubscribed_at }] = await rows('SELECT unsubscribed_at FROM contacts WHERE id = $1', [ids.unsubscribed]);
    expect(unsubscribed_at).toBeInstanceOf(Date);
    // The token is a capability: the access log shows the route, never the token.
    expect(t.logs.some((l) => l.includes('"path":"/u/[redacted]"'))).toBe(true);
    expect(t.logs.join('\n')).not.toContain(path.slice(3));
    const bad = await t.http().get(`/u/${'A'.repeat(64)}`).expect(404);
    expect(bad.body).toEqual({ ok: false, code: 'not_found', message: 'unsubscribe link not found' });
    await t.http().post('/u/nonsense').set('Content-Type', 'application/x-www-form-urlencoded').send('List-Unsubscribe=One-Click').expect(404);

    const delivered = smtp.received.length;
    await send({ batch: ['no_email', 'no_consent', 'unsubscribed', 'deactivated'].map((userId) => ({
      type: 'track',
      event: 'plan.limit_reached',
      userId,
      messageId: `limit-${userId}`,
    })) });
    await t.db.query('UPDATE contacts SET consent = NULL WHERE id = $1', [ids.no_consent]);
    await eventually(
      async () => (await rows(`SELECT count(*)::int AS n FROM journey_runs WHERE journey_id = $1 AND status = 'completed'`, [journeyId]))[0].n === 4,
      10_000,
      'four settled runs',
    );
    const blocked = await rows(`SELECT contact_id, "to", status, reason FROM messages WHERE journey_id = $1 ORDER BY reason`, [journeyId]);
    expect(blocked).toEqual([
      { contact_id: ids.deactivated, to: 'gone@example.com', status: 'blocked', reason: 'deactivated' },
      { contact_id: ids.no_consent, to: 'noconsent@example.com', status: 'blocked', reason: 'no_consent' },
      { contact_id: ids.no_email, to: null, status: 'blocked', reason: 'no_email' },
      { contact_id: ids.unsubscribed, to: 'leaving@example.com', status: 'blocked', reason: 'unsubscribed' },
    ]);
    const runs = await admin('get', `/journeys/${journeyId}/runs`).expect(200);
    expect(runs.body.items.map((r: { steps: Array<{ status: string; reason: string }> }) => r.steps[1].status)).toEqual(
      Array(4).fill('blocked'),
    );
    await sleep(1000);
    expect(smtp.received).toHaveLength(delivered);
  });
});
