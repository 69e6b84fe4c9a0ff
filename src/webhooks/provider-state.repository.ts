import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ProviderState, StateWrite } from './adapters/webhook-adapter.js';

/**
 * `provider_state`: what a connector remembers between deliveries, per tenant, provider and key
 * (docs/webhooks.md, "Provider state"). The caller holds the advisory locks on the keys.
 */
@Injectable()
export class ProviderStateRepository {
  async load(em: EntityManager, tenantId: string, provider: string, keys: string[]): Promise<Map<string, ProviderState>> {
    if (keys.length === 0) return new Map();
    const rows: Array<{ key: string; state: ProviderState }> = await em.query(
      'SELECT key, state FROM provider_state WHERE tenant_id = $1 AND provider = $2 AND key = ANY($3::text[])',
      [tenantId, provider, keys],
    );
    return new Map(rows.map((r) => [r.key, r.state]));
  }

  /** Writes every key's new state in one statement (in key order, so concurrent writers never deadlock). */
  async save(em: EntityManager, tenantId: string, provider: string, writes: StateWrite[], at: Date): Promise<void> {
    if (writes.length === 0) return;
    await em.query(
      `INSERT INTO provider_state (tenant_id, provider, key, state, updated_at)
       SELECT $1, $2, u.key, u.state::jsonb, $5 FROM unnest($3::text[], $4::text[]) AS u(key, state)
        ORDER BY u.key
       ON CONFLICT (tenant_id, provider, key) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
      [tenantId, provider, writes.map((w) => w.key), writes.map((w) => JSON.stringify(w.value)), at],
    );
  }
}
