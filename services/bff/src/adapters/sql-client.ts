import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The part of `pg.Pool` and PGlite the BFF uses: both answer `query(text, params)` with `{ rows }`. */
export interface SqlClient {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
  close(): Promise<void>;
}

/** Postgres when a URL is given; otherwise PGlite (Postgres in WASM) persisted under `dataDir`. */
export async function createSqlClient(options: { url?: string | undefined; dataDir: string }): Promise<SqlClient> {
  if (options.url) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: options.url, max: 5 });
    // An idle connection the server ends (restart, failover, pg_terminate_backend) is dropped by the pool
    // and the next query opens a new one; without a listener its 'error' would crash the process.
    pool.on('error', () => undefined);
    return { query: (text, params) => pool.query(text, params) as never, close: () => pool.end() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const dir = join(options.dataDir, 'accounts-db');
  mkdirSync(dir, { recursive: true });
  // A buffer pool for one user's accounts: PGlite touches all of Postgres' default 128 MB at start, and a
  // WASM memory never shrinks (with metadata's PGlite in the same process: +450 MiB RSS at 128 MB, +158 at 8).
  const db = await PGlite.create(dir, { startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=8MB'] });
  return { query: (text, params) => db.query(text, params) as never, close: () => db.close() };
}
