/**
 * The request and query helpers every e2e spec uses, in one place. `specApi` binds them to a
 * spec's app and tenant, which are read when a helper is called (specs assign them in their
 * before hooks): `const { events, admin, count } = specApi(() => t, () => tenant);`.
 */
import type { Test } from 'supertest';
import { adminAuth, type TenantFixture, type TestApp } from './app.js';

type AdminMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A request to the tenant's Events API with `auth` as the Authorization header (none when null); send the body yourself. */
export function eventsRequest(t: TestApp, tenantId: string, auth: string | null): Test {
  const req = t.http().post(`/api/tenants/${tenantId}/events`);
  return auth === null ? req : req.set('Authorization', auth);
}

/** Posts `body` to the tenant's Events API with its ingestion key. */
export function sendEvents(t: TestApp, tenant: TenantFixture, body: unknown): Test {
  return eventsRequest(t, tenant.tenantId, `Bearer ${tenant.key}`).send(body as object);
}

/** An admin API request under `/admin/tenants/<tenantId>`, with the admin token. */
export function tenantAdmin(t: TestApp, tenantId: string, method: AdminMethod, path: string): Test {
  return t.http()[method](`/admin/tenants/${tenantId}${path}`).set(adminAuth);
}

/** `SELECT count(*)` over `from`: a table, optionally followed by its WHERE clause (with `params`). */
export async function countRows(t: TestApp, from: string, params: unknown[] = []): Promise<number> {
  const [row]: Array<{ n: number }> = await t.db.query(`SELECT count(*)::int AS n FROM ${from}`, params);
  return row.n;
}

/** A contact as the admin API answers it. */
export interface ContactJson {
  id: string;
  externalId: string | null;
  email: string | null;
  name: string | null;
  attributes: Record<string, unknown>;
  consent: { status: string; source: string; at: string } | null;
  createdAt: string;
  updatedAt: string;
}

export interface SpecApi {
  /** The tenant's Events API request with its key; send the body yourself. */
  eventsRequest(): Test;
  /** Posts `body` to the Events API with the tenant's key, or another `key` or `tenantId`. */
  events(body: unknown, other?: { key?: string; tenantId?: string }): Test;
  /** An admin API request under `/admin/tenants/<tenant>`. */
  admin(method: AdminMethod, path: string): Test;
  count(from: string, params?: unknown[]): Promise<number>;
  rows<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** The tenant's only contact with this external id, read through the admin API. */
  contactByExternalId(externalId: string): Promise<ContactJson>;
  /** A contact's event types, newest first, read through the admin API. */
  timeline(contactId: string): Promise<string[]>;
}

export function specApi(app: () => TestApp, tenant: () => TenantFixture = noTenant): SpecApi {
  return {
    eventsRequest: () => eventsRequest(app(), tenant().tenantId, `Bearer ${tenant().key}`),
    events: (body, other = {}) =>
      sendEvents(app(), { tenantId: other.tenantId ?? tenant().tenantId, key: other.key ?? tenant().key }, body),
    admin: (method, path) => tenantAdmin(app(), tenant().tenantId, method, path),
    count: (from, params) => countRows(app(), from, params),
    rows: (sql, params = []) => app().db.query(sql, params),
    async contactByExternalId(externalId) {
      const res = await tenantAdmin(app(), tenant().tenantId, 'get', `/contacts?externalId=${externalId}`).expect(200);
      expect(res.body.items).toHaveLength(1);
      return res.body.items[0] as ContactJson;
    },
    async timeline(contactId) {
      const res = await tenantAdmin(app(), tenant().tenantId, 'get', `/contacts/${contactId}/events`).expect(200);
      return res.body.items.map((e: { type: string }) => e.type);
    },
  };
}

function noTenant(): TenantFixture {
  throw new Error('specApi: this spec gave no tenant');
}
