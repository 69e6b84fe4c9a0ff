import { EventRecorder } from '../../src/ingestion/recording/event-recorder.service.js';
import type { PreparedOp } from '../../src/common/vocabulary.js';
import { adminAuth, bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp } from '../support/app.js';
import { statementsDuring } from '../support/statements.js';
import { specApi } from '../support/api.js';

/**
 * Enrollment inside the event-recording transaction. The app runs as an API process (no
 * workers), so the jobs it schedules stay in the queue where the test can see them.
 */
describe('journey enrollment', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  const { events, count, admin } = specApi(() => t, () => tenant);
  const jobs = (): Promise<number> => count(`pgboss.job WHERE name = 'journey-step'`);

  async function liveJourney(eventType: string, reentry: 'once' | 'every_event'): Promise<string> {
    const created = await admin('post', '/journeys').send({
      name: eventType,
      trigger: { type: 'event', eventType },
      reentry,
      steps: [{ type: 'wait', seconds: 86_400 }, { type: 'send_email', subject: 'Hi', text: 'Hello {{contact.name}}' }],
    }).expect(201);
    await admin('post', `/journeys/${created.body.id}/approve`).expect(200);
    return created.body.id;
  }

  const statements = (fn: () => Promise<unknown>): Promise<string[]> => statementsDuring(fn);

  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await resetDatabase(t.db);
    tenant = await createTenant(t);
  });

  it('enrolls a batch of 100 with the same number of statements as a batch of 1', async () => {
    const journeyId = await liveJourney('report.exported', 'every_event');
    await events({ batch: Array.from({ length: 100 }, (_, i) => ({ type: 'identify', userId: `u${i}`, email: `u${i}@example.com` })) }).expect(200);
    const track = (i: number, run: string) => ({ type: 'track', event: 'report.exported', userId: `u${i}`, messageId: `${run}-${i}` });

    const one = await statements(() => events({ batch: [track(0, 'one')] }).expect(200));
    expect(await count('journey_runs WHERE journey_id = $1', [journeyId])).toBe(1);
    const hundred = await statements(() => events({ batch: Array.from({ length: 100 }, (_, i) => track(i, 'hundred')) }).expect(200));
    expect(await count('journey_runs WHERE journey_id = $1', [journeyId])).toBe(101);
    expect(await jobs()).toBe(101);

    expect(hundred.length).toBe(one.length);
    // Of those, enrollment is two: the runs, then their first steps' jobs.
    for (const seen of [one, hundred]) {
      expect(seen.filter((q) => q.includes('INSERT INTO journey_runs'))).toHaveLength(1);
      expect(seen.filter((q) => q.includes('pgboss.job'))).toHaveLength(1);
    }
  });

  it('keeps `once` by the unique index, also under concurrent requests', async () => {
    const journeyId = await liveJourney('project.created', 'once');
    await events({ type: 'identify', userId: 'racer', email: 'racer@example.com' }).expect(200);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => events({ type: 'track', event: 'project.created', userId: 'racer', messageId: `race-${i}` })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(await count('events')).toBe(10);
    expect(await count('journey_runs WHERE journey_id = $1', [journeyId])).toBe(1);
    expect(await jobs()).toBe(1);
  });

  it('enrolls nothing for unlinked events, inactive journeys or other event types', async () => {
    await liveJourney('project.created', 'every_event');
    await t.http().post(`/admin/tenants/${tenant.tenantId}/journeys`).set(adminAuth).send({
      name: 'draft', trigger: { type: 'event', eventType: 'draft.event' }, steps: [{ type: 'wait', seconds: 1 }],
    }).expect(201);
    await events({ batch: [
      { type: 'track', event: 'project.created', messageId: 'no-identity' },
      { type: 'track', event: 'draft.event', userId: 'u1', messageId: 'd1' },
      { type: 'track', event: 'project.deleted', userId: 'u1', messageId: 'x1' },
    ] }).expect(200);
    expect(await count('journey_runs')).toBe(0);
    expect(await jobs()).toBe(0);
  });

  it('enrolls events from every intake format, through the one recorder', async () => {
    const journeyId = await liveJourney('order.completed', 'every_event');
    await t.http().post('/v1/events').set('Authorization', `Bearer ${tenant.key}`).send({
      event_type: 'order.completed',
      occurred_at: new Date().toISOString(),
      idempotency_key: 'intake-1',
      data: { user_id: 'buyer', email: 'buyer@example.com' },
    }).expect(200);
    await t.http().post('/v1/track').auth(tenant.key, '').send({ userId: 'buyer', event: 'order.completed', messageId: 'segment-1' }).expect(200);
    await t.http().post(`/api/v1/s2s/event?token=${tenant.key}`).send({
      event_type: 'order.completed', event_id: 'um-1', user: { id: 'buyer' },
    }).expect(200);
    const sources = await t.db.query(
      `SELECT e.source FROM journey_runs r JOIN events e ON e.tenant_id = r.tenant_id AND e.id = r.event_id
        WHERE r.journey_id = $1 ORDER BY e.source`,
      [journeyId],
    );
    expect(sources).toEqual([{ source: 'intake' }, { source: 'segment' }, { source: 'usermaven' }]);
    expect(await jobs()).toBe(3);
  });

  it('leaves no run and no job when the recording transaction rolls back', async () => {
    await liveJourney('user.signed_up', 'once');
    const recorder = t.app.get(EventRecorder);
    const op: PreparedOp = {
      type: 'track', externalId: 'rollback', email: 'rb@example.com', name: null, traits: {}, event: 'user.signed_up',
      properties: {}, occurredAt: null, messageId: 'rb-1', warnings: [],
    };
    const inside: number[] = [];
    await expect(
      t.db.transaction(async (em) => {
        await recorder.recordIn(em, tenant.tenantId, 'events_api', [op]);
        inside.push((await em.query('SELECT count(*)::int AS n FROM journey_runs'))[0].n);
        inside.push((await em.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'journey-step'`))[0].n);
        throw new Error('the request fails after enrollment');
      }),
    ).rejects.toThrow('the request fails after enrollment');
    expect(inside).toEqual([1, 1]);
    expect(await count('journey_runs')).toBe(0);
    expect(await count('events')).toBe(0);
    expect(await jobs()).toBe(0);
  });
});
