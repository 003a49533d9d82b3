/**
 * A small key-value store for the read cache: Redis when REDIS_URL is set, else in memory (the
 * embedded mode). Every method may reject when the store is unreachable; the read cache then serves
 * from the database, so implementations must fail fast rather than queue.
 */
export interface CacheStore {
  /** The values of `keys`, in order; undefined where absent. One round trip. */
  get(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** Stores `value` under `key` for `ttlSeconds`. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Adds one to each counter (absent counts as 0). One round trip. */
  increment(keys: readonly string[]): Promise<void>;
  /**
   * False while the store is unreachable, and after it comes back until the cache is known to be
   * clean again; readers skip the cache meanwhile.
   */
  readonly usable: boolean;
  /**
   * Runs `listener` each time the store comes back after being unreachable, before it becomes usable
   * again: invalidations may have been lost in between, so the cache must be reset.
   */
  onReconnect(listener: () => Promise<void>): void;
  close(): Promise<void>;
}
