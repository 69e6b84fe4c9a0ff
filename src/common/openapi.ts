/**
 * OpenAPI building blocks every controller shares: the error envelope and its per-status
 * responses, the security schemes, the scalar-map schema of traits/properties/attributes, and
 * typed pages. Controllers describe themselves with these, so the document stays one shape
 * (docs/api.md#errors) and a new module is documented by decorating its controller only.
 */
import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiSecurity,
  getSchemaPath,
  type ApiPropertyOptions,
  type HeaderObject,
  type SchemaObject,
} from '@nestjs/swagger';
import type { RouteAccess } from './route-access.js';
import { ERROR_STATUS, type ErrorCode } from './errors.js';
import { MAX_BODY_BYTES } from './limits.js';
import type { Page } from './pagination.js';

export type ErrorStatus = (typeof ERROR_STATUS)[ErrorCode];

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** Security scheme names, as they appear in the document and in `security` requirements. */
export const SECURITY = {
  /** `Authorization: Bearer mara_ing_...`: the tenant's ingestion key. */
  ingestionKey: 'ingestionKey',
  /** `Authorization: Bearer $ADMIN_API_TOKEN`. */
  adminToken: 'adminToken',
  /** The dashboard's session cookie (`mara_session`), from `POST /app/api/session`. */
  dashboardSession: 'dashboardSession',
  /** The ingestion key as the Basic-auth username, the way Segment libraries send a write key. */
  segmentWriteKey: 'segmentWriteKey',
  /** `?token=API_KEY.SERVER_TOKEN`, whose last `.`-separated part is the ingestion key (Usermaven). */
  usermavenToken: 'usermavenToken',
} as const;
export type SecurityScheme = (typeof SECURITY)[keyof typeof SECURITY];

type ErrorDoc = { meaning: string; example: string };

/** What each code means, and a message the server really sends for it (used as the example). */
const ERROR_DOCS: Record<ErrorCode, ErrorDoc> = {
  bad_request: {
    meaning: 'the body or a parameter fails validation; the message names the field path',
    example: 'batch[3].event: must be 1 to 120 letters, digits, spaces or . _ : - /',
  },
  unauthorized: { meaning: 'missing or wrong credentials', example: 'missing or wrong ingestion key' },
  invalid_signature: {
    meaning: 'missing, malformed or wrong signature headers, or a timestamp more than 300 s away',
    example: 'missing or invalid webhook signature',
  },
  forbidden: {
    meaning: 'a dashboard session request from another origin, or a state change without its CSRF token',
    example: 'request from another origin',
  },
  not_found: { meaning: 'no such resource', example: 'tenant not found' },
  conflict: {
    meaning: 'the resource is in a state that forbids the action',
    example: 'clerk import: 3f0c2a4e-8d1b-4c3a-9e2f-0a1b2c3d4e5f is already running for this tenant',
  },
  payload_too_large: { meaning: `the body exceeds ${MAX_BODY_BYTES / 1024 / 1024} MB`, example: `body: exceeds ${MAX_BODY_BYTES} bytes` },
  no_ingestion_key: {
    meaning: 'no ingestion key has been generated for this tenant yet',
    example: 'no ingestion key has been generated for this tenant yet',
  },
  no_webhook_secret: {
    meaning: "the tenant has no signing secret for this provider",
    example: 'no stripe signing secret is configured for this tenant',
  },
  unsupported_media_type: {
    meaning: 'the body is not `application/json`',
    example: 'Content-Type must be application/json',
  },
  rate_limited: {
    meaning: "over the tenant's rate limit; wait `Retry-After` seconds",
    example: 'rate limit exceeded; retry after 6 s',
  },
  infra: {
    meaning: 'something broke on the server; nothing was written, so it is safe to retry',
    example: 'internal error (request 0b7c4e1a-5a43-4f7e-9d1e-3f1c2a9b8d77); safe to retry',
  },
};

/** `{ok: false, code, message}`: the body of every non-2xx answer (docs/api.md#errors). */
export class ErrorEnvelope {
  @ApiProperty({ type: 'boolean', enum: [false], example: false })
  ok: false;

  @ApiProperty({ enum: ERROR_CODES, enumName: 'ErrorCode', example: 'bad_request' })
  code: ErrorCode;

  @ApiProperty({ description: 'Human-readable; for `bad_request` it starts with the field path.', example: ERROR_DOCS.bad_request.example })
  message: string;
}

const integerHeader = (description: string): HeaderObject => ({ description, schema: { type: 'integer', minimum: 0 } });

/** Headers of every answer of a keyed intake route (docs/api.md#rate-limit). */
export const RATE_LIMIT_HEADERS: Record<string, HeaderObject> = {
  'RateLimit-Limit': integerHeader("The bucket's capacity (the tenant's `burst`)."),
  'RateLimit-Remaining': integerHeader('Whole requests left in the bucket.'),
  'RateLimit-Reset': integerHeader('Seconds until the bucket is full again.'),
};

const RETRY_AFTER_HEADERS: Record<string, HeaderObject> = {
  'Retry-After': integerHeader('Seconds until the next request is allowed (rounded up).'),
  ...RATE_LIMIT_HEADERS,
};

