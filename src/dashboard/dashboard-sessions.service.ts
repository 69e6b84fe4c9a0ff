import { Inject, Injectable } from '@nestjs/common';
import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { secretsEqual } from '../common/secrets.js';
import { AppError, forbidden, unauthorized } from '../common/errors.js';
import type { SessionAuthenticator } from '../common/ports.js';
import type { AppRequest } from '../common/request-context.js';
import {
  clearedSessionCookieHeader,
  crossOriginProblem,
  CSRF_HEADER,
  sessionCookieHeader,
} from '../common/session-http.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DashboardSessionsRepository, type SessionLifetime } from './dashboard-sessions.repository.js';
import { SignInLimiter } from './sign-in-limiter.js';

/**
 * Idle timeout 12 h (each use slides the expiry), absolute lifetime 7 days from sign-in
 * (README, Dashboard).
 */
export const SESSION_LIFETIME: SessionLifetime = { idleSeconds: 12 * 3600, absoluteSeconds: 7 * 24 * 3600 };

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

export interface SessionView {
  csrfToken: string;
  expiresAt: string;
}

export interface SignedIn extends SessionView {
  /** The `Set-Cookie` header that carries the raw session id to the browser. */
  cookie: string;
}

/** Sign-in with the admin token, session lookup, CSRF tokens, sign-out. */
@Injectable()
export class DashboardSessionsService implements SessionAuthenticator {
  private readonly csrfKey: Buffer;
  private readonly limiter = new SignInLimiter();
  readonly secureCookie: boolean;

  constructor(
    private readonly repo: DashboardSessionsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.csrfKey = Buffer.from(hkdfSync('sha256', config.secretsKey, Buffer.alloc(0), 'mara dashboard csrf', 32));
    this.secureCookie = new URL(config.publicBaseUrl).protocol === 'https:';
  }

  /**
   * The CSRF token of a session: an HMAC of its raw id, so it needs no storage, differs per
   * session, and cannot be derived from anything stored in the database.
   */
  csrfToken(rawId: string): string {
    return createHmac('sha256', this.csrfKey).update(rawId).digest('base64url');
  }

  /** Exchanges the admin token for a new session; wrong tokens count against the address. */
  async signIn(token: string, address: string): Promise<SignedIn> {
    this.limiter.check(address);
    if (!secretsEqual(token, this.config.adminApiToken)) {
      this.limiter.fail(address);
      throw unauthorized('wrong admin token');
    }
    this.limiter.succeed(address);
    await this.repo.deleteExpired();
    const rawId = randomBytes(32).toString('base64url');
    const row = await this.repo.insert(sha256(rawId), SESSION_LIFETIME);
    return {
      csrfToken: this.csrfToken(rawId),
      expiresAt: row.expiresAt.toISOString(),
      cookie: sessionCookieHeader(rawId, { secure: this.secureCookie, maxAgeSeconds: SESSION_LIFETIME.absoluteSeconds }),
    };
  }

  /**
   * The session of a raw id, its expiry slid forward; else a 401 that also clears the stale
   * cookie.
   */
  async require(rawId: string | null): Promise<SessionView> {
    if (!rawId) throw unauthorized('sign in first: no dashboard session');
    const row = await this.repo.touch(sha256(rawId), SESSION_LIFETIME);
    if (!row) {
      throw new AppError('unauthorized', 'the dashboard session has expired or was signed out; sign in again', {
        'Set-Cookie': clearedSessionCookieHeader(this.secureCookie),
      });
    }
    return { csrfToken: this.csrfToken(rawId), expiresAt: row.expiresAt.toISOString() };
  }

  /** Throws 403 unless the request comes from the dashboard's own origin. */
  assertSameOrigin(req: AppRequest): void {
    const problem = crossOriginProblem(req, this.config.publicBaseUrl);
    if (problem) throw forbidden(problem);
  }

  /** Throws 403 unless the request carries this session's CSRF token. */
  assertCsrfToken(req: AppRequest, rawId: string): void {
    const sent = req.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || sent === '') throw forbidden(`missing ${CSRF_HEADER} header`);
    if (!secretsEqual(sent, this.csrfToken(rawId))) throw forbidden(`wrong ${CSRF_HEADER} header`);
  }

  async signOut(rawId: string): Promise<void> {
    await this.repo.deleteByHash(sha256(rawId));
  }

  clearedCookie(): string {
    return clearedSessionCookieHeader(this.secureCookie);
  }
}
