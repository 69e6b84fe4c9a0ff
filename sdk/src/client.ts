import { randomUUID } from 'node:crypto';
import createClient, { type Client } from 'openapi-fetch';
import { env, resolveEndpoint } from './config.js';
import { apiError } from './errors.js';
import type { paths } from './generated/schema.js';
import { EventQueue, type EventQueueOptions } from './queue.js';
import { DEFAULT_RETRY, retryingFetch, type FetchLike, type RetryOptions } from './transport.js';
import type {
  ConsentStatus,
  Contact,
  ContactEventPage,
  ContactExport,
  ContactPage,
  ContactsQuery,
  CreateJourney,
  EventsOp,
  IngestionHealth,
  IngestionKey,
  Integrations,
  Journey,
  JourneyPage,
  JourneyRunPage,
  MessagePage,
  OpResult,
  PageQuery,
  RateLimit,
  SignupEvent,
  Suppression,
  SuppressionPage,
  Tenant,
  TenantPage,
  UpdateJourney,
  WebhookDeliveriesQuery,
  WebhookDeliveryDetail,
  WebhookDeliveryPage,
  WebhookProvider,
  WebhookReplay,
} from './types.js';

/** Ops per Events API request (the server's limit). */
export const MAX_BATCH = 100;

export interface MaraClientOptions extends Partial<RetryOptions> {
  /** The events URL from Settings → Integrations → Events API. Default: `MARA_EVENTS_URL`. */
  eventsUrl?: string;
  /** Where Mara is served, e.g. `https://mara.example.com`. Default: derived from the events URL. */
  baseUrl?: string;
  /** Default: derived from the events URL. */
  tenantId?: string;
  /** The tenant's ingestion key (`mara_ing_...`), for `events`. Default: `MARA_INGESTION_KEY`. */
  ingestionKey?: string;
  /** ADMIN_API_TOKEN, for `admin`. */
  adminToken?: string;
  /** A fetch to send with (tests, proxies, instrumentation). Default: the global fetch. */
  fetch?: FetchLike;
}

export interface SendOptions {
  signal?: AbortSignal;
}

export interface MaraClient {
  readonly baseUrl: string;
  readonly tenantId: string | null;
  readonly events: {
    /**
     * Sends ops in batches of 100 (one request each, in order) and returns one result per op, in
     * the order given (`index` is the position in `ops`). Safe to call again with the same ops:
     * tracks with a `messageId` already stored answer `duplicate`.
     */
    send(ops: EventsOp | EventsOp[], options?: SendOptions): Promise<OpResult[]>;
    /** A fire-and-forget queue on this client (see EventQueue). */
    queue(options?: EventQueueOptions): EventQueue;
  };
  readonly admin: {
    readonly tenants: {
      create(body: { name: string }): Promise<Tenant>;
      list(query?: PageQuery): Promise<TenantPage>;
      get(tenantId: string): Promise<Tenant>;
      /** The only answer that shows the raw key; the previous key stops working at once. */
      generateIngestionKey(tenantId: string): Promise<IngestionKey>;
      integrations(tenantId: string): Promise<Integrations>;
      /** Also seeds a draft welcome journey for that event type (once per event type): `journeyId`. */
      setSignupEvent(tenantId: string, eventType: string): Promise<SignupEvent>;
      setWebhookSecret(tenantId: string, provider: WebhookProvider, secret: string): Promise<void>;
      deleteWebhookSecret(tenantId: string, provider: WebhookProvider): Promise<void>;
      setRateLimit(tenantId: string, limit: RateLimit): Promise<RateLimit>;
    };
    readonly contacts: {
      list(tenantId: string, query?: ContactsQuery): Promise<ContactPage>;
      get(tenantId: string, contactId: string): Promise<Contact>;
      /** The contact's events, newest first. */
      events(tenantId: string, contactId: string, query?: PageQuery): Promise<ContactEventPage>;
      /**
       * Erases the contact and everything tied to it (GDPR Art. 17); its addresses are suppressed
       * from then on. See docs/data-rights.md#erase.
       */
      erase(tenantId: string, contactId: string): Promise<void>;
      /** Grants or withdraws lifecycle consent; a withdrawn one is never granted again by intake. */
      setConsent(tenantId: string, contactId: string, status: ConsentStatus): Promise<Contact>;
      /** Everything held about the contact (GDPR Art. 15): contact, events, runs, messages. */
      export(tenantId: string, contactId: string): Promise<ContactExport>;
      /** Merges `fromContactId` into `contactId` (the survivor, answered); the other's identities become aliases. */
      merge(tenantId: string, contactId: string, fromContactId: string): Promise<Contact>;
    };
    /** The suppression list (hashes only): addresses journeys never email. */
    readonly suppressions: {
      list(tenantId: string, query?: PageQuery): Promise<SuppressionPage>;
      add(tenantId: string, email: string, reason?: string): Promise<Suppression>;
      /** The address may receive journey email again. */
      lift(tenantId: string, email: string): Promise<void>;
    };
    ingestionHealth(tenantId: string): Promise<IngestionHealth>;
    readonly journeys: {
      list(tenantId: string, query?: PageQuery): Promise<JourneyPage>;
      /** A new journey is a draft: it starts no runs until approved. */
      create(tenantId: string, body: CreateJourney): Promise<Journey>;
      get(tenantId: string, journeyId: string): Promise<Journey>;
      /** Edits a draft or paused journey (an active one answers 409 `conflict`: pause it first). */
      update(tenantId: string, journeyId: string, body: UpdateJourney): Promise<Journey>;
      /** draft or paused → active. */
      approve(tenantId: string, journeyId: string): Promise<Journey>;
      /** active → paused. */
      pause(tenantId: string, journeyId: string): Promise<Journey>;
      /** The journey's runs with their step history, newest first. */
      runs(tenantId: string, journeyId: string, query?: PageQuery): Promise<JourneyRunPage>;
    };
    /** The email outbox, newest first. */
    messages(tenantId: string, query?: PageQuery): Promise<MessagePage>;
    /** The webhook delivery log: every verified Stripe, Polar and Clerk delivery with its outcome. */
    readonly webhookDeliveries: {
      /** Newest first; filter by `provider` and `status` (ok, ignored, duplicate, failed). */
      list(tenantId: string, query?: WebhookDeliveriesQuery): Promise<WebhookDeliveryPage>;
      /** With `payload`: the provider's JSON as received. */
      get(tenantId: string, deliveryId: string): Promise<WebhookDeliveryDetail>;
      /**
       * Runs the current mapping on the stored payload. Idempotent: a delivery that already
       * recorded its event answers `duplicate`; a `failed` one is processed (and turns `ok`).
       */
      replay(tenantId: string, deliveryId: string): Promise<WebhookReplay>;
    };
  };
  /** The typed openapi-fetch client (with the same retries), for routes without a helper. */
  readonly raw: Client<paths>;
}

