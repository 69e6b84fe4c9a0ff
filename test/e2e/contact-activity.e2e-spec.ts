import { adminAuth, bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp } from '../support/app.js';
import { specApi } from '../support/api.js';
import { eventually } from '../support/smtp.js';

/**
 * A contact's runs and emails (`GET .../contacts/{contactId}/runs` and `/messages`), the lists the
 * dashboard's contact page shows (docs/dashboard.md#contacts): only that contact's, newest first,
 * paged with the cursor; 404 for an unknown contact or tenant.
 */
describe('contact activity routes', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  const { admin, events, contactByExternalId } = specApi(() => t, () => tenant);
  const journey = (name: string, eventType: string) => ({
    name,
    trigger: { type: 'event', eventType },
    reentry: 'every_event',
    steps: [{ type: 'send_email', subject: `${name} for {{contact.name}}`, text: 'Hello.' }],
  });

  beforeAll(async () => {
    t = await bootApp({ PROCESS_ROLE: 'all' });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await resetDatabase(t.db);
    tenant = await createTenant(t);
  });

  it("lists only the contact's runs and emails, newest first, paged; 404 for an unknown contact", async () => {
    for (const [name, type] of [['Welcome', 'user.signed_up'], ['Activation', 'project.created']]) {
      const { body } = await admin('post', '/journeys').send(journey(name, type)).expect(201);
      await admin('post', `/journeys/${body.id}/approve`).expect(200);
    }
    await events({
      batch: [
        { type: 'identify', userId: 'u_ada', email: 'ada@example.com', name: 'Ada' },
        { type: 'identify', userId: 'u_bob', email: 'bob@example.com', name: 'Bob' },
        { type: 'track', event: 'user.signed_up', userId: 'u_ada', messageId: 'a-1' },
        { type: 'track', event: 'user.signed_up', userId: 'u_bob', messageId: 'b-1' },
      ],
    }).expect(200);
    const ada = await contactByExternalId('u_ada');
    // The second email is written after the first (emails are written by the workers, in any order).
    await eventually(async () => (await admin('get', `/contacts/${ada.id}/messages`).expect(200)).body.items.length === 1, 15_000, 'one email');
    await events({ type: 'track', event: 'project.created', userId: 'u_ada', messageId: 'a-2' }).expect(200);
    await eventually(async () => (await admin('get', `/contacts/${ada.id}/messages`).expect(200)).body.items.length === 2, 15_000, 'two emails');

    const runs = await admin('get', `/contacts/${ada.id}/runs`).expect(200);
    expect(runs.body.nextCursor).toBeNull();
    expect(runs.body.items.map((r: { trigger: { eventType: string }; contactId: string }) => [r.trigger.eventType, r.contactId])).toEqual([
      ['project.created', ada.id],
      ['user.signed_up', ada.id],
    ]);
    const first = await admin('get', `/contacts/${ada.id}/runs?limit=1`).expect(200);
    expect(first.body.items).toEqual([runs.body.items[0]]);
    const second = await admin('get', `/contacts/${ada.id}/runs?limit=1&cursor=${first.body.nextCursor}`).expect(200);
    expect(second.body).toEqual({ items: [runs.body.items[1]], nextCursor: null });

    const messages = await admin('get', `/contacts/${ada.id}/messages`).expect(200);
    expect(messages.body.items.map((m: { subject: string; to: string; status: string }) => [m.subject, m.to, m.status])).toEqual([
      ['Activation for Ada', 'ada@example.com', 'captured'],
      ['Welcome for Ada', 'ada@example.com', 'captured'],
    ]);
    const page1 = await admin('get', `/contacts/${ada.id}/messages?limit=1`).expect(200);
    const page2 = await admin('get', `/contacts/${ada.id}/messages?limit=1&cursor=${page1.body.nextCursor}`).expect(200);
    expect([...page1.body.items, ...page2.body.items]).toEqual(messages.body.items);
    expect(page2.body.nextCursor).toBeNull();

    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const route of ['runs', 'messages']) {
      const missing = await admin('get', `/contacts/${unknown}/${route}`).expect(404);
      expect(missing.body).toMatchObject({ ok: false, code: 'not_found' });
      await t.http().get(`/admin/tenants/${unknown}/contacts/${ada.id}/${route}`).set(adminAuth).expect(404);
      await t.http().get(`/admin/tenants/${tenant.tenantId}/contacts/${ada.id}/${route}`).expect(401);
      await admin('get', `/contacts/${ada.id}/${route}?limit=0`).expect(400);
    }
  });
});
