import { randomFillSync } from 'node:crypto';

/**
 * Time-ordered ids (UUID version 7, RFC 9562 section 5.7), for rows written in arrival order into
 * large tables: events. A random (version 4) primary key sends each insert to a random leaf of
 * the key's index, so once the index outgrows PostgreSQL's buffers nearly every insert reads a page
 * and dirties it (a full-page image in the WAL after each checkpoint); a time-ordered key appends
 * at the index's right edge, the same few pages for every batch, whatever the table's size.
 *
 * Layout: 48 bits of Unix milliseconds, the version (7), a 42-bit counter spread over `rand_a`
 * (12 bits) and the top of `rand_b` (30 bits), the variant (`10`), and 32 random bits. The counter
 * starts each millisecond at a random value below 2^41 and steps by one for every further id in
 * that millisecond (RFC 9562 section 6.2, method 1), so the ids of one process are strictly
 * increasing, also when the clock stands still or steps back (the last millisecond is kept until
 * the clock passes it). Ids of different processes are told apart by the random counter start and
 * the 32 random bits.
 */
export function uuidV7Generator(clock: () => number = Date.now): () => string {
  const pool = new Uint32Array(1024);
  let next = pool.length;
  const random32 = (): number => {
    if (next === pool.length) {
      randomFillSync(pool);
      next = 0;
    }
    return pool[next++];
  };
  let lastMs = -1;
  let counter = 0;
  return () => {
    const now = Math.floor(clock());
    if (now > lastMs) {
      lastMs = now;
      // A random start below 2^41: 2^41 more ids fit in this millisecond before it overflows.
      counter = (random32() & 0x1ff) * 0x100000000 + random32();
    } else if (++counter >= 2 ** 42) {
      // Never reached in practice; the next millisecond is borrowed rather than the order lost.
      lastMs++;
      counter = 0;
    }
    const high = Math.floor(counter / 0x40000000); // the counter's top 12 bits (rand_a)
    const low = counter % 0x40000000; // its low 30 bits (the top of rand_b)
    const ms = lastMs.toString(16).padStart(12, '0');
    return (
      `${ms.slice(0, 8)}-${ms.slice(8)}-${(0x7000 | high).toString(16)}-${(0x8000 | (low >>> 16)).toString(16)}-` +
      `${(low & 0xffff).toString(16).padStart(4, '0')}${random32().toString(16).padStart(8, '0')}`
    );
  };
}

/** A new UUIDv7 (see uuidV7Generator): strictly increasing within this process. */
export const uuidV7: () => string = uuidV7Generator();
