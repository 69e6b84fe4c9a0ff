import { createHash, randomBytes } from 'node:crypto';

export const INGESTION_KEY_PREFIX = 'mara_ing_';

export interface NewIngestionKey {
  key: string;
  hash: string;
  keyPrefix: string;
}

export const hashIngestionKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** `mara_ing_` + 32 random bytes (base64url); only the hash and a short prefix are kept. */
export function generateIngestionKey(): NewIngestionKey {
  const key = INGESTION_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, hash: hashIngestionKey(key), keyPrefix: key.slice(0, INGESTION_KEY_PREFIX.length + 8) };
}
