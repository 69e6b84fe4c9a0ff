import { MaraNetworkError } from './errors.js';
import { DEFAULT_RETRY, retryingFetch, type TransportOptions } from './transport.js';

const answer = (status: number, headers: Record<string, string> = {}): Response => new Response('{}', { status, headers });

/** A transport over scripted answers, recording attempts and the waits between them. */
function scripted(script: Array<Response | Error>, overrides: Partial<TransportOptions> = {}) {
  const waits: number[] = [];
  let attempts = 0;
  const fetch = retryingFetch({
    ...DEFAULT_RETRY,
    fetch: async () => {
      const next = script[Math.min(attempts++, script.length - 1)];
      if (next instanceof Error) throw next;
      return next;
    },
    isIdempotent: (request) => request.method !== 'POST',
    sleep: async (ms) => void waits.push(ms),
    random: () => 0.5,
    ...overrides,
  });
  return { fetch, waits, attempts: () => attempts };
}

const post = (): Request => new Request('http://mara.test/admin/tenants', { method: 'POST', body: '{"name":"A"}' });
const get = (): Request => new Request('http://mara.test/admin/tenants');

describe('retryingFetch', () => {
  it('waits at least Retry-After on a 429, backoff when that is longer', async () => {
    const t = scripted([answer(429, { 'Retry-After': '2' }), answer(429, { 'Retry-After': '0' }), answer(200)]);
    expect((await t.fetch(post())).status).toBe(200);
    // 2 s from the header; then the backoff step of the second retry (1000 ms, jittered to 750).
    expect(t.waits).toEqual([2000, 750]);
  });

  it('backs off exponentially with jitter on 5xx, up to maxRetries, then returns the last answer', async () => {
    const t = scripted([answer(503)], { maxRetries: 3 });
    expect((await t.fetch(post())).status).toBe(503);
    expect(t.attempts()).toBe(4);
    expect(t.waits).toEqual([375, 750, 1500]);
  });

  it('returns other 4xx at once', async () => {
    for (const status of [400, 401, 404, 409, 412, 413]) {
      const t = scripted([answer(status), answer(200)]);
      expect((await t.fetch(post())).status).toBe(status);
      expect(t.attempts()).toBe(1);
    }
  });

  it('does not wait for a Retry-After beyond maxRetryAfterMs', async () => {
    const t = scripted([answer(429, { 'Retry-After': '3600' }), answer(200)]);
    expect((await t.fetch(get())).status).toBe(429);
    expect(t.attempts()).toBe(1);
  });

  it('retries network errors only when resending is harmless', async () => {
    const refused = new TypeError('fetch failed');
    const idempotent = scripted([refused, answer(200)]);
    expect((await idempotent.fetch(get())).status).toBe(200);
    expect(idempotent.attempts()).toBe(2);

    const once = scripted([refused, answer(200)]);
    await expect(once.fetch(post())).rejects.toBeInstanceOf(MaraNetworkError);
    expect(once.attempts()).toBe(1);
  });

  it('times out an attempt and says so', async () => {
    const hang = retryingFetch({
      ...DEFAULT_RETRY,
      timeoutMs: 20,
      maxRetries: 0,
      isIdempotent: () => true,
      fetch: (request) =>
        new Promise((_, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason))),
    });
    await expect(hang(get())).rejects.toMatchObject({ name: 'MaraNetworkError', timedOut: true });
  });

  it('resends the same body on every attempt', async () => {
    const bodies: string[] = [];
    const fetch = retryingFetch({
      ...DEFAULT_RETRY,
      isIdempotent: () => true,
      sleep: async () => undefined,
      fetch: async (request) => {
        bodies.push(await request.text());
        return answer(bodies.length < 3 ? 500 : 200);
      },
    });
    await fetch(post());
    expect(bodies).toEqual(['{"name":"A"}', '{"name":"A"}', '{"name":"A"}']);
  });
});
