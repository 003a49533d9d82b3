import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';

/**
 * PGlite (Postgres in WASM) persisted in `dir`, for the embedded mode, with a buffer pool sized for one
 * user's data. Postgres' default, 128 MB, is paid up front: PGlite touches the whole pool when it starts,
 * and a WASM memory never shrinks. Pages beyond the pool come from the OS page cache.
 */
export async function openEmbeddedPglite(dir: string): Promise<PGlite> {
  mkdirSync(dir, { recursive: true });
  return PGlite.create(dir, { startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'] });
}
