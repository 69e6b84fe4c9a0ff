import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';

export interface SessionRow {
  id: string;
  expiresAt: Date;
}

export interface SessionLifetime {
  idleSeconds: number;
  absoluteSeconds: number;
}

/** The statements on `dashboard_sessions`; each is one statement, keyed by the id's hash. */
@Injectable()
export class DashboardSessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(tokenHash: string, lifetime: SessionLifetime): Promise<SessionRow> {
    const rows: Array<{ id: string; expires_at: Date }> = await this.dataSource.query(
      `INSERT INTO dashboard_sessions (id, token_hash, created_at, last_seen_at, expires_at)
       VALUES ($1, $2, now(), now(), now() + make_interval(secs => LEAST($3::int, $4::int)))
       RETURNING id, expires_at`,
      [randomUUID(), tokenHash, lifetime.idleSeconds, lifetime.absoluteSeconds],
    );
    return { id: rows[0].id, expiresAt: rows[0].expires_at };
  }

  /**
   * The live session with this hash, its expiry slid forward by one use (idle timeout from now,
   * capped at the absolute lifetime); null when there is none or it has expired.
   */
  async touch(tokenHash: string, lifetime: SessionLifetime): Promise<SessionRow | null> {
    const [rows]: [Array<{ id: string; expires_at: Date }>, number] = await this.dataSource.query(
      `UPDATE dashboard_sessions
          SET last_seen_at = now(),
              expires_at = LEAST(created_at + make_interval(secs => $3::int), now() + make_interval(secs => $2::int))
        WHERE token_hash = $1 AND expires_at > now()
        RETURNING id, expires_at`,
      [tokenHash, lifetime.idleSeconds, lifetime.absoluteSeconds],
    );
    return rows.length > 0 ? { id: rows[0].id, expiresAt: rows[0].expires_at } : null;
  }

  async deleteByHash(tokenHash: string): Promise<void> {
    await this.dataSource.query('DELETE FROM dashboard_sessions WHERE token_hash = $1', [tokenHash]);
  }

  /** Removes sessions that can no longer be used. */
  async deleteExpired(): Promise<void> {
    await this.dataSource.query('DELETE FROM dashboard_sessions WHERE expires_at <= now()');
  }
}
