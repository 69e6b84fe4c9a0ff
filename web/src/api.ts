/**
 * The dashboard's one way to the server: openapi-fetch typed on the generated SDK schema, so a
 * route or DTO change breaks this build. The session cookie rides along by itself (same
 * origin); state changes add the session's CSRF token. The admin token is only ever sent once,
 * by `signIn`, and never kept.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from '../../sdk/src/generated/schema';

export type Schemas = components['schemas'];
export type Tenant = Schemas['TenantView'];
export type Integrations = Schemas['IntegrationsView'];
export type IngestionKey = Schemas['IngestionKeyView'];
export type ConnectorHealth = Schemas['ConnectorHealth'];
export type IngestionHealth = Schemas['IngestionHealthView'];
export type Contact = Schemas['ContactView'];
export type ContactEvent = Schemas['ContactEventView'];
export type Journey = Schemas['JourneyView'];
export type Run = Schemas['RunView'];
export type StepRecord = Schemas['StepRecord'];
export type Message = Schemas['MessageView'];
export type ClerkImport = Schemas['ClerkImportView'];
export type WebhookProvider = Schemas['WebhookProvider'];
export type WebhookDelivery = Schemas['WebhookDeliveryView'];
export type WebhookReplay = Schemas['WebhookReplayView'];
export type Session = Schemas['SessionView'];
export type Suppression = Schemas['SuppressionView'];
export type ConsentStatus = Schemas['ConsentStatus'];
export type ErrorEnvelope = Schemas['ErrorEnvelope'];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
const signedOutListeners = new Set<() => void>();

/** Called when any request answers 401: the session is gone, show the sign-in form. */
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });

api.use({
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD' && csrfToken) {
      request.headers.set('X-CSRF-Token', csrfToken);
    }
    return request;
  },
  onResponse({ response, request }) {
    const signingIn = request.method === 'POST' && new URL(request.url).pathname === '/app/api/session';
    if (response.status === 401 && !signingIn) {
      csrfToken = null;
      for (const listener of signedOutListeners) listener();
    }
    return response;
  },
});

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful answer, else an ApiError with the envelope's code and message. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached. Check your connection and try again.');
  }
  const { data, error, response } = result;
  if (response.ok) return data as T;
  const envelope = error as Partial<ErrorEnvelope> | undefined;
  throw new ApiError(response.status, envelope?.code ?? 'unknown', envelope?.message ?? `HTTP ${response.status}`);
}

/** The current session, or null when signed out. */
export async function loadSession(): Promise<Session | null> {
  const { data, response } = await api.GET('/app/api/session');
  if (response.status === 401) return null;
  if (!response.ok || !data) throw new ApiError(response.status, 'unknown', `HTTP ${response.status}`);
  csrfToken = data.csrfToken;
  return data;
}

/** Exchanges the admin token for a session cookie; the token is not kept anywhere. */
export async function signIn(token: string): Promise<Session> {
  const session = await unwrap(api.POST('/app/api/session', { body: { token } }));
  csrfToken = session.csrfToken;
  return session;
}

export async function signOut(): Promise<void> {
  try {
    await unwrap(api.DELETE('/app/api/session'));
  } finally {
    csrfToken = null;
  }
}

export const CONNECTOR_LABELS: Array<[keyof Schemas['ConnectorsHealth'], string]> = [
  ['events_api', 'Events API'],
  ['stripe', 'Stripe'],
  ['polar', 'Polar'],
  ['clerk', 'Clerk'],
  ['usermaven', 'Usermaven'],
  ['intake', 'Event Intake'],
  ['segment', 'Segment'],
];
