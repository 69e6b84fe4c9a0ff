import { bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp } from '../support/app.js';
import { statementsDuring } from '../support/statements.js';
import { specApi } from '../support/api.js';

/**
 * Trigger filters, event age, backfill and the why-not route (docs/journeys.md#trigger,
 * #history-is-not-news, #backfill, #why-not), and the set-based enrollment + exits. An API
 * process (no workers): runs stay where enrollment left them.
 */
describe('journey decisions', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  const { events, admin, count, rows } = specApi(() => t, () => tenant);

  async function liveJourney(definition: Record<string, unknown>): Promise<string> {
    const created = await admin('post', '/journeys').send({ steps: [{ type: 'wait', seconds: 86_400 }], ...definition }).expect(201);
    await admin('post', `/journeys/${created.body.id}/approve`).expect(200);
    return created.body.id as string;
  }
  const eventIdOf = async (messageId: string): Promise<string> =>
    (await rows<{ id: string }>('SELECT id FROM events WHERE message_id = $1', [messageId]))[0].id;
  const why = async (messageId: string) => (await admin('get', `/events/${await eventIdOf(messageId)}/journeys`).expect(200)).body.items;
  const backfill = (body: object, flag = 'true') =>
    t.http().post(`/api/tenants/${tenant.tenantId}/events?backfill=${flag}`).set('Authorization', `Bearer ${tenant.key}`).send(body);

  const statements = (fn: () => Promise<unknown>): Promise<string[]> => statementsDuring(fn);

  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await resetDatabase(t.db);
    tenant = await createTenant(t);
  });

  it('a trial nudge enrolls only contacts whose attributes and event match, and says why for the others', async () => {
    const plan = { field: 'contact.attributes.plan', op: 'eq', value: 'trial' };
    const journeyId = await liveJourney({
      name: 'Trial nudge',
      reentry: 'every_event',
      trigger: { type: 'event', eventType: 'trial.reminder_due', where: [plan, { field: 'event.properties.days_left', op: 'lte', value: 3 }] },
    });
    await events({ batch: [
      { type: 'identify', userId: 'trial', email: 'trial@example.com', traits: { plan: 'trial' } },
      { type: 'identify', userId: 'pro', email: 'pro@example.com', traits: { plan: 'pro' } },
      { type: 'track', event: 'trial.reminder_due', userId: 'trial', properties: { days_left: 2 }, messageId: 'due-trial' },
      { type: 'track', event: 'trial.reminder_due', userId: 'pro', properties: { days_left: 2 }, messageId: 'due-pro' },
      { type: 'track', event: 'trial.reminder_due', userId: 'trial', properties: { days_left: 9 }, messageId: 'due-early' },
      { type: 'track', event: 'trial.reminder_due', userId: 'trial', properties: { days_left: '2' }, messageId: 'due-string' },
    ] }).expect(200);
    const runs = await rows<{ event_id: string }>('SELECT event_id FROM journey_runs WHERE journey_id = $1', [journeyId]);
    expect(runs).toEqual([{ event_id: await eventIdOf('due-trial') }]);
    const [run] = await rows<{ id: string }>('SELECT id FROM journey_runs');

    expect(await why('due-trial')).toEqual([{ journeyId, name: 'Trial nudge', decision: 'enrolled', runId: run.id }]);
    expect(await why('due-pro')).toEqual([{ journeyId, name: 'Trial nudge', decision: 'filtered', condition: plan }]);
    expect(await why('due-early')).toEqual([
      { journeyId, name: 'Trial nudge', decision: 'filtered', condition: { field: 'event.properties.days_left', op: 'lte', value: 3 } },
    ]);
    // Across types an ordering op is false: the string "2" is not lte the number 3.
    expect((await why('due-string'))[0].decision).toBe('filtered');
  });

  it('a 3-day-old event and a backfill batch enroll nothing, and the why-not route says so', async () => {
    const welcome = await liveJourney({ name: 'Welcome', trigger: { type: 'event', eventType: 'user.signed_up' } });
    const draft = (await admin('post', '/journeys').send({
      name: 'Draft', trigger: { type: 'event', eventType: 'user.signed_up' }, steps: [{ type: 'wait', seconds: 1 }],
    }).expect(201)).body.id as string;
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000).toISOString();
    await events({ type: 'track', event: 'user.signed_up', userId: 'old', timestamp: threeDaysAgo, messageId: 'old-signup' }).expect(200);
    await backfill({ batch: Array.from({ length: 3 }, (_, i) => ({ type: 'track', event: 'user.signed_up', userId: `imported-${i}`, messageId: `import-${i}` })) })
      .expect(200);
    expect(await count('journey_runs')).toBe(0);
    expect(await count('pgboss.job WHERE name = $1', ['journey-step'])).toBe(0);
    expect(await count('events')).toBe(4);

    expect(await why('old-signup')).toEqual([
      { journeyId: welcome, name: 'Welcome', decision: 'too_old' },
      { journeyId: draft, name: 'Draft', decision: 'not_active' },
    ]);
    expect(await why('import-0')).toEqual([
      { journeyId: welcome, name: 'Welcome', decision: 'backfill' },
      { journeyId: draft, name: 'Draft', decision: 'backfill' },
    ]);

    // The events list marks them.
    const [imported] = await rows<{ id: string }>(`SELECT id FROM contacts WHERE external_id = 'imported-0'`);
    const [old] = await rows<{ id: string }>(`SELECT id FROM contacts WHERE external_id = 'old'`);
    expect((await admin('get', `/contacts/${imported.id}/events`).expect(200)).body.items).toEqual([expect.objectContaining({ backfill: true })]);
    expect((await admin('get', `/contacts/${old.id}/events`).expect(200)).body.items).toEqual([expect.objectContaining({ backfill: false })]);

    // A recent event enrolls, then `once` says reentry_once for the next; backfill exits nothing.
    await events({ type: 'track', event: 'user.signed_up', userId: 'old', messageId: 'fresh-signup' }).expect(200);
    await events({ type: 'track', event: 'user.signed_up', userId: 'old', messageId: 'again-signup' }).expect(200);
    const [first] = await rows<{ id: string }>('SELECT id FROM journey_runs');
    expect((await why('again-signup'))[0]).toEqual({ journeyId: welcome, name: 'Welcome', decision: 'reentry_once', runId: first.id });

    // Every keyed intake route takes the flag; anything but true/false is a 400.
    await t.http().post('/v1/track?backfill=true').auth(tenant.key, '').send({ userId: 'seg', event: 'user.signed_up', messageId: 'seg-1' }).expect(200);
    expect((await why('seg-1'))[0].decision).toBe('backfill');
    const bad = await backfill({ type: 'track', event: 'x', userId: 'u', messageId: 'bad' }, 'yes').expect(400);
    expect(bad.body).toEqual({ ok: false, code: 'bad_request', message: 'backfill: must be true or false' });
  });

  it('exits on an exit event from any source, except backfill and the event that started the run', async () => {
    const journeyId = await liveJourney({
      name: 'Dunning', reentry: 'every_event', trigger: { type: 'event', eventType: 'payment-failed' },
      exitOn: ['payment-recovered', 'payment-failed'],
    });
    await events({ type: 'track', event: 'payment-failed', userId: 'u1', messageId: 'f1' }).expect(200);
    // The event that started it does not exit it, though payment-failed is in exitOn.
    expect(await rows('SELECT status FROM journey_runs')).toEqual([{ status: 'active' }]);
    await backfill({ type: 'track', event: 'payment-recovered', userId: 'u1', messageId: 'r-backfill' }).expect(200);
    expect(await rows('SELECT status FROM journey_runs')).toEqual([{ status: 'active' }]);
    await t.http().post('/v1/events').set('Authorization', `Bearer ${tenant.key}`).send({
      event_type: 'payment-recovered', occurred_at: new Date().toISOString(), idempotency_key: 'r1', data: { user_id: 'u1' },
    }).expect(200);
    const [run] = await rows<{ id: string }>('SELECT id FROM journey_runs');
    const detail = await admin('get', `/journeys/${journeyId}/runs/${run.id}`).expect(200);
    expect(detail.body).toEqual(expect.objectContaining({
      status: 'exited', exitReason: { eventType: 'payment-recovered', eventId: await eventIdOf('r1') },
    }));
  });

  it('exits a run started earlier in the same batch, by a later event of that batch, and schedules nothing for it', async () => {
    const journeyId = await liveJourney({
      name: 'Dunning', reentry: 'every_event', trigger: { type: 'event', eventType: 'payment-failed' },
      exitOn: ['payment-recovered'],
    });
    await events({ batch: [
      { type: 'track', event: 'payment-recovered', userId: 'u1', messageId: 'r0' },
      { type: 'track', event: 'payment-failed', userId: 'u1', messageId: 'f1' },
      { type: 'track', event: 'payment-recovered', userId: 'u1', messageId: 'r1' },
      { type: 'track', event: 'payment-failed', userId: 'u2', messageId: 'f2' },
    ] }).expect(200);
    const runs = await rows<{ id: string; contact: string; status: string; exit_reason: unknown }>(
      `SELECT r.id, c.external_id AS contact, r.status, r.exit_reason FROM journey_runs r JOIN contacts c ON c.id = r.contact_id
        WHERE r.journey_id = $1 ORDER BY c.external_id`,
      [journeyId],
    );
    // u1's run: exited by r1 (after it), not by r0 (before it); u2's run goes on.
    expect(runs.map(({ contact, status, exit_reason }) => ({ contact, status, exit_reason }))).toEqual([
      { contact: 'u1', status: 'exited', exit_reason: { eventType: 'payment-recovered', eventId: await eventIdOf('r1') } },
      { contact: 'u2', status: 'active', exit_reason: null },
    ]);
    const jobs = await rows<{ run: string }>(`SELECT data->>'runId' AS run FROM pgboss.job WHERE name = 'journey-step'`);
    expect(jobs.map((j) => j.run)).toEqual([runs[1].id]);
  });

  it('enrollment + exits take as many statements for a batch of 100 as for a batch of 1, with 5 journeys', async () => {
    await liveJourney({ name: 'plain', reentry: 'every_event', trigger: { type: 'event', eventType: 'report.exported' } });
    await liveJourney({
      name: 'filtered-1', reentry: 'every_event',
      trigger: { type: 'event', eventType: 'report.exported', where: [{ field: 'contact.attributes.plan', op: 'eq', value: 'pro' }] },
    });
    await liveJourney({
      name: 'filtered-2', reentry: 'every_event',
      trigger: { type: 'event', eventType: 'report.exported', where: [{ field: 'event.properties.rows', op: 'gt', value: 10 }] },
    });
    await liveJourney({ name: 'exits', reentry: 'every_event', trigger: { type: 'event', eventType: 'other' }, exitOn: ['report.exported'] });
    await liveJourney({ name: 'once', trigger: { type: 'event', eventType: 'report.exported' } });
    await events({ batch: Array.from({ length: 100 }, (_, i) => ({ type: 'identify', userId: `u${i}`, traits: { plan: i % 2 ? 'pro' : 'free' } })) }).expect(200);
    await events({ batch: Array.from({ length: 100 }, (_, i) => ({ type: 'track', event: 'other', userId: `u${i}`, messageId: `o-${i}` })) }).expect(200);
    const track = (i: number, run: string) => ({ type: 'track', event: 'report.exported', userId: `u${i}`, properties: { rows: i }, messageId: `${run}-${i}` });

    const one = await statements(() => events({ batch: [track(1, 'one')] }).expect(200));
    const hundred = await statements(() => events({ batch: Array.from({ length: 100 }, (_, i) => track(i, 'hundred')) }).expect(200));
    expect(hundred.length).toBe(one.length);
    for (const seen of [one, hundred]) {
      expect(seen.filter((q) => q.includes('INSERT INTO journey_runs'))).toHaveLength(1);
      expect(seen.filter((q) => q.includes('exit_reason'))).toHaveLength(1);
    }
    // Conditions travel in the journey rows, never in the statement's text.
    expect(hundred.some((q) => q.includes("'pro'"))).toBe(false);
    expect(await count(`journey_runs WHERE status = 'exited'`)).toBe(100);
    expect(await count(`journey_runs r JOIN journeys j ON j.id = r.journey_id WHERE j.name = 'filtered-2'`)).toBe(89);
  });

  it('names the path of bad fields, limits nesting, answers 409 for state conflicts, and previews emails', async () => {
    const definition = (steps: unknown[], extra: Record<string, unknown> = {}) => ({ name: 'x', trigger: { type: 'event', eventType: 'e' }, steps, ...extra });
    const problem = async (body: object) => (await admin('post', '/journeys').send(body).expect(400)).body.message as string;
    expect(await problem(definition([{ type: 'wait', seconds: 1 }], { trigger: { type: 'event', eventType: 'e', where: [{ field: 'contact.plan', op: 'eq', value: 1 }] } })))
      .toMatch(/^trigger\.where\[0\]\.field: /);
    expect(await problem(definition([{ type: 'wait', seconds: 1 }], { trigger: { type: 'event', eventType: 'e', where: [{ field: 'contact.name', op: 'like', value: 'a' }] } })))
      .toMatch(/^trigger\.where\[0\]\.op: /);
    expect(await problem(definition([{ type: 'wait', seconds: 1 }], { trigger: { type: 'event', eventType: 'e', where: [{ performed: 'x', op: 'exists' }] } })))
      .toMatch(/^trigger\.where\[0\]\./);
    const branch = (then: unknown[]) => ({ type: 'branch', if: [{ field: 'contact.email', op: 'exists' }], then });
    expect(await problem(definition([{ type: 'wait', seconds: 1 }, { type: 'wait', seconds: 1 }, branch([{ type: 'send_email', subject: '' , text: 'x' }])])))
      .toMatch(/^steps\[2\]\.then\[0\]\.subject: /);
    expect(await problem(definition([branch([{ type: 'send_email', subject: 'Hi' }])]))).toMatch(/^steps\[0\]\.then\[0\]\.text: /);
    expect(await problem(definition([{ type: 'branch', if: [{ field: 'contact.email', op: 'gt' }], then: [] }]))).toMatch(/^steps\[0\]\.if\[0\]\.value: /);
    expect(await problem(definition([branch([branch([branch([branch([])])])])])))
      .toBe('steps[0].then[0].then[0].then[0]: branches nest at most 3 deep');
    expect(await problem(definition(Array.from({ length: 51 }, () => ({ type: 'wait', seconds: 1 }))))).toMatch(/^steps: /);

    const created = await admin('post', '/journeys').send(definition([
      branch([{ type: 'send_email', subject: 'Hi {{contact.name}}\r\nX', html: '<p>{{contact.name}} &amp; {{event.properties.plan}}</p>' }]),
    ])).expect(201);
    const id = created.body.id as string;
    expect((await admin('post', `/journeys/${id}/pause`).expect(409)).body.code).toBe('conflict');
    await admin('post', `/journeys/${id}/approve`).expect(200);
    expect((await admin('patch', `/journeys/${id}`).send({ name: 'y' }).expect(409)).body.code).toBe('conflict');

    const who = await events({ type: 'identify', userId: 'p', email: 'p@example.com', name: '<b>Bo</b>' }).expect(200);
    const contactId = who.body.results[0].contactId as string;
    const preview = await admin('post', `/journeys/${id}/preview`).send({ contactId, path: '0.then.0', eventProperties: { plan: 'Pro' } }).expect(200);
    expect(preview.body).toEqual({ subject: 'Hi <b>Bo</b> X', html: '<p>&lt;b&gt;Bo&lt;/b&gt; &amp; Pro</p>', text: '<b>Bo</b> & Pro' });
    expect(await count('messages')).toBe(0);
    expect((await admin('post', `/journeys/${id}/preview`).send({ contactId, path: '0' }).expect(400)).body.message).toMatch(/^path: /);
  });
});
