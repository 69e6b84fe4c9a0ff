import { Injectable } from '@nestjs/common';
import { RateLimitsRepository, type TakenBucket } from './rate-limits.repository.js';

export interface BucketAnswer {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** Seconds until the next whole token, rounded up (for Retry-After). */
  retryAfterSeconds: number;
}

/**
 * The per-tenant token bucket (docs/api.md, rate limit): one take per keyed request, in the
 * database (RateLimitsRepository.take), answered as the RateLimit-* and Retry-After figures.
 */
@Injectable()
export class RateLimitService {
  constructor(private readonly buckets: RateLimitsRepository) {}

  async take(tenantId: string): Promise<BucketAnswer> {
    return answer(await this.buckets.take(tenantId));
  }

  /**
   * The tenant's ingestion-key hash and, when `keyHash` is it, the take, in one statement
   * (RateLimitsRepository.takeWithKey); `answer` is null when no token was taken.
   */
  async takeWithKey(tenantId: string, keyHash: string | null): Promise<{ hash: string | null | undefined; answer: BucketAnswer | null }> {
    const { hash, taken } = await this.buckets.takeWithKey(tenantId, keyHash);
    return { hash, answer: taken ? answer(taken) : null };
  }
}

function answer({ allowed, tokens, burst, requestsPerHour }: TakenBucket): BucketAnswer {
  const perSecond = requestsPerHour / 3600;
  return {
    allowed,
    limit: burst,
    remaining: Math.max(0, Math.floor(tokens)),
    resetSeconds: Math.max(0, Math.ceil((burst - tokens) / perSecond)),
    retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perSecond)),
  };
}
