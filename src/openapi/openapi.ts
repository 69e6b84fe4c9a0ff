/**
 * The OpenAPI document: its header (title, version, servers, tags, security schemes), its
 * generation from the controllers' decorators, and where it is served. The committed
 * `openapi.json` (scripts/openapi.ts) and the served one come from the same function, so they
 * cannot drift apart except for `servers`, which follows PUBLIC_BASE_URL.
 */
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCALAR_SCHEMA, SECURITY } from '../common/openapi.js';
import { MAX_BATCH_OPS, MAX_BODY_BYTES } from '../common/limits.js';
import { EVENTS_OP_SCHEMA } from '../ingestion/dto/events-op.dto.js';
import { STEP_RECORD_SCHEMA } from '../journeys/dto/activity.dto.js';
import { CONDITION_SCHEMA, JOURNEY_STEP_SCHEMA } from '../journeys/dto/journey.dto.js';

export const DOCS_PATH = 'docs';
export const OPENAPI_JSON_PATH = 'openapi.json';

/** Tags in the order Swagger UI shows them; a new module adds its line here. */
const TAGS: Array<[name: string, description: string]> = [
  ['Events API', `identify and track, one op or batches of ${MAX_BATCH_OPS}.`],
  ['Intake formats', 'Usermaven, Event Intake and Segment wire formats, on the same path as the Events API.'],
  ['Webhooks', 'Stripe, Polar and Clerk webhooks, signature-verified on the raw body.'],
  ['Tenants', 'Tenants, ingestion keys, webhook secrets, rate limits (admin).'],
  ['Contacts', 'Contacts, their timelines, and ingestion health (admin).'],
  ['Clerk import', "Backfill a tenant's existing Clerk users (admin)."],
  ['Journeys', 'Journeys (draft → active ⇄ paused), their runs, and the signup event that seeds the welcome journey (admin).'],
  ['Messages', 'The email outbox: every email journeys sent, captured, blocked or failed (admin).'],
  ['Unsubscribe', "The `List-Unsubscribe` link of every journey email (RFC 8058 one-click); the signed token is the credential."],
  ['Dashboard', 'Sign-in to the web dashboard at `/app`: the admin token once, then an HttpOnly session cookie.'],
  ['Health', 'Liveness and readiness probes.'],
  ['Metrics', 'Prometheus text, per process.'],
];

const DESCRIPTION = `Self-hostable lifecycle event platform: the Events API, provider webhooks, contacts and journeys.

- **Ingestion** routes take the tenant's ingestion key (\`mara_ing_...\`) as a bearer token (the
  Segment routes also as the Basic-auth username, the Usermaven route also as \`?token=\`). They share
  one token bucket per tenant and answer \`RateLimit-*\` headers; a 429 carries \`Retry-After\` (seconds).
- **Admin** routes take \`Authorization: Bearer $ADMIN_API_TOKEN\`, or the dashboard's session cookie
  (state changes with the cookie also need \`X-CSRF-Token\` and a same-origin request).
- Every non-2xx answer is \`{"ok": false, "code", "message"}\` (the \`ErrorEnvelope\` schema); a request
  that ends in an error has written nothing, so 429 and 5xx are safe to retry.
- JSON bodies need \`Content-Type: application/json\` (415 otherwise), at most ${MAX_BODY_BYTES / 1024 / 1024} MB (413).`;

/** The root package.json (two levels up from src/openapi, three from dist/src/openapi). */
function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'mara-lifecycle' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json of mara-lifecycle not found');
    dir = parent;
  }
}

/** Everything of the document but its paths. */
export function openApiBase(publicBaseUrl: string): Omit<OpenAPIObject, 'paths'> {
  const builder = new DocumentBuilder()
    .setTitle('Mara lifecycle API')
    .setDescription(DESCRIPTION)
    .setVersion(packageVersion())
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer(publicBaseUrl, 'PUBLIC_BASE_URL of the deployment')
    .addSecurity(SECURITY.ingestionKey, {
      type: 'http',
      scheme: 'bearer',
      description: "The tenant's ingestion key (`mara_ing_...`), from `POST /admin/tenants/{tenantId}/ingestion-key`.",
    })
    .addSecurity(SECURITY.adminToken, { type: 'http', scheme: 'bearer', description: 'ADMIN_API_TOKEN.' })
    .addSecurity(SECURITY.dashboardSession, {
      type: 'apiKey',
      in: 'cookie',
      name: 'mara_session',
      description:
        'The dashboard session, from `POST /app/api/session`. A request that changes state with it must come from ' +
        'the same origin (`Origin`/`Sec-Fetch-Site`) and carry `X-CSRF-Token` (from `GET /app/api/session`); 403 otherwise.',
    })
    .addSecurity(SECURITY.segmentWriteKey, {
      type: 'http',
      scheme: 'basic',
      description: 'The ingestion key as the username (empty password), as Segment libraries send a write key.',
    })
    .addSecurity(SECURITY.usermavenToken, {
      type: 'apiKey',
      in: 'query',
      name: 'token',
      description: '`API_KEY.SERVER_TOKEN`: the last `.`-separated part is the ingestion key.',
    });
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const base = builder.build();
  // DocumentBuilder starts with an empty contact object, which validators flag.
  delete base.info.contact;
  // Schemas that are not classes (unions), referenced by name from the decorators.
  base.components = {
    ...base.components,
    schemas: {
      EventsOp: EVENTS_OP_SCHEMA,
      Condition: CONDITION_SCHEMA,
      JourneyStep: JOURNEY_STEP_SCHEMA,
      Scalar: SCALAR_SCHEMA,
      StepRecord: STEP_RECORD_SCHEMA,
    },
  };
  return base;
}

const byKey = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * Stable order (paths, schemas and responses sorted, so that reordering modules or decorators
 * does not churn the committed file), and `security: []` on routes no scheme protects: every
 * protected access level declares its scheme (common/openapi.ts), so the rest are public.
 */
function normalize(doc: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(doc.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const op = item[method];
      if (!op) continue;
      op.responses = byKey(op.responses);
      op.security ??= [];
    }
  }
  doc.paths = byKey(doc.paths);
  if (doc.components?.schemas) doc.components.schemas = byKey(doc.components.schemas);
  return doc;
}

/** The document of an app; the app need not be initialized (scripts/openapi.ts uses preview mode). */
export function createOpenApiDocument(app: INestApplication, publicBaseUrl: string): OpenAPIObject {
  return normalize(SwaggerModule.createDocument(app, openApiBase(publicBaseUrl)));
}

/** The committed file's text: pretty, with a trailing newline. */
export function serializeOpenApi(doc: OpenAPIObject): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * Serves Swagger UI at `/docs` and the document at `/openapi.json`. SwaggerModule registers
 * plain HTTP-adapter routes, outside Nest's router: the AccessGuard does not run for them (they
 * are public by design), and this must run before `init()`, which appends the 404 handler. The
 * document is built on first request.
 */
export function setupOpenApi(app: INestApplication, publicBaseUrl: string): void {
  let document: OpenAPIObject | undefined;
  SwaggerModule.setup(DOCS_PATH, app, () => (document ??= createOpenApiDocument(app, publicBaseUrl)), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'Mara lifecycle API',
  });
}
