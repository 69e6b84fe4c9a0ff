/**
 * The API's limits, each written once: the validators, the format mappers, the error messages
 * and the OpenAPI document all read them from here (docs/api.md#limits, docs/api.md#lengths).
 */

/** A request body, on every route (413 beyond; checked on Content-Length and while reading). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** `POST /u/{token}`: the one-click body is read and discarded, up to this. */
export const UNSUBSCRIBE_MAX_BODY_BYTES = 8 * 1024;
/** Nesting of any JSON body. */
export const MAX_JSON_DEPTH = 32;
/** One op, as JSON in UTF-8 (a 400 naming the op beyond). */
export const MAX_OP_BYTES = 32 * 1024;
/** Ops per Events API batch, messages per Usermaven array or Segment batch. */
export const MAX_BATCH_OPS = 100;

/** `userId`, `externalId`, `messageId` (and the formats' fields that become them). */
export const ID_MAX_LENGTH = 255;
/** An email address, after trimming (RFC 5321's path limit). */
export const EMAIL_MAX_LENGTH = 254;
/** A contact's display name. */
export const CONTACT_NAME_MAX_LENGTH = 200;
/** A tenant's or a journey's name. */
export const NAME_MAX_LENGTH = 200;
/** A webhook signing secret or the Clerk Backend API key; also the admin token at sign-in. */
export const SECRET_MAX_LENGTH = 1000;

/** An event type: the track `event`, a journey trigger, the signup event. */
export const EVENT_TYPE_PATTERN = /^[A-Za-z0-9 ._:\-/]{1,120}$/;
export const EVENT_TYPE_RULE = 'must be 1 to 120 letters, digits, spaces or . _ : - /';

/** `limit` of every list route. */
export const PAGE_LIMIT_DEFAULT = 50;
export const PAGE_LIMIT_MAX = 200;
/** `cursor` of every list route. */
export const CURSOR_MAX_LENGTH = 500;

/** `requestsPerHour` and `burst` of a tenant's rate limit. */
export const RATE_LIMIT_MAX = 1_000_000_000;

/** Journeys (docs/journeys.md#steps): steps at any one level, and how deep branches nest. */
export const JOURNEY_MAX_STEPS = 50;
export const JOURNEY_MAX_BRANCH_DEPTH = 3;
/** Conditions of a trigger's `where` or of a branch's `if`; event types of `exitOn`. */
export const JOURNEY_MAX_CONDITIONS = 20;
export const JOURNEY_MAX_EXIT_EVENTS = 20;
/** `maxEventAgeSeconds` and a wait's `seconds`: 366 days. */
export const JOURNEY_MAX_SECONDS = 366 * 24 * 3600;
export const JOURNEY_DEFAULT_MAX_EVENT_AGE_SECONDS = 86_400;
/** An email step's subject, text and html. */
export const EMAIL_SUBJECT_MAX_LENGTH = 200;
export const EMAIL_TEXT_MAX_LENGTH = 20_000;
export const EMAIL_HTML_MAX_LENGTH = 100_000;
