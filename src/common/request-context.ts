import type { RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';

/** What the app attaches to each request as it passes through middleware and guards. */
export interface AppRequest extends RawBodyRequest<Request> {
  id: string;
  /** Set by the ingestion-key guard. */
  tenantId?: string;
  /**
   * Set by the ingestion-key guard when the key check also took the rate-limit token (one
   * statement); the rate-limit guard then answers with it instead of taking another.
   */
  takenToken?: unknown;
  /** Set by the AccessGuard when a dashboard session cookie authenticated the request. */
  dashboardSession?: { rawId: string; csrfToken: string; expiresAt: string };
}
