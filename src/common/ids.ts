const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/**
 * The canonical (lower-case) spelling of a UUID, or the value unchanged when it is none.
 * PostgreSQL compares uuids case-insensitively, but ids are also used as text: in the AAD of
 * encrypted secrets, in advisory-lock keys, in URLs shown back to clients.
 */
export function canonicalId(value: string): string {
  return UUID.test(value) ? value.toLowerCase() : value;
}
