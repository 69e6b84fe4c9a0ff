import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A dashboard sign-in. The browser holds the raw session id in an HttpOnly cookie; the row holds
 * only its SHA-256, so a leaked table (or backup) opens no session.
 */
@Entity('dashboard_sessions')
export class DashboardSession {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'PK_dashboard_sessions' })
  id: string;

  /** SHA-256 (hex) of the raw session id. */
  @Index('uq_dashboard_sessions_token_hash', { unique: true })
  @Column('text', { name: 'token_hash' })
  tokenHash: string;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'last_seen_at', default: () => 'now()' })
  lastSeenAt: Date;

  /** Slides forward with use (idle timeout), never past `created_at` + the absolute lifetime. */
  @Index('ix_dashboard_sessions_expires_at')
  @Column('timestamptz', { name: 'expires_at' })
  expiresAt: Date;
}
