import type { CacheStore } from './cache-store.js';

/**
 * The in-process cache of the embedded single-process mode (and unit tests). It is never unreachable.
 * `maxEntries` and `maxChars` (the values' total length) bound its memory, oldest values going first:
 * a count alone would let 10,000 gallery pages of 50 photos hold half a gigabyte. Counters are kept
 * apart and never evicted, since a counter that restarted from zero would make old values current again.
 */
export function createMemoryCacheStore(options: { maxEntries?: number; maxChars?: number; now?: () => number } = {}): CacheStore {
  const maxEntries = options.maxEntries ?? 10_000;
  const maxChars = options.maxChars ?? 16 * 1024 * 1024;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: string; expiresAt: number }>();
  let chars = 0;
  const remove = (key: string) => {
    const entry = entries.get(key);
    if (entry === undefined) return;
    entries.delete(key);
    chars -= entry.value.length;
  };
  const counters = new Map<string, number>();
  const read = (key: string) => {
    const counter = counters.get(key);
    if (counter !== undefined) return String(counter);
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > now()) return entry.value;
    remove(key);
    return undefined;
  };
  const write = (key: string, value: string, expiresAt: number) => {
    remove(key);
    if (value.length > maxChars) return;
    while (entries.size > 0 && (entries.size >= maxEntries || chars + value.length > maxChars)) remove(entries.keys().next().value!);
    entries.set(key, { value, expiresAt });
    chars += value.length;
  };
  return {
    usable: true,
    get: async (keys) => keys.map(read),
    getVersioned: async (counterKeys, head, tail) => {
      const key = `${head}${counterKeys.map((counter) => read(counter) ?? '0').join(':')}${tail}`;
      const value = read(key);
      return value === undefined ? { key } : { key, value };
    },
    getVersionedUnlessPrefixed: async (counterKeys, head, tail, prefix) => {
      const key = `${head}${counterKeys.map((counter) => read(counter) ?? '0').join(':')}${tail}`;
      const value = read(key);
      if (value === undefined) return { key };
      return value.startsWith(prefix) ? { key, prefixed: true } : { key, value };
    },
    set: async (key, value, ttlSeconds) => write(key, value, now() + ttlSeconds * 1000),
    increment: async (keys) => {
      for (const key of keys) counters.set(key, (counters.get(key) ?? 0) + 1);
    },
    // Increments never fail in memory: no reset is ever needed.
    onLostIncrements: () => undefined,
    close: async () => {
      entries.clear();
      counters.clear();
      chars = 0;
    },
  };
}
