import type { CacheStore } from './adapters/cache-store.js';
import type { AlbumRole } from './domain/album-access.js';
import type { MetadataMetrics } from './metadata-metrics.js';

/** The albums shared with one account, album id -> role: what a grantee's photo reads start from. */
export type VisibleAlbumSet = Record<string, AlbumRole>;

export interface VisibleAlbums {
  /** The albums shared with `granteeId`, through the cache. */
  of(granteeId: string): Promise<VisibleAlbumSet>;
  /** Forgets the cached sets of `granteeIds`; call after committing any change to their grants. */
  invalidate(granteeIds: readonly string[]): Promise<void>;
}

/**
 * Each account's visible-album set, cached as photo-reads.ts caches photos: the key carries the global
 * epoch and the grantee's generation, read before the database; a grant change increments the
 * grantee's generation after its commit, so a revoke is seen by the next request. Cache trouble is
 * never the caller's: it reads the database.
 */
export function createVisibleAlbums(deps: {
  load: (granteeId: string) => Promise<VisibleAlbumSet>;
  store: CacheStore;
  prefix: string;
  ttlSeconds: number;
  metrics: MetadataMetrics;
}): VisibleAlbums {
  const { load, store, prefix, ttlSeconds, metrics } = deps;
  const epochKey = `${prefix}epoch`;
  const generationKey = (granteeId: string) => `${prefix}grants-gen:${encodeURIComponent(granteeId)}`;
  store.onLostIncrements(() => store.increment([epochKey]));

  return {
    async of(granteeId) {
      let key: string | undefined;
      if (!store.usable) metrics.cache.inc({ kind: 'albums', result: 'bypass' });
      else {
        try {
          const [epoch = '0', generation = '0'] = await store.get([epochKey, generationKey(granteeId)]);
          key = `${prefix}albums:${epoch}:${generation}:${encodeURIComponent(granteeId)}`;
          const [cached] = await store.get([key]);
          if (cached !== undefined) {
            metrics.cache.inc({ kind: 'albums', result: 'hit' });
            return JSON.parse(cached) as VisibleAlbumSet;
          }
          metrics.cache.inc({ kind: 'albums', result: 'miss' });
        } catch {
          metrics.cache.inc({ kind: 'albums', result: 'error' });
          key = undefined;
        }
      }
      const set = await load(granteeId);
      if (key !== undefined) store.set(key, JSON.stringify(set), ttlSeconds).catch(() => undefined);
      return set;
    },
    invalidate: async (granteeIds) => {
      if (granteeIds.length > 0) await store.increment(granteeIds.map(generationKey)).catch(() => undefined);
    },
  };
}
