import { TenantRateLimit } from '../tenants/rate-limit.entity.js';
import { TenantSecret } from '../tenants/tenant-secret.entity.js';
import { Tenant } from '../tenants/tenant.entity.js';

/** Every entity, listed so that the app, the tests and the CLI load the same set without globs. */
export const ENTITIES = [Tenant, TenantSecret, TenantRateLimit];
