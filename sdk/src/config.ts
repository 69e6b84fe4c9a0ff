/** Where to find Mara: from the events URL of the settings page, or from explicit options. */
export interface Endpoint {
  /** Origin (and path prefix, if Mara is served under one) of every route: `https://mara.example.com`. */
  baseUrl: string;
  /** The tenant of the events URL; only the Events API needs it. */
  tenantId: string | null;
}

const EVENTS_PATH = /^(.*)\/api\/tenants\/([^/]+)\/events\/?$/;

/**
 * Splits the events URL shown under Settings → Integrations → Events API
 * (`https://mara.example.com/api/tenants/{tenantId}/events`) into the base URL and tenant id.
 */
export function parseEventsUrl(eventsUrl: string): { baseUrl: string; tenantId: string } {
  let url: URL;
  try {
    url = new URL(eventsUrl);
  } catch {
    throw new TypeError(`Mara events URL is not a URL: ${JSON.stringify(eventsUrl)}`);
  }
  const match = EVENTS_PATH.exec(url.pathname);
  if (!match) {
    throw new TypeError(`Mara events URL must look like https://host/api/tenants/{tenantId}/events, got ${JSON.stringify(eventsUrl)}`);
  }
  return { baseUrl: `${url.origin}${match[1]}`, tenantId: decodeURIComponent(match[2]) };
}

/** `process.env` where there is one (Node, Bun, Deno's compatibility layer), else nothing. */
export function env(name: string): string | undefined {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
  return value === '' ? undefined : value;
}

export function resolveEndpoint(options: { eventsUrl?: string; baseUrl?: string; tenantId?: string }): Endpoint {
  const eventsUrl = options.eventsUrl ?? env('MARA_EVENTS_URL');
  const fromEvents = eventsUrl ? parseEventsUrl(eventsUrl) : null;
  const baseUrl = (options.baseUrl ?? fromEvents?.baseUrl)?.replace(/\/+$/, '');
  if (!baseUrl) {
    throw new TypeError('Mara: set MARA_EVENTS_URL (the events URL from the settings page), or pass eventsUrl or baseUrl');
  }
  return { baseUrl, tenantId: options.tenantId ?? fromEvents?.tenantId ?? null };
}
