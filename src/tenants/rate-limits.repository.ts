import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { pooledHotQuery } from '../common/hot-query.js';

export interface RateLimitSettings {
  requestsPerHour: number;
  burst: number;
}

/** A new tenant's bucket (docs/api.md, rate limit). */
export const DEFAULT_RATE_LIMIT: RateLimitSettings = { requestsPerHour: 600, burst: 600 };

/** A bucket after a take: whether the take got a token, and what is left. */
export interface TakenBucket extends RateLimitSettings {
  allowed: boolean;
  /** Tokens left (fractional: the bucket refills continuously). */
  tokens: number;
}

/**
 * The tokens a bucket holds now: what it held at `updated_at`, plus the refill since at
 * `requests_per_hour`, capped at `cap`. The one refill formula, on the database's clock
 * (`clock_timestamp()`, the time of the statement, also what `updated_at` is set to).
 */
const refilled = (table: string, cap: string): string =>
  `LEAST(${cap}, ${table}.tokens + GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp() - ${table}.updated_at)::float8)
                 * ${table}.requests_per_hour / 3600.0)`;

/**
 * RateLimitsRepository.takeWithKey's statement ($1 tenant, $2 the presented key's hash), a named
 * prepared statement (hotQuery): it runs before every keyed request.
 */
const KEY_TAKE = `WITH t AS (SELECT ingestion_key_hash AS hash FROM tenants WHERE id = $1),
     relaxed AS (SELECT set_config('synchronous_commit', 'off', true)),
     cur AS (
       SELECT tenant_id, ${refilled('tenant_rate_limits', 'burst::float8')} AS avail
         FROM tenant_rate_limits WHERE tenant_id = $1 AND (SELECT hash FROM t) = $2 FOR UPDATE),
     upd AS (
       UPDATE tenant_rate_limits r
          SET tokens = CASE WHEN cur.avail >= 1 THEN cur.avail - 1 ELSE cur.avail END,
              updated_at = clock_timestamp()
         FROM cur, relaxed
        WHERE r.tenant_id = cur.tenant_id
       RETURNING cur.avail >= 1 AS allowed, r.tokens, r.burst, r.requests_per_hour)
     SELECT t.hash, upd.allowed, upd.tokens, upd.burst, upd.requests_per_hour FROM t LEFT JOIN upd ON true`;

/**
 * The token buckets (`tenant_rate_limits`), one per tenant, held in PostgreSQL so that every
 * instance shares them. Each method is one statement: the row lock serialises concurrent takers,
 * and the refill is computed from the time since the last change, so no timer or per-process
 * state is involved.
 */
@Injectable()
export class RateLimitsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A full bucket for a new tenant, in the caller's transaction. */
  async open(em: EntityManager, tenantId: string, settings: RateLimitSettings = DEFAULT_RATE_LIMIT): Promise<void> {
    await em.query(
      `INSERT INTO tenant_rate_limits (tenant_id, requests_per_hour, burst, tokens, updated_at)
       VALUES ($1, $2::int, $3::int, $3::int, clock_timestamp()) ON CONFLICT (tenant_id) DO NOTHING`,
      [tenantId, settings.requestsPerHour, settings.burst],
    );
  }

  /**
   * Takes one token if the refilled bucket holds one. A tenant without a bucket row (created
   * before buckets existed, or its row removed) gets a full default bucket first.
   */
  async take(tenantId: string): Promise<TakenBucket> {
    let taken = await this.consume(tenantId);
    if (!taken) {
      await this.open(this.dataSource.manager, tenantId);
      taken = await this.consume(tenantId);
    }
    if (!taken) throw new Error(`no rate-limit bucket for tenant ${tenantId}`);
    return taken;
  }

  /**
   * The key check and the take in one statement (the path-tenant intake routes): the tenant's
   * ingestion-key hash (undefined: no such tenant; null: no key yet) and, only when `keyHash` is
   * that hash, the take. `taken` is null when no token was taken: a wrong or missing key drains
   * nothing, and a tenant without a bucket row gets one through take().
   */
  async takeWithKey(tenantId: string, keyHash: string | null): Promise<{ hash: string | null | undefined; taken: TakenBucket | null }> {
    const rows = await pooledHotQuery<{ hash: string | null; allowed: boolean | null; tokens: number; burst: number; requests_per_hour: number }>(
      this.dataSource,
      'mara_key_take',
      KEY_TAKE,
      [tenantId, keyHash ?? ''],
    );
    if (rows.length === 0) return { hash: undefined, taken: null };
    const [r] = rows;
    const taken = r.allowed === null ? null : { allowed: r.allowed, tokens: r.tokens, burst: r.burst, requestsPerHour: r.requests_per_hour };
    return { hash: r.hash, taken };
  }

  private async consume(tenantId: string): Promise<TakenBucket | null> {
    // TypeORM answers an UPDATE with [rows, affectedCount].
    const [rows]: [Array<{ allowed: boolean; tokens: number; burst: number; requests_per_hour: number }>, number] =
      await this.dataSource.query(
        // Losing a bucket update in a crash only returns a token, so this statement does not wait
        // for its WAL flush (synchronous_commit off for its own implicit transaction).
        `WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)),
         cur AS (
           SELECT tenant_id, ${refilled('tenant_rate_limits', 'burst::float8')} AS avail
             FROM tenant_rate_limits WHERE tenant_id = $1 FOR UPDATE)
         UPDATE tenant_rate_limits r
            SET tokens = CASE WHEN cur.avail >= 1 THEN cur.avail - 1 ELSE cur.avail END,
                updated_at = clock_timestamp()
           FROM cur, relaxed
          WHERE r.tenant_id = cur.tenant_id
         RETURNING cur.avail >= 1 AS allowed, r.tokens, r.burst, r.requests_per_hour`,
        [tenantId],
      );
    if (rows.length === 0) return null;
    const [r] = rows;
    return { allowed: r.allowed, tokens: r.tokens, burst: r.burst, requestsPerHour: r.requests_per_hour };
  }

  /**
   * New settings. The bucket keeps what it holds (refilled at the old rate up to now), capped at
   * the new burst; a tenant without a bucket gets a full one.
   */
  async configure(tenantId: string, settings: RateLimitSettings): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO tenant_rate_limits (tenant_id, requests_per_hour, burst, tokens, updated_at)
       VALUES ($1, $2::int, $3::int, $3::int, clock_timestamp())
       ON CONFLICT (tenant_id) DO UPDATE SET
         tokens = ${refilled('tenant_rate_limits', '$3::int::float8')},
         requests_per_hour = $2::int, burst = $3::int, updated_at = clock_timestamp()`,
      [tenantId, settings.requestsPerHour, settings.burst],
    );
  }

  /** The bucket's settings, or null when the tenant has no bucket row. */
  async findSettings(tenantId: string): Promise<RateLimitSettings | null> {
    const rows: Array<{ requests_per_hour: number; burst: number }> = await this.dataSource.query(
      'SELECT requests_per_hour, burst FROM tenant_rate_limits WHERE tenant_id = $1',
      [tenantId],
    );
    return rows.length === 0 ? null : { requestsPerHour: rows[0].requests_per_hour, burst: rows[0].burst };
  }
}
