/**
 * The HTTP side of dashboard sessions: the cookie, the CSRF header and the same-origin rule.
 * Pure functions, shared by the pipeline middleware (which refuses cross-origin writes before
 * their body is read), the AccessGuard and the session controller.
 */
import type { AppRequest } from './request-context.js';

export const SESSION_COOKIE = 'mara_session';
export const CSRF_HEADER = 'x-csrf-token';
/** Methods that change nothing: they need a session but neither the CSRF token nor an origin check. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Paths a dashboard session can reach; the same-origin rule applies there only. */
const SESSION_PATHS = ['/admin/', '/app/'];

function header(req: AppRequest, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** The raw session id from the Cookie header, or null. */
export function sessionCookie(req: AppRequest): string | null {
  const raw = header(req, 'cookie');
  if (!raw) return null;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{16,128}$/.test(value) ? value : null;
    }
  }
  return null;
}

export interface CookieOptions {
  /** `Secure` flag: when PUBLIC_BASE_URL is https. */
  secure: boolean;
  maxAgeSeconds: number;
}

/** `Set-Cookie` value of the session cookie (HttpOnly, SameSite=Strict, Path=/). */
export function sessionCookieHeader(value: string, options: CookieOptions): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${options.maxAgeSeconds}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/** `Set-Cookie` value that removes the session cookie. */
export function clearedSessionCookieHeader(secure: boolean): string {
  return sessionCookieHeader('', { secure, maxAgeSeconds: 0 });
}

/**
 * Why a request does not come from the dashboard's own origin, or null when it does. A browser
 * sends `Sec-Fetch-Site` and `Origin` on every state-changing fetch and form post; either must
 * say same-origin and neither may say otherwise. The origin is the one in PUBLIC_BASE_URL or
 * the request's own `Host` (a browser sets that header itself; behind a TLS-terminating proxy
 * the scheme may differ, so both schemes are taken).
 */
export function crossOriginProblem(req: AppRequest, publicBaseUrl: string): string | null {
  const site = header(req, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return `request from another site (Sec-Fetch-Site: ${site})`;
  const origin = header(req, 'origin');
  if (origin === undefined) return site === 'same-origin' ? null : 'missing Origin header';
  const allowed = new Set([new URL(publicBaseUrl).origin]);
  const host = header(req, 'host');
  if (host) {
    allowed.add(`http://${host}`);
    allowed.add(`https://${host}`);
  }
  return allowed.has(origin) ? null : 'request from another origin';
}

/**
 * True for a request the same-origin rule applies to before anything else runs: a state change
 * on a dashboard path that carries the session cookie and no bearer token (a bearer request
 * cannot be forged by another page: browsers never add that header on their own).
 */
export function isCookieWrite(req: AppRequest): boolean {
  if (SAFE_METHODS.has(req.method)) return false;
  if (!SESSION_PATHS.some((p) => req.originalUrl.startsWith(p))) return false;
  if (req.headers.authorization !== undefined) return false;
  return header(req, 'cookie')?.includes(`${SESSION_COOKIE}=`) ?? false;
}
