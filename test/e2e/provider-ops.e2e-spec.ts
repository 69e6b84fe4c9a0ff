import { specApi } from '../support/api.js';
import { adminAuth, bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp } from '../support/app.js';
import { clerkUser, fakeClerk, listen } from '../support/clerk.js';
import { eventually } from '../support/smtp.js';
import { configureSecrets, deliver, fixture } from '../support/webhooks.js';

/**
 * Provider ops go through the Events API's rules (one op factory): what breaks a rule is
 * dropped with a warning, and the rest of the delivery or import is recorded (README, Webhooks).
 */
describe('provider ops through the one op factory', () => {
  const secretKey = 'sk_test_providerOpsKey123';
  const users = [
    clerkUser(0),
    clerkUser(1, {
      first_name: 'N'.repeat(150),
      last_name: 'M'.repeat(60),
      email_addresses: [{ id: 'idn_1', object: 'email_address', email_address: 'not an email@', verification: { status: 'verified' }, linked_to: [] }],
    }),
  ];
  const clerk = fakeClerk(users, secretKey);
  let t: TestApp;
  let tenant: TenantFixture;
  const { count, rows, admin, contactByExternalId, timeline } = specApi(() => t, () => tenant);

  beforeAll(async () => {
    t = await bootApp({ CLERK_API_URL: await listen(clerk.server), PROCESS_ROLE: 'all' });
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => clerk.server.close(r));
  });
  beforeEach(async () => {
    await resetDatabase(t.db);
    tenant = await createTenant(t);
    await configureSecrets(t, tenant.tenantId);
  });

  it('a Stripe event whose only identity is an invalid email is recorded unlinked, not refused', async () => {
    const payload = fixture('stripe', 'charge.refunded');
    const charge = (payload.data as { object: Record<string, unknown> }).object;
    charge.billing_details = { email: 'guest.buyer@@example' };
    const res = await deliver(t, 'stripe', tenant.tenantId, payload).expect(200);
    expect(res.body).toEqual({ status: 'ok', eventType: 'refund-issued', contactId: null });
    expect(await rows('SELECT contact_id, type, source FROM events')).toEqual([{ contact_id: null, type: 'refund-issued', source: 'stripe' }]);
    expect(await count('contacts')).toBe(0);
  });

  it('a metadata id over 255 characters does not apply: the next identity (the billing email) is used', async () => {
    const payload = fixture('stripe', 'charge.refunded');
    const charge = (payload.data as { object: Record<string, unknown> }).object;
    charge.metadata = { userId: 'u'.repeat(300) };
    charge.billing_details = { email: 'Guest.Buyer@Example.net' };
    const res = await deliver(t, 'stripe', tenant.tenantId, payload).expect(200);
    expect(res.body).toEqual({ status: 'ok', eventType: 'refund-issued', contactId: expect.any(String) });
    expect(await rows('SELECT id, external_id, email FROM contacts')).toEqual([
      { id: res.body.contactId, external_id: null, email: 'guest.buyer@example.net' },
    ]);
  });

  it('a Clerk user whose email is invalid becomes a contact by its user id, without the email', async () => {
    const payload = fixture('clerk', 'user.created');
    const user = payload.data as { id: string; email_addresses: Array<{ email_address: string }> };
    user.email_addresses[0].email_address = 'ada at analytical';
    const res = await deliver(t, 'clerk', tenant.tenantId, payload).expect(200);
    expect(res.body).toEqual({ status: 'ok', eventType: 'user.created', contactId: expect.any(String) });
    const contact = await contactByExternalId(user.id);
    expect(contact).toMatchObject({ id: res.body.contactId, email: null, name: 'Ada Lovelace', consent: null });
    expect(await timeline(contact.id)).toEqual(['user.created']);
  });

  it('the Clerk import imports a user with an invalid email and an overlong name without them, and logs what it dropped', async () => {
    await admin('put', '/clerk/backend-api-key').send({ secret: secretKey }).expect(204);
    const started = await admin('post', '/clerk/imports').expect(202);
    const done = await eventually(async () => {
      const res = await t.http().get(`/admin/tenants/${tenant.tenantId}/clerk/imports/${started.body.id}`).set(adminAuth).expect(200);
      return res.body.status !== 'running' ? res.body : null;
    }, 20_000, 'the import to finish');
    expect(done).toMatchObject({ status: 'completed', usersSeen: 2, contactsCreated: 2 });
    expect(await contactByExternalId('user_import_0000')).toMatchObject({ email: 'user0@import.example', name: 'User 0' });
    expect(await contactByExternalId('user_import_0001')).toMatchObject({ email: null, name: null, attributes: { cohort: 'odd' } });
    const line = t.logs.find((l) => l.includes('clerk import: fields dropped or cut'));
    expect(line).toBeDefined();
    const logged = JSON.parse(line!) as { level: number; importId: string; warnings: string[]; count: number };
    expect(logged).toMatchObject({ level: 40, importId: started.body.id, count: 2 });
    expect(logged.warnings).toEqual([
      'user_import_0001: email: dropped, must be a valid email address',
      'user_import_0001: name: dropped, must be shorter than or equal to 200 characters',
    ]);
    expect(line).not.toContain('not an email@');
  });
});
