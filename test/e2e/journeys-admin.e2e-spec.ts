import { adminAuth, bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp } from '../support/app.js';
import { specApi } from '../support/api.js';
import { eventually } from '../support/smtp.js';

/** The journeys admin API, and delivery with no SMTP_URL (emails captured in the outbox). */
describe('journeys admin API', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  const { admin, events } = specApi(() => t, () => tenant);
  const track = (event: string, userId: string, messageId: string) =>
    events({ type: 'track', event, userId, messageId, email: `${userId}@example.com` }).expect(200);
  const definition = {
    name: 'Activation',
    trigger: { type: 'event', eventType: 'project.created' },
    steps: [{ type: 'send_email', subject: 'Nice project, {{contact.name}}', text: 'Plan: {{contact.attributes.plan}}' }],
  };

  beforeAll(async () => {
    t = await bootApp({ PROCESS_ROLE: 'all' });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await resetDatabase(t.db);
    tenant = await createTenant(t);
  });

  it('creates drafts, reads, lists with a cursor, and answers 404 for unknown journeys', async () => {
    const created = await admin('post', '/journeys').send(definition).expect(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: 'Activation',
      status: 'draft',
      trigger: { type: 'event', eventType: 'project.created', where: [] },
      reentry: 'once',
      exitOn: [],
      maxEventAgeSeconds: 86400,
      steps: definition.steps,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const [row] = await t.db.query('SELECT status, reentry, trigger_event_type, steps FROM journeys WHERE id = $1', [created.body.id]);
    expect(row).toEqual({ status: 'draft', reentry: 'once', trigger_event_type: 'project.created', steps: definition.steps });
    expect((await admin('get', `/journeys/${created.body.id}`).expect(200)).body).toEqual(created.body);

    await admin('post', '/journeys').send({ ...definition, name: 'Second' }).expect(201);
    const first = await admin('get', '/journeys?limit=1').expect(200);
    expect(first.body.items.map((j: { name: string }) => j.name)).toEqual(['Activation']);
    const second = await admin('get', `/journeys?limit=1&cursor=${first.body.nextCursor}`).expect(200);
    expect(second.body).toEqual({ items: [expect.objectContaining({ name: 'Second' })], nextCursor: null });

    const missing = await admin('get', '/journeys/00000000-0000-4000-8000-000000000000').expect(404);
    expect(missing.body).toEqual({ ok: false, code: 'not_found', message: 'journey not found' });
    await admin('get', '/journeys/not-a-uuid/runs').expect(404);
    await t.http().get('/admin/tenants/00000000-0000-4000-8000-000000000000/messages').set(adminAuth).expect(404);
    await t.http().get(`/admin/tenants/${tenant.tenantId}/journeys`).expect(401);
  });

  it('answers 400 naming the field for invalid definitions, and writes nothing', async () => {
    const cases: Array<[object, RegExp]> = [
      [{ ...definition, steps: [{ type: 'send_sms', text: 'x' }] }, /steps\[0\]\.type: must be one of wait, send_email/],
      [{ ...definition, steps: [definition.steps[0], { type: 'wait', seconds: -1 }] }, /^steps\[1\]\.seconds: must not be less than 0$/],
      [
        { ...definition, steps: [{ type: 'send_email', subject: 'Hi {{user.first_name}}', text: 'x' }] },
        /^steps\[0\]\.subject: uses \{\{user\.first_name\}\}, which is not a template variable/,
      ],
      [{ ...definition, trigger: { type: 'event', eventType: '' } }, /^trigger\.eventType: /],
      [{ ...definition, reentry: 'sometimes' }, /^reentry: /],
    ];
    for (const [body, message] of cases) {
      const res = await admin('post', '/journeys').send(body).expect(400);
      expect(res.body).toEqual({ ok: false, code: 'bad_request', message: expect.stringMatching(message) });
    }
    expect(await t.db.query('SELECT count(*)::int AS n FROM journeys')).toEqual([{ n: 0 }]);
  });

  it('approves, pauses and edits: only active journeys enroll, and active ones are not edited in place', async () => {
    const { body: journey } = await admin('post', '/journeys').send(definition).expect(201);
    const patched = await admin('patch', `/journeys/${journey.id}`).send({ name: 'Renamed', reentry: 'every_event' }).expect(200);
    expect(patched.body).toMatchObject({ name: 'Renamed', reentry: 'every_event', status: 'draft', steps: definition.steps });
    const bad = await admin('patch', `/journeys/${journey.id}`).send({ steps: [{ type: 'wait', seconds: -3 }] }).expect(400);
    expect(bad.body.message).toBe('steps[0].seconds: must not be less than 0');

    expect((await admin('post', `/journeys/${journey.id}/approve`).expect(200)).body.status).toBe('active');
    // Approving again is harmless; editing a live journey is refused.
    expect((await admin('post', `/journeys/${journey.id}/approve`).expect(200)).body.status).toBe('active');
    const live = await admin('patch', `/journeys/${journey.id}`).send({ name: 'Sneaky' }).expect(409);
    expect(live.body).toEqual({ ok: false, code: 'conflict', message: 'status: an active journey cannot be edited; pause it first' });

    await track('project.created', 'u1', 'm1');
    expect(await t.db.query('SELECT count(*)::int AS n FROM journey_runs')).toEqual([{ n: 1 }]);

    expect((await admin('post', `/journeys/${journey.id}/pause`).expect(200)).body.status).toBe('paused');
    await track('project.created', 'u2', 'm2');
    expect(await t.db.query('SELECT count(*)::int AS n FROM journey_runs')).toEqual([{ n: 1 }]);
    const steps = [{ type: 'wait', seconds: 60 }, { type: 'send_email', subject: 'New', text: 'Body {{contact.email}}' }];
    const edited = await admin('patch', `/journeys/${journey.id}`).send({ name: 'Edited while paused', steps }).expect(200);
    expect(edited.body).toMatchObject({ name: 'Edited while paused', status: 'paused', steps });
    const [row] = await t.db.query('SELECT name, steps FROM journeys WHERE id = $1', [journey.id]);
    expect(row).toEqual({ name: 'Edited while paused', steps });
    // The run already started keeps the steps it started with.
    const [run] = await t.db.query('SELECT definition FROM journey_runs');
    expect(run.definition).toEqual(definition.steps);

    // A draft cannot be paused (it never went live).
    const { body: draft } = await admin('post', '/journeys').send(definition).expect(201);
    const refused = await admin('post', `/journeys/${draft.id}/pause`).expect(409);
    expect(refused.body).toEqual({ ok: false, code: 'conflict', message: 'status: a draft journey cannot become paused' });

    await admin('post', `/journeys/${journey.id}/approve`).expect(200);
    await track('project.created', 'u3', 'm3');
    expect(await t.db.query('SELECT count(*)::int AS n FROM journey_runs')).toEqual([{ n: 2 }]);
  });

  it('captures emails in the outbox when SMTP_URL is unset, rendered, newest first', async () => {
    const { body: journey } = await admin('post', '/journeys').send(definition).expect(201);
    await admin('post', `/journeys/${journey.id}/approve`).expect(200);
    await events({ batch: [
      { type: 'identify', userId: 'a', email: 'a@example.com', name: 'Ann', traits: { plan: 'team' } },
      { type: 'track', event: 'project.created', userId: 'a', messageId: 'a1' },
      { type: 'identify', userId: 'b', email: 'b@example.com' },
      { type: 'track', event: 'project.created', userId: 'b', messageId: 'b1' },
    ] }).expect(200);
    const page = await eventually(async () => {
      const res = await admin('get', '/messages').expect(200);
      return res.body.items.length === 2 ? res.body : null;
    }, 10_000, 'two captured emails');
    expect(page.items.map((m: { status: string }) => m.status)).toEqual(['captured', 'captured']);
    const [{ subject, text }] = await t.db.query(`SELECT subject, text FROM messages WHERE "to" = 'a@example.com'`);
    expect({ subject, text }).toEqual({ subject: 'Nice project, Ann', text: 'Plan: team' });
    const [{ subject: unnamed }] = await t.db.query(`SELECT subject FROM messages WHERE "to" = 'b@example.com'`);
    expect(unnamed).toBe('Nice project,');
    const one = await admin('get', '/messages?limit=1').expect(200);
    const rest = await admin('get', `/messages?limit=1&cursor=${one.body.nextCursor}`).expect(200);
    expect([one.body.items[0].id, rest.body.items[0].id]).toEqual(page.items.map((m: { id: string }) => m.id));
    expect(rest.body.nextCursor).toBeNull();
  });

  it('pages runs and messages without losing rows that share a millisecond', async () => {
    // Cursors carry milliseconds; rows the database stamps must not carry finer time than that.
    const { body: journey } = await admin('post', '/journeys').send({ ...definition, reentry: 'every_event' }).expect(201);
    await admin('post', `/journeys/${journey.id}/approve`).expect(200);
    const batch = Array.from({ length: 30 }, (_, i) => ({ type: 'track', event: 'project.created', userId: `p${i}`, email: `p${i}@example.com`, messageId: `p${i}` }));
    await events({ batch }).expect(200);
    await eventually(async () => (await t.db.query('SELECT count(*)::int AS n FROM messages'))[0].n === 30, 15_000, '30 messages');
    const subMs: Array<{ n: number }> = await t.db.query(
      `SELECT count(*)::int AS n FROM (SELECT created_at FROM journey_runs UNION ALL SELECT created_at FROM messages) x
        WHERE created_at <> date_trunc('milliseconds', created_at)`,
    );
    expect(subMs).toEqual([{ n: 0 }]);
    for (const path of [`/journeys/${journey.id}/runs`, '/messages']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await admin(
          'get',
          `${path}?limit=7${cursor ? `&cursor=${cursor}` : ''}`,
        ).expect(200);
        seen.push(...res.body.items.map((r) => r.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(30);
      expect(new Set(seen).size).toBe(30);
    }
  });
});
