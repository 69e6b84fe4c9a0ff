import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Clerk user as the Backend API lists it; `overrides` replace top-level fields. */
export function clerkUser(i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `user_import_${String(i).padStart(4, '0')}`,
    object: 'user',
    username: `user${i}`,
    first_name: 'User',
    last_name: String(i),
    image_url: `https://img.clerk.com/${i}`,
    has_image: true,
    primary_email_address_id: `idn_${i}`,
    email_addresses: [
      { id: `idn_${i}`, object: 'email_address', email_address: `user${i}@import.example`, verification: { status: 'verified', strategy: 'email_code' }, linked_to: [] },
    ],
    phone_numbers: [],
    public_metadata: { cohort: i % 2 ? 'odd' : 'even' },
    private_metadata: { secret_score: i },
    unsafe_metadata: { hacked: true },
    external_id: null,
    created_at: 1767000000000 + i,
    updated_at: 1767000000000 + i,
    ...overrides,
  };
}

export interface FakeClerk {
  server: http.Server;
  /** Every request's path and query, in order. */
  requests: string[];
  /** The next request for `offset` waits; answers when it arrived, and the release. */
  hold(offset: number): { requested: Promise<void>; release: () => void };
  /** The next request for `offset` answers 503. */
  failOnce(offset: number): void;
}

/**
 * Clerk's Backend API users list, as documented (GET /v1/users, /v1/users/count), on loopback;
 * requests without `Bearer <secretKey>` get Clerk's 401. Listen on it with `listen`.
 */
export function fakeClerk(users: Array<Record<string, unknown>>, secretKey: string): FakeClerk {
  const requests: string[] = [];
  const held = new Map<number, { requested: () => void; release: Promise<void> }>();
  const failing = new Set<number>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://localhost');
    requests.push(url.pathname + url.search);
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== `Bearer ${secretKey}`) {
      res.statusCode = 401;
      res.end(JSON.stringify({ errors: [{ code: 'authentication_invalid', message: 'Unauthorized' }] }));
      return;
    }
    if (url.pathname === '/v1/users/count') {
      res.end(JSON.stringify({ object: 'total_count', total_count: users.length }));
    } else if (url.pathname === '/v1/users') {
      const limit = Number(url.searchParams.get('limit') ?? 10);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const answer = (): void => void res.end(JSON.stringify(users.slice(offset, offset + limit)));
      const hold = held.get(offset);
      if (failing.delete(offset)) {
        res.statusCode = 503;
        res.end(JSON.stringify({ errors: [{ code: 'service_unavailable', message: 'try again' }] }));
      } else if (hold) {
        held.delete(offset);
        hold.requested();
        void hold.release.then(answer);
      } else {
        answer();
      }
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  return {
    server,
    requests,
    hold(offset) {
      let release!: () => void;
      let requested!: () => void;
      const arrived = new Promise<void>((r) => (requested = r));
      held.set(offset, { requested, release: new Promise<void>((r) => (release = r)) });
      return { requested: arrived, release };
    },
    failOnce(offset) {
      failing.add(offset);
    },
  };
}

/** `http://127.0.0.1:<port>` of a listening server. */
export function urlOf(server: http.Server): string {
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** Listens on a free loopback port; answers the server's URL. */
export async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return urlOf(server);
}
