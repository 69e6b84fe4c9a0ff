import { bootApp, type TestApp } from '../support/app.js';

type Operation = {
  operationId: string;
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
};
type Doc = {
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
};

const PUBLIC = [] as const;
const ADMIN = [{ adminToken: [] }, { dashboardSession: [] }];
const SESSION = [{ dashboardSession: [] }];
const INGESTION = [{ ingestionKey: [] }];

/** Every route of docs/api.md#routes, with its success status, declared errors and security. */
const CONTRACT_ROUTES: Array<[method: string, path: string, success: number, errors: number[], security: unknown]> = [
  ['post', '/api/tenants/{tenantId}/events', 200, [400, 401, 412, 413, 415, 429, 500], INGESTION],
  ['post', '/api/webhooks/stripe/{tenantId}', 200, [400, 401, 412, 413, 415, 500], PUBLIC],
  ['post', '/api/webhooks/polar/{tenantId}', 200, [400, 401, 412, 413, 415, 500], PUBLIC],
  ['post', '/api/webhooks/clerk/{tenantId}', 200, [400, 401, 412, 413, 415, 500], PUBLIC],
  ['post', '/api/v1/s2s/event', 200, [400, 401, 413, 415, 429, 500], [{ usermavenToken: [] }, { ingestionKey: [] }]],
  ['post', '/v1/events', 200, [400, 401, 413, 415, 429, 500], INGESTION],
  ['post', '/v1/batch', 200, [400, 401, 413, 415, 429, 500], [{ segmentWriteKey: [] }, { ingestionKey: [] }]],
  ['post', '/v1/track', 200, [400, 401, 413, 415, 429, 500], [{ segmentWriteKey: [] }, { ingestionKey: [] }]],
  ['post', '/v1/identify', 200, [400, 401, 413, 415, 429, 500], [{ segmentWriteKey: [] }, { ingestionKey: [] }]],
  ['get', '/u/{token}', 200, [404, 500], PUBLIC],
  ['post', '/u/{token}', 200, [404, 413, 500], PUBLIC],
  ['get', '/health', 200, [500], PUBLIC],
  ['get', '/health/ready', 200, [500, 503], PUBLIC],
  ['get', '/metrics', 200, [500], PUBLIC],
  ['post', '/admin/tenants', 201, [400, 401, 403, 413, 415, 500], ADMIN],
  ['get', '/admin/tenants', 200, [400, 401, 403, 500], ADMIN],
  ['get', '/admin/tenants/{tenantId}', 200, [401, 403, 404, 500], ADMIN],
  ['post', '/admin/tenants/{tenantId}/ingestion-key', 201, [401, 403, 404, 500], ADMIN],
  ['get', '/admin/tenants/{tenantId}/integrations', 200, [401, 403, 404, 500], ADMIN],
  ['put', '/admin/tenants/{tenantId}/signup-event', 200, [400, 401, 403, 404, 413, 415, 500], ADMIN],
  ['put', '/admin/tenants/{tenantId}/webhook-secrets/{provider}', 204, [400, 401, 403, 404, 413, 415, 500], ADMIN],
  ['delete', '/admin/tenants/{tenantId}/webhook-secrets/{provider}', 204, [400, 401, 403, 404, 500], ADMIN],
  ['put', '/admin/tenants/{tenantId}/rate-limit', 200, [400, 401, 403, 404, 413, 415, 500], ADMIN],
  ['get', '/admin/tenants/{tenantId}/contacts', 200, [400, 401, 403, 404, 500], ADMIN],
  ['get', '/admin/tenants/{tenantId}/contacts/{contactId}', 200, [401, 403, 404, 500], ADMIN],
  ['get', '/admin/tenants/{tenantId}/contacts/{contactId}/events', 200, [400, 401, 403, 404, 500], ADMIN],
  ['get', '/admin/tenants/{tenantId}/ingestion-health', 200, [401, 403, 404, 500], ADMIN],
  ['get', '/admin/tenants/{tenantId}/journeys', 200, [400, 401, 403, 404, 500], ADMIN],
  ['post', '/admin/tenants/{tenantId}/journeys', 201, [400, 401, 403, 404, 413, 415, 500], ADMIN],
  ['get', '/admin/tenants/{tenantId}/journeys/{journeyId}', 200, [401, 403, 404, 500], ADMIN],
  ['patch', '/admin/tenants/{tenantId}/journeys/{journeyId}', 200, [400, 401, 403, 404, 409, 413, 415, 500], ADMIN],
  ['post', '/admin/tenants/{tenantId}/journeys/{journeyId}/approve', 200, [400, 401, 403, 404, 409, 500], ADMIN],
  ['post', '/admin/tenants/{tenantId}/journeys/{journeyId}/pause', 200, [400, 401, 403, 404, 409, 500], ADMIN],
  ['get', '/admin/tenants/{tenantId}/journeys/{journeyId}/runs', 200, [400, 401, 403, 404, 500], ADMIN],
  ['get', '/admin/tenants/{tenantId}/messages', 200, [400, 401, 403, 404, 500], ADMIN],
];

