import pg from 'pg';

export default async function globalTeardown() {
  const server = globalThis.__MARA_PG__;
  const db = globalThis.__MARA_DB__;
  if (server) {
    await server.stop();
    return;
  }
  if (db) {
    const client = new pg.Client({ connectionString: `${db.serverUrl}/postgres` });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS "${db.name}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  }
}