const EVENTS_ROUTE = /\/api\/tenants\/[^/]+\/events$/;
const REPLAY_ROUTE = /\/admin\/tenants\/[^/]+\/webhook-deliveries\/[^/]+\/replay$/;

/**
 * Resending is harmless for reads, PUT and DELETE, for Events API posts (their track ops all
 * carry a messageId, see `withMessageId`, and identify ops are upserts), and for webhook replays
 * (the lifecycle event's messageId derives from the provider's event id).
 */
function isIdempotent(request: Request): boolean {
  if (request.method !== 'POST') return true;
  const { pathname } = new URL(request.url);
  return EVENTS_ROUTE.test(pathname) || REPLAY_ROUTE.test(pathname);
}

/**
 * A track op without a messageId gets a random one before its first attempt, so that the
 * client's own retries (after a timeout, say) cannot record it twice. Your own deterministic
 * ids (messageIdFor) also make *your* retries safe; prefer them.
 */
function withMessageId(op: EventsOp): EventsOp {
  return op.type === 'track' && !op.messageId ? { ...op, messageId: randomUUID() } : op;
}

type ApiResult<D> = { data?: D; error?: unknown; response: Response };

/** The data of a 2xx answer; a MaraApiError for anything else (a rejection, never a synchronous throw). */
async function unwrap<D>(call: () => Promise<ApiResult<D>>): Promise<D> {
  const { data, error, response } = await call();
  if (!response.ok) throw apiError(response, error);
  return data as D;
}