function codesOf(errors: Array<ErrorCode | ErrorStatus>): ErrorCode[] {
  const codes = errors.flatMap((e) => (typeof e === 'number' ? ERROR_CODES.filter((c) => ERROR_STATUS[c] === e) : [e]));
  return [...new Set(codes)];
}

/** One error response: the ErrorEnvelope, with the meaning and an example of each code. */
function errorResponse(status: number, docs: Array<[ErrorCode, ErrorDoc]>): MethodDecorator & ClassDecorator {
  return ApiResponse({
    status,
    description: docs.map(([c, d]) => `\`${c}\`: ${d.meaning}.`).join(' '),
    type: ErrorEnvelope,
    ...(status === 429 ? { headers: RETRY_AFTER_HEADERS } : {}),
    examples: Object.fromEntries(
      docs.map(([c, d]) => [c, { summary: c, value: { ok: false, code: c, message: d.example } }]),
    ),
  });
}

/**
 * Declares the error answers of a route, one response per status, each the ErrorEnvelope with
 * an example per code. Takes statuses (every code with that status) or codes (just that one,
 * e.g. `invalid_signature` for a webhook's 401): `@ApiErrors(400, 404)`.
 */
export function ApiErrors(...errors: Array<ErrorCode | ErrorStatus>): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codesOf(errors)) {
    byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  }
  return applyDecorators(
    ...[...byStatus].map(([status, codes]) => errorResponse(status, codes.map((c) => [c, ERROR_DOCS[c]]))),
  );
}

/**
 * One error code in a route's own words, where the shared meaning or example would mislead
 * (a smaller body limit, a route-specific message): `@ApiErrorAs('not_found', {meaning, example})`.
 */
export function ApiErrorAs(code: ErrorCode, doc: ErrorDoc): MethodDecorator & ClassDecorator {
  return errorResponse(ERROR_STATUS[code], [[code, doc]]);
}

/** Errors any route with a JSON body can answer before its handler runs (src/common/http/body.ts). */
export const JSON_BODY_ERRORS = [400, 413, 415] as const satisfies readonly ErrorStatus[];

/**
 * The document side of `@Access(...)`: the security requirement and the errors the access check
 * itself answers. Every route says its access (deny by default), so every route gets its `infra`
 * 500 and, when admin, its scheme and 401 here rather than by hand.
 */
export function accessDocs(access: RouteAccess): Array<MethodDecorator & ClassDecorator> {
  const docs: Array<MethodDecorator & ClassDecorator> = [ApiErrors('infra')];
  if (access === 'admin') {
    docs.push(ApiSecurity(SECURITY.adminToken), ApiSecurity(SECURITY.dashboardSession), ApiErrors('unauthorized', 'forbidden'));
  }
  if (access === 'session') docs.push(ApiSecurity(SECURITY.dashboardSession), ApiErrors('unauthorized', 'forbidden'));
  return docs;
}

/**
 * The document side of `@IngestionKeyAuth(...)`: one alternative security requirement per key
 * source the guard accepts, and the guard's own answers (401, and 429 from the rate limit).
 */
export function ingestionKeyDocs(schemes: SecurityScheme[]): Array<MethodDecorator & ClassDecorator> {
  return [...schemes.map((scheme) => ApiSecurity(scheme)), ApiErrors('unauthorized', 'rate_limited')];
}

/**
 * `Scalar`: a flat value, the only kind kept in traits, properties and attributes (a plain
 * schema, registered by name in the document's components).
 */
export const SCALAR_SCHEMA: SchemaObject = {
  description: 'A flat value: string, number, boolean or null. Objects and arrays are dropped (with a warning).',
  oneOf: [{ type: 'string', nullable: true }, { type: 'number' }, { type: 'boolean' }],
};

/** A property holding a flat map of scalars (traits, properties, attributes). */
export function ApiScalarMap(options: ApiPropertyOptions & { required?: boolean } = {}): PropertyDecorator {
  const { required = true, ...rest } = options;
  const schema = { type: 'object', additionalProperties: { $ref: getSchemaPath('Scalar') }, ...rest } as ApiPropertyOptions;
  return required ? ApiProperty(schema) : ApiPropertyOptional(schema);
}

/** `{tenantId}` in a path. */
export const ApiTenantParam = (): MethodDecorator & ClassDecorator =>
  ApiParam({ name: 'tenantId', type: String, format: 'uuid', description: 'The tenant id (from `POST /admin/tenants`).' });

/**
 * A concrete page class for the document (`{items, nextCursor}` of docs/api.md#paging), e.g.
 * `class TenantPage extends PageOf(TenantView) {}`: generics do not survive to runtime metadata.
 */
export function PageOf<T>(item: Type<T>): Type<Page<T>> {
  class PageOfItems implements Page<T> {
    @ApiProperty({ type: () => item, isArray: true })
    items: T[];

    @ApiProperty({
      type: 'string',
      nullable: true,
      description: 'Pass as `cursor` to get the next page; null on the last page.',
    })
    nextCursor: string | null;
  }
  return PageOfItems;
}
