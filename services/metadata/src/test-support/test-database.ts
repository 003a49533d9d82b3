import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../adapters/database.js';

/**
 * A database of its own on the local PostgreSQL (or TEST_POSTGRES_URL's server), so a test file never
 * sees another's rows. `drop()` removes it, closing whatever is still connected.
 */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const server = new URL(process.env['TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  const name = `metadata_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: server.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** A fresh test database with the service's migrations applied, opened with the Prisma client. */
export async function openMigratedTestDatabase(): Promise<{ database: Database; url: string; close(): Promise<void> }> {
  const { url, drop } = await createTestDatabase();
  const database = openDatabase({ url });
  await database.migrate();
  return {
    database,
    url,
    close: async () => {
      await database.close();
      await drop();
    },
  };
}
