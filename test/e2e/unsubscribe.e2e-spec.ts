import { EmailOutbox } from '../../src/journeys/email-outbox.service.js';
import { bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp } from '../support/app.js';
import { sendEvents } from '../support/api.js';

/**
 * `/u/{token}`: link scanners follow GET and HEAD, so those only show a confirmation page; the
 * POST (the page's button, or an RFC 8058 one-click client) unsubscribes.
 */
describe('unsubscribe links', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  let contactId: string;
  let path: string;

  const unsubscribedAt = async (id = contactId): Promise<Date | null> =>
    (await t.db.query('SELECT unsubscribed_at FROM contacts WHERE id = $1', [id]))[0].unsubscribed_at;

  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await resetDatabase(t.db);
    tenant = await createTenant(t);
    const res = await sendEvents(t, tenant, { type: 'identify', userId: 'u1', email: 'ada@example.com', name: 'Ada' })
      .expect(200);
    contactId = res.body.results[0].contactId;
    path = new URL(t.app.get(EmailOutbox).unsubscribeUrl(tenant.tenantId, contactId)).pathname;
  });

  it('GET and HEAD show a confirmation page with a button that posts, and change nothing', async () => {
    const page = await t.http().get(path).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
    expect(page.headers['cache-control']).toBe('no-store');
    const form = /<form\b[^>]*>/i.exec(page.text)?.[0];
    expect(form).toMatch(/method="post"/i);
    // No action: the form posts to the page's own URL, whatever prefix PUBLIC_BASE_URL has.
    const action = /action="([^"]*)"/i.exec(form!)?.[1];
    if (action !== undefined) expect(action).toBe(path);
    expect(page.text).toMatch(/<button\b[^>]*type="submit"/i);
    expect(page.text).toMatch(/name="List-Unsubscribe" value="One-Click"/);
    await t.http().head(path).expect(200);
    await t.http().get(`${path}?utm_source=scanner`).expect(200);
    expect(await unsubscribedAt()).toBeNull();
  });

  it('POST unsubscribes (the form, an RFC 8058 one-click, any body or none) and keeps the first time', async () => {
    const done = await t.http().post(path).set('Content-Type', 'application/x-www-form-urlencoded').send('List-Unsubscribe=One-Click').expect(200);
    expect(done.headers['content-type']).toMatch(/^text\/html/);
    expect(done.text).toMatch(/unsubscribed/i);
    expect(done.text).not.toMatch(/<form/i);
    const first = await unsubscribedAt();
    expect(first).toBeInstanceOf(Date);

    await t.http().post(path).expect(200);
    await t.http().post(path).set('Content-Type', 'application/json').send('{"anything": [1, 2]}').expect(200);
    await t.http().post(path).set('Content-Type', 'text/plain').send('hello').expect(200);
    expect(await unsubscribedAt()).toEqual(first);

    // Once unsubscribed, the page says so instead of offering the button again.
    const page = await t.http().get(path).expect(200);
    expect(page.text).toMatch(/you are unsubscribed/i);
    expect(page.text).not.toMatch(/<form/i);
  });

  it('answers 404 with the envelope for tokens that are not ours or whose contact is gone', async () => {
    const token = path.slice(3);
    const altered = token.slice(0, 30) + (token[30] === 'A' ? 'B' : 'A') + token.slice(31);
    for (const bad of ['nonsense', 'A'.repeat(64), 'A'.repeat(80), altered, `${token}x`]) {
      const got = await t.http().get(`/u/${bad}`).expect(404);
      expect(got.body).toEqual({ ok: false, code: 'not_found', message: 'unsubscribe link not found' });
      const posted = await t.http().post(`/u/${bad}`).set('Content-Type', 'application/x-www-form-urlencoded').send('List-Unsubscribe=One-Click').expect(404);
      expect(posted.body).toEqual({ ok: false, code: 'not_found', message: 'unsubscribe link not found' });
      await t.http().head(`/u/${bad}`).expect(404);
    }
    await t.db.query('DELETE FROM contacts WHERE id = $1', [contactId]);
    expect((await t.http().get(path).expect(404)).body.code).toBe('not_found');
    expect((await t.http().post(path).expect(404)).body.code).toBe('not_found');
  });

  it('puts neither the tenant id nor the contact id in the link', () => {
    const token = path.slice(3).toLowerCase();
    for (const id of [tenant.tenantId, contactId]) {
      const hex = id.replace(/-/g, '');
      expect(token).not.toContain(hex.slice(0, 8));
      expect(token).not.toContain(Buffer.from(hex, 'hex').toString('base64url').slice(0, 8).toLowerCase());
    }
  });
});
