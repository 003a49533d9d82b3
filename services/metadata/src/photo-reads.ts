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
   * without parsing and serializing it again, nor decoding Redis' bytes into text and back. With its
   * {@link PageEtag}; when that is `ifNoneMatch`, no JSON (the caller has these very bytes already).
   */
  pageJson(ownerId: string, query: PageQuery, requestKey: string, ifNoneMatch?: string): Promise<{ etag: string; json?: string | Buffer }>;
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
 * A page's ETag: the first 132 bits of the SHA-256 of its JSON, in base64url (22 characters). It names
 * the bytes, not the cache key: two answers with the same ETag are the same page, whatever happened to
 * the counters in between (a Redis restart that reset them, a value computed twice).
 */
const ETAG_LENGTH = 22;
export const PAGE_ETAG_PATTERN = /^[A-Za-z0-9_-]{22}$/;
export const pageEtag = (json: string): string => createHash('sha256').update(json).digest('base64url').slice(0, ETAG_LENGTH);

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
  async function lookup(
    kind: Kind,
    ownerId: string,
    suffix: string,
    options: { head?: string; unlessPrefixed?: string } = {},
  ): Promise<{ cached?: string | Buffer; key?: string; prefixed?: true }> {
    if (!store.usable) {
      metrics.cache.inc({ kind, result: 'bypass' });
      return {};
    }
    try {
      // Key `${prefix}${kind}:${epoch}:${generation}:${owner}:${suffix}`, counters and value read in one round trip.
      const counterKeys = [epochKey, generationKey(ownerId)];
      const head = options.head ?? `${prefix}${kind}:`;
      const tail = `:${encodeURIComponent(ownerId)}:${suffix}`;
      const {
        key,
        value: cached,
        prefixed,
      }: { key: string; value?: string | Buffer; prefixed?: true } = options.unlessPrefixed === undefined
        ? await store.getVersioned(counterKeys, head, tail)
        : await store.getVersionedUnlessPrefixed(counterKeys, head, tail, options.unlessPrefixed);
      if (cached !== undefined || prefixed) {
        metrics.cache.inc({ kind, result: 'hit' });
        return prefixed ? { prefixed } : { cached: cached! };
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

  // A page is cached as its ETag followed by its JSON (under keys of their own: a value of another layout
  // is never read as this one), so that a conditional read whose ETag holds is answered from the first bytes.
  const pageHead = `${prefix}page:etag:`;
  async function pageJson(ownerId: string, query: PageQuery, requestKey: string, ifNoneMatch?: string): Promise<{ etag: string; json?: string | Buffer }> {
    const suffix = createHash('sha1').update(requestKey).digest('base64url');
    const { cached, key, prefixed } = await lookup('page', ownerId, suffix, { head: pageHead, ...(ifNoneMatch ? { unlessPrefixed: ifNoneMatch } : {}) });
    if (prefixed) return { etag: ifNoneMatch! };
    if (cached !== undefined) {
      // The ETag is ASCII: its characters are its bytes, and Redis' bytes after it are sent on uncopied.
      if (typeof cached === 'string') return { etag: cached.slice(0, ETAG_LENGTH), json: cached.slice(ETAG_LENGTH) };
      return { etag: cached.toString('latin1', 0, ETAG_LENGTH), json: cached.subarray(ETAG_LENGTH) };
    }
    const json = JSON.stringify(toPage(await queries.page(ownerId, query), query.limit));
    const etag = pageEtag(json);
    remember(key, etag + json);
    return etag === ifNoneMatch ? { etag } : { etag, json };
  }

  return {
    find: (ownerId, id) =>
      through('photo', ownerId, id, async () => {
        const record = await queries.find(ownerId, id);
        return record ? toPhotoDetail(record) : undefined;
      }),
    pageJson,
    page: async (ownerId, query, requestKey) => JSON.parse((await pageJson(ownerId, query, requestKey)).json!.toString()) as Page,
    counts: async (ownerId) => (await through('counts', ownerId, '', () => queries.counts(ownerId)))!,
    invalidate: async (ownerId) => {
      // Failure is absorbed here and remembered by the store, which resets the cache when it is back.
      await store.increment([generationKey(ownerId)]).catch(() => undefined);
    },
  };
}
