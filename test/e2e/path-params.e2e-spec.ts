import { adminAuth, bootApp, createTenant, resetDatabase, type TestApp } from '../support/app.js';

type ParameterObject = { name: string; in: string; schema?: { format?: string } };
type OperationObject = { operationId?: string; security?: unknown[]; parameters?: ParameterObject[] };
type OpenAPIObject = { paths: Record<string, Partial<Record<string, OperationObject>>> };

/** What a malformed id of each path parameter answers: the same 404 as an id that names nothing. */
const NOT_FOUND: Record<string, string> = {
  tenantId: 'tenant not found',
  contactId: 'contact not found',
  journeyId: 'journey not found',
  importId: 'import not found',
};

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

/** A valid body for the operations that take one (a bad body is a 400 whatever the path says). */
const BODIES: Record<string, object> = {
  setClerkBackendApiKey: { secret: 'sk_test_x' },
  setWebhookSecret: { secret: 'whsec_x' },
  setRateLimit: { requestsPerHour: 10, burst: 10 },
  setSignupEvent: { eventType: 'user.signed_up' },
  createJourney: { name: 'J', trigger: { type: 'event', eventType: 'e' }, steps: [{ type: 'wait', seconds: 1 }] },
  updateJourney: { name: 'J2' },
  previewJourneyEmail: { contactId: '00000000-0000-4000-8000-000000000000', path: '0' },
  setContactConsent: { status: 'withdrawn' },
  mergeContacts: { from: '00000000-0000-4000-8000-000000000001' },
  addSuppression: { email: 'a@example.com' },
};

describe('uuid path parameters (params DTOs)', () => {
  let t: TestApp;
  let doc: OpenAPIObject;
  beforeAll(async () => {
    t = await bootApp();
    doc = (await t.http().get('/openapi.json').expect(200)).body as OpenAPIObject;
  });
  afterAll(() => t.close());
  beforeEach(() => resetDatabase(t.db));

  /** Every admin operation with a uuid path parameter, once per such parameter. */
  function cases(): Array<{ method: (typeof METHODS)[number]; path: string; params: ParameterObject[]; malformed: string; body: object }> {
    const out = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op || !JSON.stringify(op.security ?? []).includes('adminToken')) continue;
        const params = (op.parameters ?? []).filter((p) => p.in === 'path');
        for (const p of params) {
          if (p.schema?.format === 'uuid') {
            out.push({ method, path, params, malformed: p.name, body: BODIES[op.operationId ?? ''] ?? {} });
          }
        }
      }
    }
    return out;
  }

  it('covers the admin routes with ids in their paths', () => {
    const names = new Set(cases().map((c) => c.malformed));
    expect([...names].sort()).toEqual(expect.arrayContaining(['contactId', 'importId', 'journeyId', 'tenantId']));
    expect(cases().length).toBeGreaterThanOrEqual(20);
  });

  it('answer 404 not_found for an id that is no uuid, in every position, on every route', async () => {
    const { tenantId } = await createTenant(t);
    const problems: string[] = [];
    for (const { method, path, params, malformed, body } of cases()) {
      const url = params.reduce((p, param) => {
        const value =
          param.name === malformed
            ? 'not-a-uuid'
            : param.name === 'tenantId'
              ? tenantId
              : param.schema?.format === 'uuid'
                ? '00000000-0000-4000-8000-000000000000'
                : 'stripe';
        return p.replace(`{${param.name}}`, value);
      }, path);
      const req = t.http()[method](url).set(adminAuth);
      const res = method === 'get' || method === 'delete' ? await req : await req.send(body);
      const expected = NOT_FOUND[malformed];
      if (res.status !== 404 || res.body.code !== 'not_found' || (expected && res.body.message !== expected)) {
        problems.push(`${method.toUpperCase()} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    expect(problems).toEqual([]);
    expect(await t.db.query('SELECT count(*)::int AS n FROM journeys')).toEqual([{ n: 0 }]);
  });

  it('take an id in upper case as the same id (lower-cased before validation)', async () => {
    const { tenantId } = await createTenant(t);
    const res = await t.http().get(`/admin/tenants/${tenantId.toUpperCase()}`).set(adminAuth).expect(200);
    expect(res.body.id).toBe(tenantId);
  });

  it('keep other parameters a 400 naming them', async () => {
    const { tenantId } = await createTenant(t);
    const res = await t.http().delete(`/admin/tenants/${tenantId}/webhook-secrets/paypal`).set(adminAuth).expect(400);
    expect(res.body).toEqual({ ok: false, code: 'bad_request', message: 'provider: must be one of stripe, polar, clerk' });
  });
});
