import { isUUID } from 'class-validator';

/**
 * A UUID of any version, as PostgreSQL's `uuid` type takes it: the same rule as `@IsUUID('loose')`
 * of the params DTOs (PathUuid), for the places that see an id before any pipe runs (the
 * ingestion-key and webhook-signature guards, cursors, unsubscribe tokens).
 */
export const isUuid = (value: unknown): value is string => isUUID(value, 'loose');

/**
 * The canonical (lower-case) spelling of a UUID, or the value unchanged when it is none.
 * PostgreSQL compares uuids case-insensitively, but ids are also used as text: in the AAD of
 * encrypted secrets, in advisory-lock keys, in URLs shown back to clients.
 */
export function canonicalId(value: string): string {
  return isUuid(value) ? value.toLowerCase() : value;
}
