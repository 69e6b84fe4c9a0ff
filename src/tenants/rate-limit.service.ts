import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DEFAULT_RATE_LIMIT } from './tenants.service.js';

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
 * The token bucket of docs/api.md#rate-limit, held in PostgreSQL so that every instance shares it.
 * One statement takes a token: the row lock serialises concurrent takers, and the refill is
 * computed from the time since the last take, so no timer or per-process state is involved.
 */
@Injectable()
export class RateLimitService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async take(tenantId: string): Promise<BucketAnswer> {
    let rows = await this.consume(tenantId);
    if (rows.length === 0) {
      await this.dataSource.query(
        `INSERT INTO tenant_rate_limits (tenant_id, requests_per_hour, burst, tokens, updated_at)
         VALUES ($1, $2, $3, $3, clock_timestamp()) ON CONFLICT (tenant_id) DO NOTHING`,
        [tenantId, DEFAULT_RATE_LIMIT.requestsPerHour, DEFAULT_RATE_LIMIT.burst],
      );
      rows = await this.consume(tenantId);
    }
    const { allowed, tokens, burst, requests_per_hour: perHour } = rows[0];
    const perSecond = perHour / 3600;
    return {
      allowed,
      limit: burst,
      remaining: Math.max(0, Math.floor(tokens)),
      resetSeconds: Math.max(0, Math.ceil((burst - tokens) / perSecond)),
      retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perSecond)),
    };
  }

  private async consume(
    tenantId: string,
  ): Promise<Array<{ allowed: boolean; tokens: number; burst: number; requests_per_hour: number }>> {
    // TypeORM answers an UPDATE with [rows, affectedCount].
    const [rows] = await this.dataSource.query(
      // Losing a bucket update in a crash only returns a token, so this statement does not wait
      // for its WAL flush (synchronous_commit off for its own implicit transaction).
      `WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)),
       cur AS (
         SELECT tenant_id,
                LEAST(burst::float8, tokens + GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp() - updated_at)::float8)
                      * requests_per_hour / 3600.0) AS avail
           FROM tenant_rate_limits WHERE tenant_id = $1 FOR UPDATE)
       UPDATE tenant_rate_limits r
          SET tokens = CASE WHEN cur.avail >= 1 THEN cur.avail - 1 ELSE cur.avail END,
              updated_at = clock_timestamp()
         FROM cur, relaxed
        WHERE r.tenant_id = cur.tenant_id
       RETURNING cur.avail >= 1 AS allowed, r.tokens, r.burst, r.requests_per_hour`,
      [tenantId],
    );
    return rows;
  }
}
