import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { MigrationSession } from './sql-migrations.js';

/**
 * Runs `use` on a connection of its own to `url` (not the service's pool: the migration lock and
 * transactions belong to one session), closed afterwards, which also releases the lock if `use` could not.
 */
export async function withPgSession<T>(url: string, connectTimeoutMs: number, use: (session: MigrationSession) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  // The server ending the connection mid-run fails the query under way; without a listener the 'error'
  // event would also crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await use({
      query: async <R>(text: string, params?: unknown[]) => client.query<R & pg.QueryResultRow>(text, params),
      // Without parameters, pg sends the text as a simple query: every statement of a script runs.
      exec: async (script) => void (await client.query(script)),
    });
  } finally {
    await client.end();
  }
}

/**
 * PGlite is one session already. Nothing else may query the instance while migrations run (their
 * transactions would take in its queries): the service migrates before it serves.
 */
export function pgliteSession(pglite: PGlite): MigrationSession {
  return {
    query: (text, params) => pglite.query(text, params),
    exec: async (script) => void (await pglite.exec(script)),
  };
}
