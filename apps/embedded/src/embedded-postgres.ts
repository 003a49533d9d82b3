import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { SqlClient } from '@photos/bff/sql-client';

/**
 * PGlite (Postgres in WASM) persisted in `dir`, with a buffer pool sized for one user's data.
 * Postgres' default, 128 MB, is paid up front: PGlite touches the whole pool when it starts, and a WASM
 * memory never shrinks. Two instances in one process, over Node's own RSS: +450 MiB at 128 MB, +158 MiB
 * at 8 MB. Pages beyond the pool come from the OS page cache, which a laptop's database fits in.
 */
export async function openPglite(dir: string, sharedBuffers: `${number}MB`): Promise<PGlite> {
  mkdirSync(dir, { recursive: true });
  return PGlite.create(dir, { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers}`] });
}

/** The BFF's SQL port over a PGlite (the accounts database; same place as the BFF's own PGlite fallback). */
export function pgliteSqlClient(db: PGlite): SqlClient {
  return { query: (text, params) => db.query(text, params) as never, close: () => db.close() };
}
