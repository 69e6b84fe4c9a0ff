import pg from 'pg';
import { bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp } from '../support/app.js';
import { specApi } from '../support/api.js';

/**
 * The hot path is set-based (docs/operations.md#the-recording-path): what a request costs in
 * statements sent to PostgreSQL does not depend on how many ops it carries. Every statement the
 * app's connections send while one request runs is counted (the pg driver's query method,
 * observed and called through), and a batch of 100 costs what a single op costs:
 * 3 for tracks on known contacts (journey enrollment included), 7 for ops that create contacts.
 */
describe('statements per request', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  const { events, admin, count } = specApi(() => t, () => tenant);
  const sent: string[] = [];
  const sentValues: unknown[][] = [];
  const query = pg.Client.prototype.query;

  beforeAll(async () => {
    t = await bootApp();
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const first = args[0] as string | { text: string };
      sent.push(typeof first === 'string' ? first : first.text);
      sentValues.push((typeof first === 'string' ? args[1] : (first as { values?: unknown[] }).values) as unknown[]);
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
  });
  afterAll(async () => {
    pg.Client.prototype.query = query;
    await t.close();
  });
  beforeEach(async () => {
    await resetDatabase(t.db);
    tenant = await createTenant(t);
  });

  /** The statements one request sends, and its answer's statuses. */
  async function counted(body: object): Promise<{ statements: string[]; statuses: string[] }> {
    sent.length = 0;
    sentValues.length = 0;
    const res = await events(body).expect(200);
    const statements = [...sent];
    return { statements, statuses: res.body.results.map((r: { status: string }) => r.status) };
  }

  const tracks = (n: number, run: string) =>
    Array.from({ length: n }, (_, i) => ({ type: 'track', event: 'seen', userId: `u${i % 10}`, messageId: `${run}-${i}` }));

  const knownContacts = () =>
    events({ batch: Array.from({ length: 10 }, (_, i) => ({ type: 'identify', userId: `u${i}`, email: `u${i}@example.com` })) }).expect(200);

  it('records a batch of 100 tracks on known contacts in 3 statements, as a single track, when no journey is concerned', async () => {
    await knownContacts();
    // Journeys that cannot be concerned: a draft one on the type, an active one on another type.
    await admin('post', '/journeys').send({ name: 'draft', trigger: { type: 'event', eventType: 'seen' }, steps: [{ type: 'wait', seconds: 60 }] }).expect(201);
    const other = await admin('post', '/journeys')
      .send({ name: 'other', trigger: { type: 'event', eventType: 'other' }, exitOn: ['another'], steps: [{ type: 'wait', seconds: 60 }] })
      .expect(201);
    await admin('post', `/journeys/${other.body.id}/approve`).expect(200);
    const single = await counted(tracks(1, 'one')[0]);
    const batch = await counted({ batch: tracks(100, 'many') });
    expect(single.statuses).toEqual(['ok']);
    expect(batch.statuses).toEqual(Array(100).fill('ok'));
    // key check + rate-limit take, the read (it finds no journey concerned), the write (atomic by itself: no transaction)
    expect(single.statements).toHaveLength(3);
    expect(batch.statements).toHaveLength(3);
    expect(batch.statements.some((s) => /^(START|BEGIN|COMMIT)/.test(s.trim()))).toBe(false);
    expect(batch.statements.map((s) => s.trim().split(/\s+/)[0])).toEqual(single.statements.map((s) => s.trim().split(/\s+/)[0]));
    expect(batch.statements.some((s) => s.includes('INSERT INTO journey_runs'))).toBe(false);

    // The same batch again: every op a duplicate. The first read skips the duplicate read, the
    // write finds the message ids recorded and writes nothing, and the read again finds them:
    // 4 statements, whatever the batch size, and not one event or counter more.
    const before = await count(`events WHERE tenant_id = $1`, [tenant.tenantId]);
    const health = (await admin('get', '/ingestion-health').expect(200)).body;
    const again = await counted({ batch: tracks(100, 'many') });
    expect(again.statuses).toEqual(Array(100).fill('duplicate'));
    expect(again.statements).toHaveLength(4);
    const one = await counted(tracks(1, 'one')[0]);
    expect(one.statuses).toEqual(['duplicate']);
    expect(one.statements).toHaveLength(4);
    expect(await count(`events WHERE tenant_id = $1`, [tenant.tenantId])).toBe(before);
    expect((await admin('get', '/ingestion-health').expect(200)).body).toEqual(health);
  });

  it('enrolls and exits in the write itself when an active journey triggers on the type, or exits on it: still 3 statements', async () => {
    await knownContacts();
    const trigger = await admin('post', '/journeys')
      .send({ name: 'on seen', reentry: 'every_event', trigger: { type: 'event', eventType: 'seen' }, steps: [{ type: 'wait', seconds: 60 }] })
      .expect(201);
    await admin('post', `/journeys/${trigger.body.id}/approve`).expect(200);
    const single = await counted(tracks(1, 'one')[0]);
    const batch = await counted({ batch: tracks(100, 'many') });
    expect(batch.statuses).toEqual(Array(100).fill('ok'));
    // key check, the read, the write with the enrollment and the first steps' jobs (atomic by itself: no transaction)
    expect(single.statements).toHaveLength(3);
    expect(batch.statements).toHaveLength(3);
    expect(batch.statements.some((s) => /^(START|BEGIN|COMMIT)/.test(s.trim()))).toBe(false);
    const write = batch.statements[2];
    for (const part of ['INSERT INTO events', 'INSERT INTO journey_runs', 'INSERT INTO pgboss.job']) expect(write).toContain(part);
    expect(await count(`pgboss.job WHERE name = 'journey-step' AND data->>'tenantId' = $1`, [tenant.tenantId])).toBe(101);
    expect(await count(`journey_runs WHERE tenant_id = $1`, [tenant.tenantId])).toBe(101);

    // A journey that only exits on the type concerns the batch too (its runs end).
    await admin('post', `/journeys/${trigger.body.id}/pause`).expect(200);
    const exits = await admin('post', '/journeys')
      .send({ name: 'exits', trigger: { type: 'event', eventType: 'other' }, exitOn: ['seen'], steps: [{ type: 'wait', seconds: 60 }] })
      .expect(201);
    await admin('post', `/journeys/${exits.body.id}/approve`).expect(200);
    await events({ type: 'track', event: 'other', userId: 'u0', messageId: 'start' }).expect(200);
    const exit = await counted(tracks(1, 'exit')[0]);
    // key check, the read, the write with the exits (no journey can start a run for it: the exits alone)
    expect(exit.statements).toHaveLength(3);
    expect(exit.statements[2]).toContain('UPDATE journey_runs');
    expect(exit.statements[2]).not.toContain('INSERT INTO journey_runs');
    expect(exit.statements[2]).not.toContain('INSERT INTO pgboss.job');
    expect(await count(`journey_runs WHERE journey_id = $1 AND status = 'exited'`, [exits.body.id])).toBe(1);
  });

  it('writes a batch without the enrollment when no journey it triggers can start a run for it', async () => {
    await knownContacts();
    const once = await admin('post', '/journeys').send({ name: 'once', trigger: { type: 'event', eventType: 'seen' }, steps: [{ type: 'wait', seconds: 60 }] }).expect(201);
    await admin('post', `/journeys/${once.body.id}/approve`).expect(200);
    const runs = (journeyId: string = once.body.id) => count(`journey_runs WHERE journey_id = $1`, [journeyId]);
    const enrolling = (statements: string[]) => statements.some((s) => s.includes('INSERT INTO journey_runs'));

    // u0..u8 enter; u9 has not: the batch over all ten goes through the enrollment, and u9 enters.
    await events({ batch: tracks(9, 'first') }).expect(200);
    expect(await runs()).toBe(9);
    const mixed = await counted({ batch: tracks(100, 'mixed') });
    expect(mixed.statements).toHaveLength(3);
    expect(enrolling(mixed.statements)).toBe(true);
    expect(await runs()).toBe(10);

    // Everyone has entered: the same 3 statements, the write without the enrollment, no run more.
    const entered = await counted({ batch: tracks(100, 'entered') });
    expect(entered.statuses).toEqual(Array(100).fill('ok'));
    expect(entered.statements).toHaveLength(3);
    expect(enrolling(entered.statements)).toBe(false);
    expect(await runs()).toBe(10);

    // A new contact in the batch brings the enrollment back.
    const withNew = await counted({ batch: [...tracks(10, 'again'), { type: 'track', event: 'seen', userId: 'newcomer', messageId: 'n-1' }] });
    expect(enrolling(withNew.statements)).toBe(true);
    expect(await runs()).toBe(11);

    // A journey filtered on the event's properties: left out while no event passes; taken when one does.
    const onEvent = await admin('post', '/journeys')
      .send({ name: 'on event', trigger: { type: 'event', eventType: 'seen', where: [{ field: 'event.properties.n', op: 'gt', value: 1 }] }, steps: [{ type: 'wait', seconds: 60 }] })
      .expect(201);
    await admin('post', `/journeys/${onEvent.body.id}/approve`).expect(200);
    const withN = (n: number, run: string) => tracks(10, run).map((op) => ({ ...op, properties: { n } }));
    expect(enrolling((await counted({ batch: withN(1, 'small') })).statements)).toBe(false);
    expect(await runs(onEvent.body.id)).toBe(0);
    expect(enrolling((await counted({ batch: [...withN(1, 'mixed-n'), { ...tracks(1, 'big')[0], userId: 'u4', properties: { n: 2 } }] })).statements)).toBe(true);
    expect(await count(`journey_runs r JOIN contacts c ON c.id = r.contact_id WHERE r.journey_id = $1 AND c.external_id = 'u4'`, [onEvent.body.id])).toBe(1);
    expect(await runs(onEvent.body.id)).toBe(1);
    await admin('post', `/journeys/${onEvent.body.id}/pause`).expect(200);

    // Events older than the journey's age limit: left out.
    const old = new Date(Date.now() - 3 * 86_400_000).toISOString();
    await events({ type: 'identify', userId: 'late', email: 'late@example.com' }).expect(200);
    expect(enrolling((await counted({ batch: [{ type: 'track', event: 'seen', userId: 'late', messageId: 'late-1', timestamp: old }] })).statements)).toBe(false);
    expect(await runs()).toBe(11);
    expect(enrolling((await counted({ batch: [{ type: 'track', event: 'seen', userId: 'late', messageId: 'late-2' }] })).statements)).toBe(true);
    expect(await runs()).toBe(12);

    // A journey filtered on the contact: left out while no contact of the batch passes, as the read finds them.
    const onContact = await admin('post', '/journeys')
      .send({ name: 'on contact', trigger: { type: 'event', eventType: 'seen', where: [{ field: 'contact.attributes.plan', op: 'eq', value: 'trial' }] }, steps: [{ type: 'wait', seconds: 60 }] })
      .expect(201);
    await admin('post', `/journeys/${onContact.body.id}/approve`).expect(200);
    expect(enrolling((await counted({ batch: tracks(10, 'no-plan') })).statements)).toBe(false);
    await events({ type: 'identify', userId: 'u7', traits: { plan: 'trial' } }).expect(200);
    expect(enrolling((await counted({ batch: tracks(10, 'plan') })).statements)).toBe(true);
    expect(await count(`journey_runs r JOIN contacts c ON c.id = r.contact_id WHERE r.journey_id = $1 AND c.external_id = 'u7'`, [onContact.body.id])).toBe(1);
    expect(await runs(onContact.body.id)).toBe(1);
  });

  it('looks up the connector rows of contacts only until it has seen them committed', async () => {
    await knownContacts();
    await counted({ batch: tracks(10, 'warm') });
    const write = () => sentValues[sent.findIndex((s) => s.includes('INSERT INTO contact_connectors'))];
    // $17: the contacts whose connector row the write may have to add. Seen committed: none is looked up.
    const again = await counted({ batch: tracks(10, 'again') });
    expect(again.statuses).toEqual(Array(10).fill('ok'));
    expect(write()[16]).toBe('{}');
    // A contact new to the tenant is, and it is counted once in ingestion health.
    await counted({ batch: [{ type: 'track', event: 'seen', userId: 'fresh', messageId: 'f-1' }] });
    expect(String(write()[16])).toMatch(/^\{"?[0-9a-f-]{36}"?\}$/);
    await counted({ batch: [{ type: 'track', event: 'seen', userId: 'fresh', messageId: 'f-2' }] });
    expect(write()[16]).toBe('{}');
    const health = await admin('get', '/ingestion-health').expect(200);
    expect(health.body.connectors.events_api.contacts).toBe(11);
  });

  it('records a batch of 100 identifies that create contacts in 7 statements, as a single one', async () => {
    const identifies = (n: number, run: string) =>
      Array.from({ length: n }, (_, i) => ({ type: 'identify', userId: `${run}${i}`, email: `${run}${i}@example.com`, traits: { i } }));
    const single = await counted(identifies(1, 'a')[0]);
    const batch = await counted({ batch: identifies(100, 'b') });
    expect(single.statuses).toEqual(['ok']);
    expect(batch.statuses).toEqual(Array(100).fill('ok'));
    // key check + take, the read, START TRANSACTION, the identity locks, the read again under them, the write, COMMIT
    expect(single.statements).toHaveLength(7);
    expect(batch.statements).toHaveLength(7);
    const [row] = await t.db.query('SELECT count(*)::int AS n FROM contacts WHERE tenant_id = $1', [tenant.tenantId]);
    expect(row.n).toBe(101);
  });
});
