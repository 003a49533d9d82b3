/**
 * A small key-value store for the read cache: Redis when REDIS_URL is set, else in memory (the
 * embedded mode). Every method may reject when the store is unreachable; the read cache then serves
 * from the database, so implementations must fail fast rather than queue.
 */
export interface CacheStore {
  /** The values of `keys`, in order; undefined where absent. One round trip. */
  get(keys: readonly string[]): Promise<(string | undefined)[]>;
  /**
   * The value under the key `head` + the values of `counterKeys` ('0' where absent, joined by ':') +
   * `tail`, and that key (to `set` a value under after a miss): one round trip, though the key depends on
   * the counters. Redis answers bytes, sent on as they are; memory the text it holds.
   */
  getVersioned(counterKeys: readonly string[], head: string, tail: string): Promise<{ key: string; value?: Buffer | string }>;
  /**
   * {@link getVersioned}, except that a value starting with `prefix` is not sent: `{ key, prefixed: true }`
   * instead. The read cache keeps a page's ETag at the start of its value, so a conditional read whose
   * ETag still holds costs one round trip of a few bytes, not the page.
   */
  getVersionedUnlessPrefixed(
    counterKeys: readonly string[],
    head: string,
    tail: string,
    prefix: string,
  ): Promise<{ key: string; value?: Buffer | string; prefixed?: true }>;
  /** Stores `value` under `key` for `ttlSeconds`. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Adds one to each counter (absent counts as 0). One round trip. */
  increment(keys: readonly string[]): Promise<void>;
  /**
   * False while the store is unreachable, and after an increment failed until the cache is reset;
   * readers skip the cache meanwhile.
   */
  readonly usable: boolean;
  /**
   * Runs `listener` after increments failed (invalidations may be lost), as soon as the store can be
   * written again and before it is usable: the listener must make every cached value unreachable.
   */
  onLostIncrements(listener: () => Promise<void>): void;
  close(): Promise<void>;
}
