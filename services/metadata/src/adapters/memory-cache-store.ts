import type { CacheStore } from './cache-store.js';

/**
 * The in-process cache of the embedded single-process mode (and unit tests). It is never unreachable.
 * `maxEntries` bounds its memory (oldest values go first); counters are kept apart and never evicted,
 * since a counter that restarted from zero would make old values current again.
 */
export function createMemoryCacheStore(options: { maxEntries?: number; now?: () => number } = {}): CacheStore {
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: string; expiresAt: number }>();
  const counters = new Map<string, number>();
  const read = (key: string) => {
    const counter = counters.get(key);
    if (counter !== undefined) return String(counter);
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > now()) return entry.value;
    entries.delete(key);
    return undefined;
  };
  const write = (key: string, value: string, expiresAt: number) => {
    entries.delete(key);
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(key, { value, expiresAt });
  };
  return {
    usable: true,
    get: async (keys) => keys.map(read),
    set: async (key, value, ttlSeconds) => write(key, value, now() + ttlSeconds * 1000),
    increment: async (keys) => {
      for (const key of keys) counters.set(key, (counters.get(key) ?? 0) + 1);
    },
    // Increments never fail in memory: no reset is ever needed.
    onLostIncrements: () => undefined,
    close: async () => {
      entries.clear();
      counters.clear();
    },
  };
}
