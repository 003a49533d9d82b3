import { createHash } from 'node:crypto';
import type { CacheStore } from './adapters/cache-store.js';
import type { PhotoQueries } from './adapters/photo-queries.js';
import type { Page, PageQuery } from './domain/photo-page.js';
import { toPage } from './domain/photo-page.js';
import type { PhotoStatus } from './domain/photo-record.js';
import { toPhotoDetail, type PhotoDetail } from './domain/photo-view.js';
import type { MetadataMetrics } from './metadata-metrics.js';

/** What the routes read: one owner's photos, through the cache. */
export interface PhotoReads {
  find(ownerId: string, id: string): Promise<PhotoDetail | undefined>;
  /** `requestKey` identifies the request as the client made it (limit, cursor, filters), for the cache key. */
  page(ownerId: string, query: PageQuery, requestKey: string): Promise<Page>;
  /**
   * The same page as JSON ({@link Page}'s fields in the API's order), as cached: a hit is answered
   * without parsing and serializing it again, nor decoding Redis' bytes into text and back.
   */
  pageJson(ownerId: string, query: PageQuery, requestKey: string): Promise<string | Buffer>;
  counts(ownerId: string): Promise<Record<PhotoStatus, number>>;
  /** Forgets every cached read of `ownerId`; call after any change to one of their photos. */
  invalidate(ownerId: string): Promise<void>;
}

export interface PhotoReadsDeps {
  queries: PhotoQueries;
  store: CacheStore;
  /** Put before every key, so that several services or test runs can share one Redis. */
  prefix: string;
  ttlSeconds: number;
  metrics: MetadataMetrics;
}

type Kind = 'photo' | 'page' | 'counts';

/**
 * A read-through cache over {@link PhotoQueries}. Keys carry two counters, read in the same round trip
 * before the value: the owner's generation (incremented on every change to one of their
 * photos, so all their cached reads go stale in O(1)) and a global epoch (incremented when an
 * invalidation was lost, e.g. while Redis was unreachable, before the cache is used again). A reader reads the counters before the database and a writer
 * increments them after committing, so a value computed from old rows is stored under an old key that
 * no reader uses again. Values are cached as JSON text.
 */
export function createPhotoReads({ queries, store, prefix, ttlSeconds, metrics }: PhotoReadsDeps): PhotoReads {
  const epochKey = `${prefix}epoch`;
  const generationKey = (ownerId: string) => `${prefix}gen:${encodeURIComponent(ownerId)}`;
  store.onLostIncrements(() => store.increment([epochKey]));

  /**
   * The cached JSON of a read, or the key to cache it under (none when the cache is off or failed).
   * Cache trouble is never the caller's: it reads from the database instead.
   */
  async function lookup(kind: Kind, ownerId: string, suffix: string): Promise<{ cached?: string | Buffer; key?: string }> {
    if (!store.usable) {
      metrics.cache.inc({ kind, result: 'bypass' });
      return {};
    }
    try {
      // Key `${prefix}${kind}:${epoch}:${generation}:${owner}:${suffix}`, counters and value read in one round trip.
      const { key, value: cached } = await store.getVersioned(
        [epochKey, generationKey(ownerId)],
        `${prefix}${kind}:`,
        `:${encodeURIComponent(ownerId)}:${suffix}`,
      );
      if (cached !== undefined) {
        metrics.cache.inc({ kind, result: 'hit' });
        return { cached };
      }
      metrics.cache.inc({ kind, result: 'miss' });
      return { key };
    } catch {
      metrics.cache.inc({ kind, result: 'error' });
      return {};
    }
  }

  // Not awaited: the caller has its answer; a failed write only costs a later miss.
  const remember = (key: string | undefined, json: string) => {
    if (key !== undefined) store.set(key, json, ttlSeconds).catch(() => undefined);
  };

  async function through<T>(kind: Kind, ownerId: string, suffix: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const { cached, key } = await lookup(kind, ownerId, suffix);
    if (cached !== undefined) return JSON.parse(cached.toString()) as T;
    const value = await load();
    if (value !== undefined) remember(key, JSON.stringify(value));
    return value;
  }

  async function pageJson(ownerId: string, query: PageQuery, requestKey: string): Promise<string | Buffer> {
    const { cached, key } = await lookup('page', ownerId, createHash('sha1').update(requestKey).digest('base64url'));
    if (cached !== undefined) return cached;
    const json = JSON.stringify(toPage(await queries.page(ownerId, query), query.limit));
    remember(key, json);
    return json;
  }

  return {
    find: (ownerId, id) =>
      through('photo', ownerId, id, async () => {
        const record = await queries.find(ownerId, id);
        return record ? toPhotoDetail(record) : undefined;
      }),
    pageJson,
    page: async (ownerId, query, requestKey) => JSON.parse((await pageJson(ownerId, query, requestKey)).toString()) as Page,
    counts: async (ownerId) => (await through('counts', ownerId, '', () => queries.counts(ownerId)))!,
    invalidate: async (ownerId) => {
      // Failure is absorbed here and remembered by the store, which resets the cache when it is back.
      await store.increment([generationKey(ownerId)]).catch(() => undefined);
    },
  };
}
