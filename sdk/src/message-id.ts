import { createHash } from 'node:crypto';

/** The server's limit on `messageId` (and on ids in general). */
export const MAX_MESSAGE_ID_LENGTH = 255;

/**
 * A stable `messageId` from any number of your own values (a sha256 of them, 64 hex characters):
 * the same parts always give the same id, so a retried or re-run send is answered `duplicate`.
 * `deterministicMessageId('invoice.paid', invoice.id, attempt)`.
 */
export function deterministicMessageId(...parts: Array<string | number | boolean>): string {
  if (parts.length === 0) throw new TypeError('deterministicMessageId needs at least one part');
  // JSON of the array keeps ['a-b', 'c'] and ['a', 'b-c'] apart.
  return createHash('sha256').update(JSON.stringify(parts.map(String))).digest('hex');
}

/**
 * `messageIdFor('signup', user.id)` → `signup-u_42`: the convention of the Events API docs, one
 * event kind per id of yours. `kind` may not contain `-`, so that every (kind, id) pair gives a
 * different string. Past 255 characters the id part becomes its sha256.
 */
export function messageIdFor(kind: string, id: string | number): string {
  if (!/^[A-Za-z0-9._:/]{1,100}$/.test(kind)) {
    throw new TypeError(`messageIdFor: kind must be 1 to 100 letters, digits or . _ : / (no "-"), got ${JSON.stringify(kind)}`);
  }
  const plain = `${kind}-${id}`;
  return plain.length <= MAX_MESSAGE_ID_LENGTH ? plain : `${kind}-sha256:${deterministicMessageId(kind, id)}`;
}