/** A client for Mara's Events API and admin API; see the README for the practices it carries. */
export function createMaraClient(options: MaraClientOptions = {}): MaraClient {
  const { baseUrl, tenantId } = resolveEndpoint(options);
  const ingestionKey = options.ingestionKey ?? env('MARA_INGESTION_KEY');
  const { adminToken } = options;
  const fetch = retryingFetch({
    ...DEFAULT_RETRY,
    ...Object.fromEntries(
      Object.entries({
        maxRetries: options.maxRetries,
        timeoutMs: options.timeoutMs,
        minRetryDelayMs: options.minRetryDelayMs,
        maxRetryDelayMs: options.maxRetryDelayMs,
        maxRetryAfterMs: options.maxRetryAfterMs,
      }).filter(([, value]) => value !== undefined),
    ),
    fetch: options.fetch ?? ((request) => globalThis.fetch(request)),
    isIdempotent,
  });
  const raw = createClient<paths>({ baseUrl, fetch });

  const ingestionAuth = (): { Authorization: string } => {
    if (!ingestionKey) throw new TypeError('Mara: set MARA_INGESTION_KEY or pass ingestionKey');
    return { Authorization: `Bearer ${ingestionKey}` };
  };
  const adminAuth = (): { Authorization: string } => {
    if (!adminToken) throw new TypeError('Mara: pass adminToken (ADMIN_API_TOKEN) to use the admin API');
    return { Authorization: `Bearer ${adminToken}` };
  };
  const eventsTenant = (): string => {
    if (!tenantId) throw new TypeError('Mara: set MARA_EVENTS_URL or pass tenantId to send events');
    return tenantId;
  };

  const postBatch = async (batch: EventsOp[], signal?: AbortSignal): Promise<OpResult[]> => {
    const answer = await unwrap(
      () => raw.POST('/api/tenants/{tenantId}/events', {
        params: { path: { tenantId: eventsTenant() } },
        headers: ingestionAuth(),
        body: { batch },
        signal,
      }),
    );
    return answer.results;
  };

  const send = async (ops: EventsOp | EventsOp[], sendOptions: SendOptions = {}): Promise<OpResult[]> => {
    const prepared = (Array.isArray(ops) ? ops : [ops]).map(withMessageId);
    const results: OpResult[] = [];
    for (let start = 0; start < prepared.length; start += MAX_BATCH) {
      const answers = await postBatch(prepared.slice(start, start + MAX_BATCH), sendOptions.signal);
      results.push(...answers.map((r) => ({ ...r, index: r.index + start })));
    }
    return results;
  };

  const tenantPath = (id: string): { params: { path: { tenantId: string } } } => ({ params: { path: { tenantId: id } } });
  const journeyPath = (id: string, journeyId: string): { params: { path: { tenantId: string; journeyId: string } } } => ({
    params: { path: { tenantId: id, journeyId } },
  });
  const contactPath = (id: string, contactId: string): { params: { path: { tenantId: string; contactId: string } } } => ({
    params: { path: { tenantId: id, contactId } },
  });
  const deliveryPath = (id: string, deliveryId: string): { params: { path: { tenantId: string; deliveryId: string } } } => ({
    params: { path: { tenantId: id, deliveryId } },
  });

  return {
    baseUrl,
    tenantId,
    events: {
      send,
      queue: (queueOptions) => new EventQueue((batch) => postBatch(batch), withMessageId, queueOptions),
    },
    admin: {
      tenants: {
        create: (body) => unwrap(() => raw.POST('/admin/tenants', { body, headers: adminAuth() })),
        list: (query = {}) => unwrap(() => raw.GET('/admin/tenants', { params: { query }, headers: adminAuth() })),
        get: (id) => unwrap(() => raw.GET('/admin/tenants/{tenantId}', { ...tenantPath(id), headers: adminAuth() })),
        generateIngestionKey: (id) =>
          unwrap(() => raw.POST('/admin/tenants/{tenantId}/ingestion-key', { ...tenantPath(id), headers: adminAuth() })),
        integrations: (id) => unwrap(() => raw.GET('/admin/tenants/{tenantId}/integrations', { ...tenantPath(id), headers: adminAuth() })),
        setSignupEvent: (id, eventType) =>
          unwrap(() => raw.PUT('/admin/tenants/{tenantId}/signup-event', { ...tenantPath(id), body: { eventType }, headers: adminAuth() })),
        setWebhookSecret: (id, provider, secret) =>
          unwrap(
            () => raw.PUT('/admin/tenants/{tenantId}/webhook-secrets/{provider}', {
              params: { path: { tenantId: id, provider } },
              body: { secret },
              headers: adminAuth(),
            }),
          ),
        deleteWebhookSecret: (id, provider) =>
          unwrap(
            () => raw.DELETE('/admin/tenants/{tenantId}/webhook-secrets/{provider}', {
              params: { path: { tenantId: id, provider } },
              headers: adminAuth(),
            }),
          ),
        setRateLimit: (id, limit) =>
          unwrap(() => raw.PUT('/admin/tenants/{tenantId}/rate-limit', { ...tenantPath(id), body: limit, headers: adminAuth() })),
      },
      contacts: {
        list: (id, query = {}) =>
          unwrap(() => raw.GET('/admin/tenants/{tenantId}/contacts', { params: { path: { tenantId: id }, query }, headers: adminAuth() })),
        get: (id, contactId) =>
          unwrap(
            () => raw.GET('/admin/tenants/{tenantId}/contacts/{contactId}', {
              params: { path: { tenantId: id, contactId } },
              headers: adminAuth(),
            }),
          ),
        events: (id, contactId, query = {}) =>
          unwrap(
            () => raw.GET('/admin/tenants/{tenantId}/contacts/{contactId}/events', {
              params: { path: { tenantId: id, contactId }, query },
              headers: adminAuth(),
            }),
          ),
        erase: (id, contactId) =>
          unwrap(() => raw.DELETE('/admin/tenants/{tenantId}/contacts/{contactId}', { ...contactPath(id, contactId), headers: adminAuth() })),
        setConsent: (id, contactId, status) =>
          unwrap(
            () => raw.PUT('/admin/tenants/{tenantId}/contacts/{contactId}/consent', { ...contactPath(id, contactId), body: { status }, headers: adminAuth() }),
          ),
        export: (id, contactId) =>
          unwrap(() => raw.GET('/admin/tenants/{tenantId}/contacts/{contactId}/export', { ...contactPath(id, contactId), headers: adminAuth() })),
        merge: (id, contactId, from) =>
          unwrap(
            () => raw.POST('/admin/tenants/{tenantId}/contacts/{contactId}/merge', { ...contactPath(id, contactId), body: { from }, headers: adminAuth() }),
          ),
      },
      suppressions: {
        list: (id, query = {}) =>
          unwrap(() => raw.GET('/admin/tenants/{tenantId}/suppressions', { params: { path: { tenantId: id }, query }, headers: adminAuth() })),
        add: (id, email, reason) =>
          unwrap(() =>
            raw.POST('/admin/tenants/{tenantId}/suppressions', { ...tenantPath(id), body: reason === undefined ? { email } : { email, reason }, headers: adminAuth() }),
          ),
        lift: (id, email) =>
          unwrap(() =>
            raw.DELETE('/admin/tenants/{tenantId}/suppressions/{email}', { params: { path: { tenantId: id, email } }, headers: adminAuth() }),
          ),
      },
      ingestionHealth: (id) =>
        unwrap(() => raw.GET('/admin/tenants/{tenantId}/ingestion-health', { ...tenantPath(id), headers: adminAuth() })),
      journeys: {
        list: (id, query = {}) =>
          unwrap(() => raw.GET('/admin/tenants/{tenantId}/journeys', { params: { path: { tenantId: id }, query }, headers: adminAuth() })),
        create: (id, body) =>
          unwrap(() => raw.POST('/admin/tenants/{tenantId}/journeys', { ...tenantPath(id), body, headers: adminAuth() })),
        get: (id, journeyId) =>
          unwrap(() => raw.GET('/admin/tenants/{tenantId}/journeys/{journeyId}', { ...journeyPath(id, journeyId), headers: adminAuth() })),
        update: (id, journeyId, body) =>
          unwrap(
            () => raw.PATCH('/admin/tenants/{tenantId}/journeys/{journeyId}', { ...journeyPath(id, journeyId), body, headers: adminAuth() }),
          ),
        approve: (id, journeyId) =>
          unwrap(
            () => raw.POST('/admin/tenants/{tenantId}/journeys/{journeyId}/approve', { ...journeyPath(id, journeyId), headers: adminAuth() }),
          ),
        pause: (id, journeyId) =>
          unwrap(
            () => raw.POST('/admin/tenants/{tenantId}/journeys/{journeyId}/pause', { ...journeyPath(id, journeyId), headers: adminAuth() }),
          ),
        runs: (id, journeyId, query = {}) =>
          unwrap(
            () => raw.GET('/admin/tenants/{tenantId}/journeys/{journeyId}/runs', {
              params: { path: { tenantId: id, journeyId }, query },
              headers: adminAuth(),
            }),
          ),
      },
      messages: (id, query = {}) =>
        unwrap(() => raw.GET('/admin/tenants/{tenantId}/messages', { params: { path: { tenantId: id }, query }, headers: adminAuth() })),
      webhookDeliveries: {
        list: (id, query = {}) =>
          unwrap(() =>
            raw.GET('/admin/tenants/{tenantId}/webhook-deliveries', { params: { path: { tenantId: id }, query }, headers: adminAuth() }),
          ),
        get: (id, deliveryId) =>
          unwrap(() => raw.GET('/admin/tenants/{tenantId}/webhook-deliveries/{deliveryId}', { ...deliveryPath(id, deliveryId), headers: adminAuth() })),
        replay: (id, deliveryId) =>
          unwrap(
            () => raw.POST('/admin/tenants/{tenantId}/webhook-deliveries/{deliveryId}/replay', { ...deliveryPath(id, deliveryId), headers: adminAuth() }),
          ),
      },
    },
    raw,
  };
}