const ENVELOPE = '#/components/schemas/ErrorEnvelope';

describe('OpenAPI document and Swagger UI', () => {
  let t: TestApp;
  let doc: Doc;

  beforeAll(async () => {
    t = await bootApp();
    doc = (await t.http().get('/openapi.json').expect(200).expect('Content-Type', /application\/json/)).body as Doc;
  });
  afterAll(() => t.close());

  it('serves Swagger UI at /docs, outside the access guard, with its assets', async () => {
    const page = await t.http().get('/docs').expect(200).expect('Content-Type', /text\/html/);
    expect(page.text).toContain('swagger-ui');
    const init = await t.http().get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('"/api/tenants/{tenantId}/events"');
    await t.http().get('/docs/swagger-ui.css').expect(200).expect('Content-Type', /text\/css/);
    // Unknown paths under /docs still get the JSON 404 envelope.
    const missing = await t.http().get('/docs/nope').expect(404);
    expect(missing.body).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('shows PUBLIC_BASE_URL as its server and declares the five security schemes', () => {
    expect(doc.servers).toEqual([{ url: 'http://mara.test', description: 'PUBLIC_BASE_URL of the deployment' }]);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['adminToken', 'dashboardSession', 'ingestionKey', 'segmentWriteKey', 'usermavenToken']);
  });

  it.each(CONTRACT_ROUTES)('%s %s: its success answer, errors as the envelope, and security', (method, path, success, errors, security) => {
    const op = doc.paths[path]?.[method];
    expect(op).toBeDefined();
    expect(Object.keys(op.responses).map(Number)).toEqual([success, ...errors].sort((a, b) => a - b));
    for (const status of errors) {
      expect(op.responses[status].content?.['application/json'].schema?.$ref).toBe(ENVELOPE);
    }
    expect(op.security).toEqual(security);
  });

  it('describes the non-JSON answers by their media type, and journey steps as a union on `type`', () => {
    const unsubscribe = doc.paths['/u/{token}'];
    expect(Object.keys(unsubscribe.get.responses[200].content ?? {})).toEqual(['text/html']);
    expect(Object.keys(unsubscribe.post.responses[200].content ?? {})).toEqual(['text/html']);
    expect([unsubscribe.get.operationId, unsubscribe.post.operationId]).toEqual(['unsubscribePage', 'unsubscribe']);
    expect(Object.keys(doc.paths['/metrics'].get.responses[200].content ?? {})).toEqual(['text/plain']);

    const union = (name: string) => doc.components.schemas[name] as { oneOf: Array<{ $ref: string }>; discriminator: { propertyName: string; mapping: Record<string, string> } };
    expect(union('JourneyStep').discriminator).toEqual({
      propertyName: 'type',
      mapping: {
        wait: '#/components/schemas/WaitStep',
        send_email: '#/components/schemas/SendEmailStep',
        branch: '#/components/schemas/BranchStep',
        update_contact: '#/components/schemas/UpdateContactStep',
      },
    });
    expect(union('StepRecord').oneOf.map((s) => s.$ref)).toEqual([
      '#/components/schemas/WaitStepRecord',
      '#/components/schemas/SendEmailStepRecord',
      '#/components/schemas/BranchStepRecord',
      '#/components/schemas/UpdateContactStepRecord',
    ]);
    for (const name of ['CreateJourneyDto', 'JourneyView']) {
      const steps = (doc.components.schemas[name] as { properties: Record<string, { items?: { $ref?: string } }> }).properties.steps;
      expect(steps.items?.$ref).toBe('#/components/schemas/JourneyStep');
    }
    // Every schema a $ref names exists (the unions are registered by hand).
    const refs = [...JSON.stringify(doc).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    for (const name of new Set(refs)) expect(doc.components.schemas[name]).toBeDefined();
  });

  it('documents every route the server answers, each with a readable operationId', () => {
    const router = (t.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } }).router;
    const served = router.stack
      .filter((layer) => layer.route)
      .flatMap((layer) => Object.keys(layer.route!.methods).map((m) => `${m} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`))
      .filter((route) => !/^get \/(docs|openapi\.json)/.test(route))
      // The dashboard's files (GET /, /app and /app/*) are pages, not API routes.
      .filter((route) => !/^get \/(app(\/\*path)?)?$/.test(route));
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`));
    expect(served.sort()).toEqual(documented.sort());

    const operationIds = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(new Set(operationIds).size).toBe(operationIds.length);
    for (const id of operationIds) expect(id).toMatch(/^[a-z][A-Za-z]+$/);
  });
});
