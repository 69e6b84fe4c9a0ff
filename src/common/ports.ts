import type { AppRequest } from './request-context.js';
import type { Scalar } from './vocabulary.js';

/*
 * What code in common needs from a feature module, declared here as abstract classes (which
 * are also Nest injection tokens) and provided by that module: common depends on no module.
 */

/** Dashboard sessions as the AccessGuard checks them; provided by the dashboard module. */
export abstract class SessionAuthenticator {
  /** The session of a raw id, its expiry slid forward; else a 401. */
  abstract require(rawId: string | null): Promise<{ csrfToken: string; expiresAt: string }>;
  /** Throws 403 unless the request comes from the dashboard's own origin. */
  abstract assertSameOrigin(req: AppRequest): void;
  /** Throws 403 unless the request carries this session's CSRF token. */
  abstract assertCsrfToken(req: AppRequest, rawId: string): void;
}

/**
 * The sanitization rules of traits and properties (docs/sanitization.md), for modules below
 * ingestion that write attributes (a journey's update_contact step); provided by ingestion.
 */
export abstract class FieldSanitizer {
  abstract sanitize(input: Record<string, unknown>, label: string): { values: Record<string, Scalar>; warnings: string[] };
}
