import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ADMIN_TOKEN, adminAuth, bootApp, resetDatabase, type TestApp } from '../support/app.js';

/** The origin of PUBLIC_BASE_URL in testConfig: what the dashboard's own requests send. */
const ORIGIN = 'http://mara.test';

interface SignedIn {
  cookie: string;
  rawId: string;
  csrfToken: string;
  setCookie: string;
}

function setCookieOf(res: { headers: Record<string, unknown> }): string {
  const header = res.headers['set-cookie'];
  const values = Array.isArray(header) ? (header as string[]) : [String(header)];
  const value = values.find((v) => v.startsWith('mara_session='));
  if (!value) throw new Error(`no mara_session cookie in ${JSON.stringify(header)}`);
  return value;
}

async function signIn(t: TestApp): Promise<SignedIn> {
  const res = await t.http().post('/app/api/session').set('Origin', ORIGIN).send({ token: ADMIN_TOKEN }).expect(201);
  const setCookie = setCookieOf(res);
  const rawId = /^mara_session=([^;]+)/.exec(setCookie)![1];
  return { cookie: `mara_session=${rawId}`, rawId, csrfToken: res.body.csrfToken, setCookie };
}

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

describe('Dashboard sessions', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(() => t.close());
  beforeEach(() => resetDatabase(t.db));

  it('signs in with the admin token: HttpOnly, SameSite=Strict, Path=/ cookie, not Secure on http; only a hash stored', async () => {
    const s = await signIn(t);
    const flags = s.setCookie.split(';').map((p) => p.trim());
    expect(flags).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/', 'Max-Age=604800']));
    expect(flags).not.toContain('Secure');
    expect(s.rawId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const rows: Array<Record<string, unknown>> = await t.db.query('SELECT * FROM dashboard_sessions');
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toBe(sha256(s.rawId));
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(s.rawId);
    expect(stored).not.toContain(ADMIN_TOKEN);
    // 12 h idle timeout from now.
    const expires = new Date(rows[0].expires_at as string).getTime();
    expect(Math.abs(expires - (Date.now() + 12 * 3600_000))).toBeLessThan(60_000);
    // Nothing secret in a log line.
    const logs = t.logs.join('\n');
    expect(logs).not.toContain(s.rawId);
    expect(logs).not.toContain(ADMIN_TOKEN);
    expect(logs).not.toContain(s.csrfToken);
  });

  it('refuses a wrong token (401), and a sign-in from another origin (403)', async () => {
    const wrong = await t.http().post('/app/api/session').set('Origin', ORIGIN).send({ token: 'not-the-admin-token' }).expect(401);
    expect(wrong.body).toEqual({ ok: false, code: 'unauthorized', message: 'wrong admin token' });
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const cross = await t.http().post('/app/api/session').set('Origin', 'http://evil.test').send({ token: ADMIN_TOKEN }).expect(403);
    expect(cross.body).toEqual({ ok: false, code: 'forbidden', message: 'request from another origin' });
    const missing = await t.http().post('/app/api/session').set('Origin', ORIGIN).send({}).expect(400);
    expect(missing.body.message).toMatch(/^token/);
    expect(await t.db.query('SELECT count(*)::int AS n FROM dashboard_sessions')).toEqual([{ n: 0 }]);
  });

  it('the session reads the admin API and its own CSRF token; without one the dashboard answers 401', async () => {
    await t.http().get('/admin/tenants').expect(401);
    await t.http().get('/app/api/session').expect(401);
    const s = await signIn(t);
    const session = await t.http().get('/app/api/session').set('Cookie', s.cookie).expect(200);
    expect(session.body).toEqual({ csrfToken: s.csrfToken, expiresAt: expect.any(String) });
    expect(session.headers['cache-control']).toBe('no-store');
    await t.http().get('/admin/tenants').set('Cookie', s.cookie).expect(200);
    // The bearer token keeps working, and a wrong bearer is refused even next to a good cookie.
    await t.http().get('/admin/tenants').set(adminAuth).expect(200);
    await t.http().get('/admin/tenants').set('Cookie', s.cookie).set('Authorization', 'Bearer wrong-token-0123456789').expect(401);
    // The admin token is not a session id.
    await t.http().get('/admin/tenants').set('Cookie', `mara_session=${ADMIN_TOKEN}`).expect(401);
  });

  it('an unknown or expired session answers 401 and clears the cookie', async () => {
    const bogus = await t.http().get('/admin/tenants').set('Cookie', 'mara_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').expect(401);
    expect(setCookieOf(bogus)).toMatch(/^mara_session=; .*Max-Age=0/);
    const s = await signIn(t);
    await t.db.query("UPDATE dashboard_sessions SET expires_at = now() - interval '1 second'");
    const expired = await t.http().get('/admin/tenants').set('Cookie', s.cookie).expect(401);
    expect(expired.body.code).toBe('unauthorized');
    expect(setCookieOf(expired)).toMatch(/Max-Age=0/);
  });

  it('slides the expiry with use, never past 7 days after sign-in', async () => {
    const s = await signIn(t);
    await t.db.query("UPDATE dashboard_sessions SET expires_at = now() + interval '1 minute'");
    await t.http().get('/admin/tenants').set('Cookie', s.cookie).expect(200);
    let [row] = await t.db.query('SELECT created_at, expires_at FROM dashboard_sessions');
    expect(Math.abs(new Date(row.expires_at).getTime() - (Date.now() + 12 * 3600_000))).toBeLessThan(60_000);

    await t.db.query("UPDATE dashboard_sessions SET created_at = now() - interval '7 days' + interval '1 hour'");
    await t.http().get('/admin/tenants').set('Cookie', s.cookie).expect(200);
    [row] = await t.db.query('SELECT created_at, expires_at FROM dashboard_sessions');
    expect(new Date(row.expires_at).getTime()).toBe(new Date(row.created_at).getTime() + 7 * 24 * 3600_000);
    expect(new Date(row.expires_at).getTime() - Date.now()).toBeLessThan(3600_000 + 1000);
  });

  it('a state change with the cookie needs the same origin and the CSRF token (403 otherwise, nothing written)', async () => {
    const s = await signIn(t);
    const post = () => t.http().post('/admin/tenants').set('Cookie', s.cookie);
    const forbidden = (message: string) => ({ ok: false, code: 'forbidden', message });

    expect((await post().set('Origin', ORIGIN).send({ name: 'A' }).expect(403)).body).toEqual(forbidden('missing x-csrf-token header'));
    expect((await post().set('Origin', ORIGIN).set('X-CSRF-Token', 'nope').send({ name: 'A' }).expect(403)).body).toEqual(
      forbidden('wrong x-csrf-token header'),
    );
    expect((await post().set('Origin', 'http://evil.test').set('X-CSRF-Token', s.csrfToken).send({ name: 'A' }).expect(403)).body).toEqual(
      forbidden('request from another origin'),
    );
    expect(
      (await post().set('Origin', ORIGIN).set('Sec-Fetch-Site', 'same-site').set('X-CSRF-Token', s.csrfToken).send({ name: 'A' }).expect(403)).body,
    ).toEqual(forbidden('request from another site (Sec-Fetch-Site: same-site)'));
    expect((await post().set('X-CSRF-Token', s.csrfToken).send({ name: 'A' }).expect(403)).body).toEqual(forbidden('missing Origin header'));
    // A form post from another origin is refused before its body is read (403, not 415).
    const form = await post().set('Origin', 'http://evil.test').set('Content-Type', 'text/plain').send('{"name":"A"}').expect(403);
    expect(form.body).toEqual(forbidden('request from another origin'));
    expect(await t.db.query('SELECT count(*)::int AS n FROM tenants')).toEqual([{ n: 0 }]);

    await post().set('Origin', ORIGIN).set('X-CSRF-Token', s.csrfToken).send({ name: 'A' }).expect(201);
    await post().set('Sec-Fetch-Site', 'same-origin').set('X-CSRF-Token', s.csrfToken).send({ name: 'B' }).expect(201);
    expect(await t.db.query('SELECT name FROM tenants ORDER BY name')).toEqual([{ name: 'A' }, { name: 'B' }]);
    // Bearer requests are not browser requests: no origin or CSRF rule for them.
    await t.http().post('/admin/tenants').set(adminAuth).send({ name: 'C' }).expect(201);
  });

  it('each session has its own CSRF token', async () => {
    const a = await signIn(t);
    const b = await signIn(t);
    expect(a.csrfToken).not.toBe(b.csrfToken);
    await t.http().post('/admin/tenants').set('Cookie', a.cookie).set('Origin', ORIGIN).set('X-CSRF-Token', b.csrfToken).send({ name: 'A' }).expect(403);
  });

  it('signs out: the session row is deleted, the cookie cleared, and the old cookie refused', async () => {
    const s = await signIn(t);
    await t.http().delete('/app/api/session').set('Cookie', s.cookie).set('Origin', ORIGIN).expect(403);
    const out = await t.http().delete('/app/api/session').set('Cookie', s.cookie).set('Origin', ORIGIN).set('X-CSRF-Token', s.csrfToken).expect(204);
    expect(setCookieOf(out)).toBe('mara_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
    expect(await t.db.query('SELECT count(*)::int AS n FROM dashboard_sessions')).toEqual([{ n: 0 }]);
    await t.http().get('/admin/tenants').set('Cookie', s.cookie).expect(401);
    await t.http().get('/app/api/session').set('Cookie', s.cookie).expect(401);
  });

  it('signing in again ends the session the browser held before', async () => {
    const first = await signIn(t);
    const res = await t.http().post('/app/api/session').set('Origin', ORIGIN).set('Cookie', first.cookie).send({ token: ADMIN_TOKEN }).expect(201);
    await t.http().get('/admin/tenants').set('Cookie', first.cookie).expect(401);
    const second = /^mara_session=([^;]+)/.exec(setCookieOf(res))![1];
    await t.http().get('/admin/tenants').set('Cookie', `mara_session=${second}`).expect(200);
  });
});

describe('Dashboard sessions behind https', () => {
  it('marks the cookie Secure when PUBLIC_BASE_URL is https', async () => {
    const t = await bootApp({ PUBLIC_BASE_URL: 'https://mara.example.com' });
    try {
      const res = await t.http().post('/app/api/session').set('Origin', 'https://mara.example.com').send({ token: ADMIN_TOKEN }).expect(201);
      expect(setCookieOf(res).split('; ')).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/', 'Secure']));
    } finally {
      await t.close();
    }
  });
});

describe('Dashboard sign-in limit', () => {
  it('after 10 wrong tokens from one address, every attempt answers 429 with Retry-After', async () => {
    const t = await bootApp();
    try {
      for (let i = 0; i < 10; i++) {
        await t.http().post('/app/api/session').set('Origin', ORIGIN).send({ token: `wrong-${i}` }).expect(401);
      }
      const limited = await t.http().post('/app/api/session').set('Origin', ORIGIN).send({ token: ADMIN_TOKEN }).expect(429);
      expect(limited.body.code).toBe('rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(800);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(900);
      // The bearer API is not affected.
      await t.http().get('/admin/tenants').set(adminAuth).expect(200);
    } finally {
      await t.close();
    }
  });
});

describe('Dashboard files at /app', () => {
  let dir: string;
  let t: TestApp;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mara-web-'));
    await mkdir(path.join(dir, 'assets'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>Mara dashboard</title><script type="module" src="/app/assets/app-1234.js"></script>');
    await writeFile(path.join(dir, 'assets', 'app-1234.js'), 'console.log("app");');
    await writeFile(path.join(dir, 'robots.txt'), 'User-agent: *');
    await writeFile(path.join(dir, '.secret'), 'hidden');
    t = await bootApp({}, { webDir: dir });
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('redirects / to /app', async () => {
    const res = await t.http().get('/').expect(302);
    expect(res.headers.location).toBe('/app');
  });

  it('serves index.html at /app and for every app path, uncached, with a CSP that forbids inline and third-party scripts', async () => {
    for (const p of ['/app', '/app/', '/app/tenants/3f0c/integrations']) {
      const res = await t.http().get(p).expect(200).expect('Content-Type', /text\/html/);
      expect(res.text).toContain('<title>Mara dashboard</title>');
      expect(res.headers['cache-control']).toBe('no-cache');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('serves hashed assets as immutable and other files for an hour', async () => {
    const asset = await t.http().get('/app/assets/app-1234.js').expect(200).expect('Content-Type', /javascript/);
    expect(asset.text).toBe('console.log("app");');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.etag).toBeDefined();
    const robots = await t.http().get('/app/robots.txt').expect(200);
    expect(robots.headers['cache-control']).toBe('public, max-age=3600');
  });

  it('answers the JSON 404 envelope for missing files, dotfiles, paths outside the build and unknown /app/api routes', async () => {
    for (const p of ['/app/assets/missing.js', '/app/.secret', '/app/..%2f..%2fpackage.json', '/app/assets/..%2f..%2f..%2fpackage.json', '/app/api/nope']) {
      const res = await t.http().get(p).expect(404);
      expect(res.body).toMatchObject({ ok: false, code: 'not_found' });
      expect(res.text).not.toContain('hidden');
    }
  });

  it('answers a clear 404 envelope, and keeps serving the API, when the dashboard is not built', async () => {
    const missing = await bootApp({}, { webDir: path.join(dir, 'not-built') });
    try {
      const res = await missing.http().get('/app/tenants').expect(404);
      expect(res.body).toEqual({ ok: false, code: 'not_found', message: 'the dashboard is not built: run `npm run build` (it writes dist/web)' });
      await missing.http().get('/health').expect(200);
    } finally {
      await missing.close();
    }
  });
});
