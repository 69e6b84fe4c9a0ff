import { adminAuth, bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp } from '../support/app.js';
import { statementsDuring } from '../support/statements.js';
import { specApi } from '../support/api.js';
import { eventually, type ReceivedMail, startSmtp, type TestSmtp } from '../support/smtp.js';
import { configureSecrets, deliver, fixture } from '../support/webhooks.js';

/**
 * Data rights end to end (docs/data-rights.md): erase, suppressions, consent, export, merge and
 * aliases, on the real database, with journey workers in the app and a real SMTP server.
 */
describe('data rights', () => {
  let smtp: TestSmtp;
  let t: TestApp;
  let tenant: TenantFixture;
  const { events, admin, rows, count, contactByExternalId } = specApi(() => t, () => tenant);
  const send = (body: object) => events(body).expect(200);
  const mailsTo = (email: string): ReceivedMail[] => smtp.received.filter((m) => m.to.includes(email));

  async function liveJourney(eventType: string, steps: object[], reentry: 'once' | 'every_event' = 'every_event'): Promise<string> {
    const created = await admin('post', '/journeys').send({ name: `on ${eventType}`, trigger: { type: 'event', eventType }, reentry, steps }).expect(201);
    await admin('post', `/journeys/${created.body.id}/approve`).expect(200);
    return created.body.id;
  }
  const hello = { type: 'send_email', subject: 'Hello {{contact.name}}', text: 'Hi from {{event.type}}.' };

  /** The outbox rows of a journey, oldest first. */
  const outbox = (journeyId: string) =>
    rows<{ to: string | null; status: string; reason: string | null; contact_id: string | null }>(
      'SELECT "to", status, reason, contact_id FROM messages WHERE journey_id = $1 ORDER BY created_at, id',
      [journeyId],
    );
  const settled = (journeyId: string, n: number) =>
    eventually(async () => {
      const m = await outbox(journeyId);
      return m.length >= n && m.every((x) => x.status !== 'sending' && x.status !== 'deferred') ? m : null;
    }, 15_000, `${n} settled messages`);

  const statements = (fn: () => Promise<unknown>): Promise<string[]> => statementsDuring(fn, { except: /pgboss/ });

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
  });

  describe('suppressions (docs/data-rights.md#suppressions)', () => {
    it('lists hashes only, keyed per tenant; adds by email, keeps the first entry, lifts', async () => {
      const added = await admin('post', '/suppressions').send({ email: '  Bounce@Example.com ', reason: 'hard bounce' }).expect(201);
      expect(added.body).toEqual({ emailHash: expect.stringMatching(/^[0-9a-f]{64}$/), reason: 'hard bounce', createdAt: expect.any(String) });
      const again = await admin('post', '/suppressions').send({ email: 'bounce@example.com', reason: 'other' }).expect(201);
      expect(again.body).toEqual(added.body);

      const list = await admin('get', '/suppressions').expect(200);
      expect(list.body).toEqual({ items: [added.body], nextCursor: null });
      expect(JSON.stringify(list.body)).not.toContain('bounce@');
      expect(JSON.stringify(await rows('SELECT * FROM suppressions'))).not.toContain('bounce@');

      // Another tenant's hash of the same address is a different value: the lists cannot be joined.
      const other = await createTenant(t, 'Other');
      const theirs = await t.http().post(`/admin/tenants/${other.tenantId}/suppressions`).set(adminAuth)
        .send({ email: 'bounce@example.com' }).expect(201);
      expect(theirs.body.emailHash).not.toBe(added.body.emailHash);

      await admin('delete', `/suppressions/${encodeURIComponent('Bounce@example.com')}`).expect(204);
      expect((await admin('get', '/suppressions').expect(200)).body.items).toEqual([]);
      const missing = await admin('delete', `/suppressions/${encodeURIComponent('bounce@example.com')}`).expect(404);
      expect(missing.body).toEqual({ ok: false, code: 'not_found', message: 'suppression not found' });
    });

    it('refuses a bad email or reason, naming the field, and writes nothing', async () => {
      const bad = await admin('post', '/suppressions').send({ email: 'not-an-email' }).expect(400);
      expect(bad.body).toMatchObject({ ok: false, code: 'bad_request', message: expect.stringContaining('email') });
      const long = await admin('post', '/suppressions').send({ email: 'a@example.com', reason: 'x'.repeat(201) }).expect(400);
      expect(long.body.message).toContain('reason');
      expect(await count('suppressions')).toBe(0);
    });

    it('blocks a send to a suppressed address at send time (`suppressed`); once lifted, the email goes out', async () => {
      const journeyId = await liveJourney('report.exported', [hello]);
      await send({ type: 'identify', userId: 'u1', email: 'bounce@example.com', name: 'Bo' });
      await admin('post', '/suppressions').send({ email: 'bounce@example.com', reason: 'hard bounce' }).expect(201);
      await send({ type: 'track', event: 'report.exported', userId: 'u1', messageId: 'm1' });
      expect(await settled(journeyId, 1)).toEqual([expect.objectContaining({ status: 'blocked', reason: 'suppressed' })]);

      await admin('delete', '/suppressions/bounce%40example.com').expect(204);
      await send({ type: 'track', event: 'report.exported', userId: 'u1', messageId: 'm2' });
      const [mail] = await eventually(() => (mailsTo('bounce@example.com').length ? mailsTo('bounce@example.com') : null), 15_000, 'the email');
      expect(mail.headers.subject).toBe('Hello Bo');
      expect((await settled(journeyId, 2)).map((m) => m.status)).toEqual(['blocked', 'sent']);
    });
  });

  describe('consent (docs/data-rights.md#consent)', () => {
    it('stays withdrawn when an identify brings the same email again; journeys block `no_consent`; the route grants it again', async () => {
      const journeyId = await liveJourney('report.exported', [hello]);
      const contactId = (await send({ type: 'identify', userId: 'u1', email: 'ada@example.com', name: 'Ada' })).body.results[0].contactId;
      expect((await contactByExternalId('u1')).consent).toMatchObject({ status: 'granted', source: 'events_api' });

      const withdrawn = await admin('put', `/contacts/${contactId}/consent`).send({ status: 'withdrawn' }).expect(200);
      expect(withdrawn.body).toMatchObject({ id: contactId, consent: { status: 'withdrawn', source: 'admin', at: expect.any(String) } });

      // Intake on two paths carrying the email again does not grant it again.
      await send({ type: 'identify', userId: 'u1', email: 'ada@example.com', name: 'Ada L.' });
      await send({ type: 'identify', email: 'ada@example.com' });
      await t.http().post('/v1/identify').set('Authorization', `Basic ${Buffer.from(`${tenant.key}:`).toString('base64')}`)
        .send({ userId: 'u1', traits: { email: 'ada@example.com' } }).expect(200);
      expect((await contactByExternalId('u1')).consent).toMatchObject({ status: 'withdrawn', source: 'admin' });

      await send({ type: 'track', event: 'report.exported', userId: 'u1', messageId: 'm1' });
      expect(await settled(journeyId, 1)).toEqual([expect.objectContaining({ status: 'blocked', reason: 'no_consent' })]);

      const granted = await admin('put', `/contacts/${contactId}/consent`).send({ status: 'granted' }).expect(200);
      expect(granted.body.consent).toMatchObject({ status: 'granted', source: 'admin' });
      await send({ type: 'track', event: 'report.exported', userId: 'u1', messageId: 'm2' });
      await eventually(() => mailsTo('ada@example.com').length === 1, 15_000, 'the email after consent');
    });

    it('answers 400 naming status, 404 for an unknown contact', async () => {
      const contactId = (await send({ type: 'identify', userId: 'u1', email: 'ada@example.com' })).body.results[0].contactId;
      const bad = await admin('put', `/contacts/${contactId}/consent`).send({ status: 'maybe' }).expect(400);
      expect(bad.body.message).toContain('status');
      await admin('put', '/contacts/00000000-0000-4000-8000-000000000000/consent').send({ status: 'withdrawn' }).expect(404);
    });
  });

  describe('erase (docs/data-rights.md#erase)', () => {
    it('erases the contact and what is tied to it in one go; re-ingesting starts a new contact that journeys cannot email', async () => {
      await configureSecrets(t, tenant.tenantId);
      const journeyId = await liveJourney('report.exported', [hello]);
      await send({ type: 'identify', userId: 'u_42', email: 'ada@example.com', name: 'Ada' });
      await send({ type: 'track', event: 'report.exported', userId: 'u_42', messageId: 'm1', properties: { secret: 'diary' } });
      // A Stripe webhook links cus_RbAda42 to the contact (metadata.userId u_42).
      await deliver(t, 'stripe', tenant.tenantId, fixture('stripe', 'customer.subscription.created')).expect(200);
      await eventually(() => mailsTo('ada@example.com').length === 1, 15_000, 'the first email');
      await settled(journeyId, 1);
      const contact = await contactByExternalId('u_42');
      expect(await count('provider_customers WHERE contact_id = $1', [contact.id])).toBe(1);
      expect(await count('contact_connectors WHERE contact_id = $1', [contact.id])).toBe(2);

      await admin('delete', `/contacts/${contact.id}`).expect(204);

      await admin('get', `/contacts/${contact.id}`).expect(404);
      await admin('get', `/contacts/${contact.id}/events`).expect(404);
      await admin('get', `/contacts/${contact.id}/export`).expect(404);
      await admin('delete', `/contacts/${contact.id}`).expect(404);
      expect((await admin('get', '/contacts?externalId=u_42').expect(200)).body.items).toEqual([]);
      for (const table of ['events', 'contact_connectors', 'provider_customers', 'journey_runs', 'contact_aliases']) {
        expect([table, await count(`${table} WHERE contact_id = $1`, [contact.id])]).toEqual([table, 0]);
      }
      expect(await count('events')).toBe(0);
      // The outbox keeps the row, without the address, subject, body or links.
      expect(await rows('SELECT "to", subject, text, run_id, contact_id, status FROM messages')).toEqual([
        { to: 'erased', subject: 'erased', text: 'erased', run_id: null, contact_id: null, status: 'sent' },
      ]);
      const outboxJson = JSON.stringify((await admin('get', '/messages').expect(200)).body);
      expect(outboxJson).not.toContain('ada@');
      expect(outboxJson).not.toContain('Ada');
      // Nothing readable through the runs route either.
      expect((await admin('get', `/journeys/${journeyId}/runs`).expect(200)).body.items).toEqual([]);
      const suppressions = (await admin('get', '/suppressions').expect(200)).body.items;
      expect(suppressions).toEqual([{ emailHash: expect.stringMatching(/^[0-9a-f]{64}$/), reason: 'erased', createdAt: expect.any(String) }]);

      // The same id and email again: a new contact, and journey email to it is blocked.
      const again = await send({ batch: [
        { type: 'identify', userId: 'u_42', email: 'ada@example.com', name: 'Ada' },
        { type: 'track', event: 'report.exported', userId: 'u_42', messageId: 'm2' },
      ] });
      const newId = again.body.results[0].contactId;
      expect(newId).not.toBe(contact.id);
      expect((await contactByExternalId('u_42')).id).toBe(newId);
      const [, second] = await settled(journeyId, 2);
      expect(second).toEqual({ to: 'ada@example.com', status: 'blocked', reason: 'suppressed', contact_id: newId });
      expect(mailsTo('ada@example.com')).toHaveLength(1);
    });

    it('leaves a waiting run nothing to do: its step job wakes up and sends nothing', async () => {
      const journeyId = await liveJourney('report.exported', [{ type: 'wait', seconds: 2 }, hello]);
      const res = await send({ batch: [
        { type: 'identify', userId: 'u1', email: 'wait@example.com' },
        { type: 'track', event: 'report.exported', userId: 'u1', messageId: 'm1' },
      ] });
      const contactId = res.body.results[0].contactId;
      const [run] = await eventually(async () => {
        const r = await rows<{ id: string; status: string }>('SELECT id, status FROM journey_runs WHERE journey_id = $1', [journeyId]);
        return r[0]?.status === 'waiting' ? r : null;
      }, 10_000, 'the waiting run');

      await admin('delete', `/contacts/${contactId}`).expect(204);
      expect(await count('journey_runs')).toBe(0);
      // The send step's job was scheduled for after the wait; it runs, finds no run, and completes.
      await eventually(async () => {
        const jobs = await rows<{ state: string }>(
          `SELECT state FROM pgboss.job WHERE name = 'journey-step' AND data->>'runId' = $1 AND (data->>'step')::int = 1`,
          [run.id],
        );
        return jobs.length === 1 && jobs[0].state === 'completed';
      }, 15_000, 'the woken step job');
      expect(await count('messages')).toBe(0);
      expect(smtp.received).toHaveLength(0);
    });
  });

  describe('ingestion health after erase and merge (docs/operations.md#ingestion-health)', () => {
    const health = async () => (await admin('get', '/ingestion-health').expect(200)).body.connectors.events_api;

    it('counts an erased contact and its events out, and a merged pair as one contact', async () => {
      await send({ batch: [
        { type: 'identify', userId: 'a', email: 'a@example.com' },
        { type: 'identify', userId: 'b', email: 'b@example.com' },
        { type: 'identify', userId: 'c', email: 'c@example.com' },
        { type: 'track', event: 'x', userId: 'a', messageId: 'a1' },
        { type: 'track', event: 'x', userId: 'a', messageId: 'a2' },
        { type: 'track', event: 'x', userId: 'b', messageId: 'b1' },
        { type: 'track', event: 'x', userId: 'c', messageId: 'c1' },
      ] });
      expect(await health()).toMatchObject({ contacts: 3, events: 4 });

      await admin('delete', `/contacts/${(await contactByExternalId('a')).id}`).expect(204);
      expect(await health()).toMatchObject({ contacts: 2, events: 2 });

      const b = await contactByExternalId('b');
      await admin('post', `/contacts/${b.id}/merge`).send({ from: (await contactByExternalId('c')).id }).expect(200);
      expect(await health()).toMatchObject({ contacts: 1, events: 2 });
      // The counters agree with the rows they stand for.
      expect(await count('contact_connectors')).toBe(1);
      expect(await count('events')).toBe(2);
    });
  });

  describe('export (docs/data-rights.md#export)', () => {
    it('streams everything held about the contact, reading its events page by page', async () => {
      const journeyId = await liveJourney('report.exported', [hello], 'once');
      await send({ type: 'identify', userId: 'u1', email: 'ada@example.com', name: 'Ada', traits: { plan: 'pro' } });
      const total = 1_201;
      // Recent enough for the journey's maxEventAgeSeconds (one day, docs/journeys.md): it enrolls once.
      const t0 = Date.now() - (total + 60) * 1000;
      for (let start = 0; start < total; start += 100) {
        const batch = Array.from({ length: Math.min(100, total - start) }, (_, i) => ({
          type: 'track', event: 'report.exported', userId: 'u1', messageId: `m${start + i}`,
          timestamp: new Date(t0 + (start + i) * 1000).toISOString(), properties: { n: start + i },
        }));
        await send({ batch });
      }
      await send({ type: 'track', event: 'other.thing', userId: 'u2', messageId: 'not-mine' });
      await settled(journeyId, 1);
      const contact = await contactByExternalId('u1');

      let res: Awaited<ReturnType<ReturnType<typeof admin>['expect']>> | undefined;
      const seen = await statements(async () => {
        res = await admin('get', `/contacts/${contact.id}/export`).expect(200).expect('Content-Type', /application\/json/);
      });
      const body = res!.body;
      expect(Object.keys(body)).toEqual(['contact', 'events', 'runs', 'messages']);
      expect(body.contact).toEqual((await admin('get', `/contacts/${contact.id}`).expect(200)).body);
      expect(body.events).toHaveLength(total);
      expect(body.events.map((e: { properties: { n: number } }) => e.properties.n)).toEqual(Array.from({ length: total }, (_, i) => i));
      expect(body.events[0]).toEqual({
        id: expect.any(String), type: 'report.exported', properties: { n: 0 }, occurredAt: new Date(t0).toISOString(),
        receivedAt: expect.any(String), messageId: 'm0', source: 'events_api', backfill: false,
      });
      expect(body.runs).toEqual([
        expect.objectContaining({ journeyId, contactId: contact.id, status: 'completed', steps: [expect.objectContaining({ status: 'sent' })] }),
      ]);
      expect(body.messages).toEqual([
        expect.objectContaining({ journeyId, contactId: contact.id, to: 'ada@example.com', subject: 'Hello Ada', text: 'Hi from report.exported.', status: 'sent' }),
      ]);
      // Paged inside the server: 1,201 events take three reads of the events table.
      expect(seen.filter((q) => /FROM "events"/.test(q))).toHaveLength(3);
      await admin('get', '/contacts/00000000-0000-4000-8000-000000000000/export').expect(404);
    });
  });

  describe('merge and aliases (docs/data-rights.md#merge-and-aliases)', () => {
    async function pair(): Promise<{ survivor: string; from: string }> {
      await configureSecrets(t, tenant.tenantId);
      const res = await send({ batch: [
        { type: 'identify', userId: 'u_main', email: 'main@example.com', name: 'Main', traits: { plan: 'pro', seats: 3 } },
        { type: 'identify', userId: 'u_42', email: 'ada@example.com', name: 'Other', traits: { plan: 'free', company: 'Acme' } },
        { type: 'track', event: 'a.main', userId: 'u_main', messageId: 'a1' },
        { type: 'track', event: 'b.other', userId: 'u_42', messageId: 'b1' },
      ] });
      return { survivor: res.body.results[0].contactId, from: res.body.results[1].contactId };
    }

    it('moves events, connector and provider links and runs; survivor attributes win; the other answers 404', async () => {
      const onceJourney = await liveJourney('b.other', [{ type: 'wait', seconds: 0 }], 'once');
      const { survivor, from } = await pair();
      await deliver(t, 'stripe', tenant.tenantId, fixture('stripe', 'customer.subscription.created')).expect(200);
      await eventually(async () => (await count('journey_runs WHERE journey_id = $1', [onceJourney])) === 1, 5000, 'the once run');

      const merged = await admin('post', `/contacts/${survivor}/merge`).send({ from }).expect(200);
      expect(merged.body).toMatchObject({
        id: survivor, externalId: 'u_main', email: 'main@example.com', name: 'Main',
        attributes: { plan: 'pro', seats: 3, company: 'Acme' },
      });
      await admin('get', `/contacts/${from}`).expect(404);
      expect(await count('contacts')).toBe(1);
      expect(await count('events WHERE contact_id = $1', [survivor])).toBe(3);
      expect(await count('provider_customers WHERE contact_id = $1', [survivor])).toBe(1);
      expect(await rows('SELECT connector FROM contact_connectors WHERE contact_id = $1 ORDER BY connector', [survivor]))
        .toEqual([{ connector: 'events_api' }, { connector: 'stripe' }]);
      expect(await rows('SELECT contact_id, once_key FROM journey_runs')).toEqual([{ contact_id: survivor, once_key: survivor }]);
      expect(await rows('SELECT kind, value, contact_id FROM contact_aliases ORDER BY kind')).toEqual([
        { kind: 'email', value: 'ada@example.com', contact_id: survivor },
        { kind: 'external_id', value: 'u_42', contact_id: survivor },
      ]);

      // A `once` journey the other contact had does not run again for the survivor.
      await send({ type: 'track', event: 'b.other', userId: 'u_main', messageId: 'b2' });
      expect(await count('journey_runs WHERE journey_id = $1', [onceJourney])).toBe(1);
    });

    it('refuses itself (400), an unknown or malformed `from` (404, 400), and an unknown survivor (404)', async () => {
      const { survivor } = await pair();
      const self = await admin('post', `/contacts/${survivor}/merge`).send({ from: survivor.toUpperCase() }).expect(400);
      expect(self.body).toEqual({ ok: false, code: 'bad_request', message: 'from: must be another contact than the one in the path' });
      const unknown = await admin('post', `/contacts/${survivor}/merge`).send({ from: '00000000-0000-4000-8000-000000000000' }).expect(404);
      expect(unknown.body.message).toContain('from');
      const malformed = await admin('post', `/contacts/${survivor}/merge`).send({ from: 'nope' }).expect(400);
      expect(malformed.body.message).toContain('from');
      await admin('post', '/contacts/00000000-0000-4000-8000-000000000000/merge').send({ from: survivor }).expect(404);
      expect(await count('contacts')).toBe(2);
    });

    it('keeps both runs of a `once` journey both contacts had, and starts no third', async () => {
      const onceJourney = await liveJourney('x.both', [{ type: 'wait', seconds: 0 }], 'once');
      const { survivor, from } = await pair();
      await send({ batch: [
        { type: 'track', event: 'x.both', userId: 'u_main', messageId: 'x1' },
        { type: 'track', event: 'x.both', userId: 'u_42', messageId: 'x2' },
      ] });
      expect(await count('journey_runs WHERE journey_id = $1', [onceJourney])).toBe(2);
      await admin('post', `/contacts/${survivor}/merge`).send({ from }).expect(200);
      expect(await count('journey_runs WHERE journey_id = $1 AND contact_id = $2', [onceJourney, survivor])).toBe(2);
      await send({ type: 'track', event: 'x.both', userId: 'u_42', messageId: 'x3' });
      await send({ type: 'track', event: 'x.both', userId: 'u_main', messageId: 'x4' });
      expect(await count('journey_runs WHERE journey_id = $1', [onceJourney])).toBe(2);
    });

    it("resolves the other contact's id and email to the survivor from the Events API, Segment and a Stripe webhook", async () => {
      const { survivor, from } = await pair();
      await admin('post', `/contacts/${survivor}/merge`).send({ from }).expect(200);

      const api = await send({ batch: [
        { type: 'track', event: 'by.id', userId: 'u_42', messageId: 'e1' },
        { type: 'track', event: 'by.email', email: 'ADA@example.com', messageId: 'e2' },
        { type: 'identify', userId: 'u_42', email: 'ada@example.com', traits: { seen: true } },
      ] });
      expect(api.body.results.map((r: { contactId: string }) => r.contactId)).toEqual([survivor, survivor, survivor]);

      await t.http().post('/v1/track').set('Authorization', `Basic ${Buffer.from(`${tenant.key}:`).toString('base64')}`)
        .send({ userId: 'u_42', event: 'Segment Thing', messageId: 'seg-1' }).expect(200);
      await deliver(t, 'stripe', tenant.tenantId, fixture('stripe', 'customer.subscription.created')).expect(200);

      expect(await count('contacts')).toBe(1);
      const after = (await admin('get', `/contacts/${survivor}`).expect(200)).body;
      // Aliases never change the survivor's own identity.
      expect(after).toMatchObject({ externalId: 'u_main', email: 'main@example.com', attributes: expect.objectContaining({ seen: true }) });
      expect(await rows('SELECT type, source FROM events WHERE contact_id = $1 ORDER BY received_at, type', [survivor])).toEqual(
        expect.arrayContaining([
          { type: 'by.id', source: 'events_api' },
          { type: 'by.email', source: 'events_api' },
          { type: 'Segment Thing', source: 'segment' },
          expect.objectContaining({ source: 'stripe' }),
        ]),
      );
      expect(await count('events WHERE contact_id IS DISTINCT FROM $1', [survivor])).toBe(0);
      expect(await count('provider_customers WHERE contact_id = $1', [survivor])).toBe(1);
    });

    it('loses no event of batches in flight for the merged-away contact: all end on the survivor', async () => {
      const { survivor, from } = await pair();
      const batches = Array.from({ length: 8 }, (_, b) => ({
        batch: Array.from({ length: 100 }, (_, i) => ({ type: 'track', event: 'in.flight', userId: 'u_42', messageId: `f${b}-${i}` })),
      }));
      const inFlight = batches.map((body) => events(body));
      const [merged, ...answers] = await Promise.all([
        new Promise((r) => setTimeout(r, 20)).then(() => admin('post', `/contacts/${survivor}/merge`).send({ from })),
        ...inFlight,
      ]);
      expect(merged.status).toBe(200);
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
      expect(await count(`events WHERE type = 'in.flight'`)).toBe(800);
      expect(await count(`events WHERE type = 'in.flight' AND contact_id = $1`, [survivor])).toBe(800);
      expect(await count('contacts')).toBe(1);
      // Each op answered with the contact its event is on now or was on before the merge moved it.
      for (const a of answers) {
        for (const r of a.body.results as Array<{ contactId: string }>) expect([survivor, from]).toContain(r.contactId);
      }
    });

    it('resolves anew a request that read the merged-away contact before the merge and writes after it', async () => {
      const { survivor: a, from: b } = await pair();
      // The merge locks its two rows in id order: `from` is the lower id, so the merge holds it
      // while it waits for the survivor's row, which this test holds meanwhile.
      const [from, survivor] = [a, b].sort();
      const fromId = (await rows<{ external_id: string }>('SELECT external_id FROM contacts WHERE id = $1', [from]))[0].external_id;
      const holder = t.db.createQueryRunner();
      await holder.connect();
      await holder.startTransaction();
      try {
        await holder.query('SELECT 1 FROM contacts WHERE id = $1 FOR SHARE', [survivor]);
        const merging = admin('post', `/contacts/${survivor}/merge`).send({ from }).then((r) => r);
        const waiting = () => rows<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        ).then((r) => r[0].n);
        await eventually(async () => (await waiting()) >= 1, 10_000, 'the merge waiting on the held row');
        // This request reads `from` (the merge has not committed) and then waits on its row lock.
        const recording = events({ batch: [
          { type: 'identify', userId: fromId, traits: { late: 'yes' } },
          { type: 'track', event: 'late.event', userId: fromId, messageId: 'late-1' },
        ] }).then((r) => r);
        await eventually(async () => (await waiting()) >= 2, 10_000, 'the request waiting on the merge');
        await holder.commitTransaction();
        const [merged, recorded] = await Promise.all([merging, recording]);
        expect(merged.status).toBe(200);
        expect(recorded.status).toBe(200);
        expect(recorded.body.results.map((r: { contactId: string }) => r.contactId)).toEqual([survivor, survivor]);
      } finally {
        if (holder.isTransactionActive) await holder.rollbackTransaction();
        await holder.release();
      }
      expect(await count('contacts')).toBe(1);
      expect(await count(`events WHERE type = 'late.event' AND contact_id = $1`, [survivor])).toBe(1);
      expect((await admin('get', `/contacts/${survivor}`).expect(200)).body.attributes).toMatchObject({ late: 'yes' });
      // It was resolved again: its first attempt wrote to the contact that went away.
      expect(t.logs.some((l) => l.includes('recording events: transaction aborted'))).toBe(true);
    });

    it('keeps the statement count of a batch with aliases: 1 op and 100 ops issue the same number', async () => {
      await send({ batch: Array.from({ length: 100 }, (_, i) => ({ type: 'identify', userId: `keep${i}`, email: `keep${i}@example.com` })) });
      await send({ batch: Array.from({ length: 100 }, (_, i) => ({ type: 'identify', userId: `gone${i}`, email: `gone${i}@example.com` })) });
      const ids = await rows<{ id: string; external_id: string }>(`SELECT id, external_id FROM contacts`);
      const idOf = new Map(ids.map((r) => [r.external_id, r.id]));
      for (let i = 0; i < 100; i++) {
        await admin('post', `/contacts/${idOf.get(`keep${i}`)}/merge`).send({ from: idOf.get(`gone${i}`) }).expect(200);
      }
      expect(await count('contact_aliases')).toBe(200);
      const track = (i: number, run: string) =>
        i % 2 ? { type: 'track', event: 'alias.op', userId: `gone${i}`, messageId: `${run}-${i}` } : { type: 'track', event: 'alias.op', email: `gone${i}@example.com`, messageId: `${run}-${i}` };
      const one = await statements(() => send({ batch: [track(1, 'one')] }));
      const hundred = await statements(() => send({ batch: Array.from({ length: 100 }, (_, i) => track(i, 'hundred')) }));
      expect(hundred.length).toBe(one.length);
      expect(await count(`events WHERE type = 'alias.op'`)).toBe(101);
      expect(await count('contacts')).toBe(100);
      for (const seen of [one, hundred]) expect(seen.filter((q) => q.includes('contact_aliases'))).toHaveLength(2);
    });
  });
});
