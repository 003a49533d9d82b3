/** CacheStore.getVersioned, the read cache's one-round-trip lookup, on Redis (the shared one, under a prefix of its own) and in memory. */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { deleteCacheKeys, TEST_REDIS_URL, testCachePrefix } from '../test-support/test-app.js';
import type { CacheStore } from './cache-store.js';
import { createMemoryCacheStore } from './memory-cache-store.js';
import { createRedisCacheStore } from './redis-cache-store.js';

const prefix = testCachePrefix();
const stores: CacheStore[] = [];
afterAll(async () => {
  for (const store of stores) await store.close();
  await deleteCacheKeys(prefix);
});

describe.each([
  ['Redis', () => createRedisCacheStore({ url: TEST_REDIS_URL })],
  ['memory', () => createMemoryCacheStore()],
] as const)('getVersioned on %s', (name, open) => {
  it('finds the value under head + counters + tail, and another key once a counter moves', async () => {
    const store = open();
    stores.push(store);
    await vi.waitFor(() => expect(store.usable).toBe(true));
    const [epoch, generation] = [`${prefix}${name}:epoch`, `${prefix}${name}:gen`];
    const page = '{"items":[{"filename":"ünïcødé 📷"}],"nextCursor":null}';

    // Absent counters count as 0.
    const miss = await store.getVersioned([epoch, generation], `${prefix}${name}:page:`, ':owner:q');
    expect(miss).toEqual({ key: `${prefix}${name}:page:0:0:owner:q` });
    await store.increment([generation]);
    const { key } = await store.getVersioned([epoch, generation], `${prefix}${name}:page:`, ':owner:q');
    expect(key).toBe(`${prefix}${name}:page:0:1:owner:q`);
    await store.set(key, page, 60);

    const hit = await store.getVersioned([epoch, generation], `${prefix}${name}:page:`, ':owner:q');
    expect(hit.key).toBe(key);
    // Redis answers the bytes as stored (sent on without decoding), memory the text: the same JSON.
    expect(hit.value?.toString()).toBe(page);
    if (name === 'Redis') expect(Buffer.isBuffer(hit.value)).toBe(true);

    await store.increment([epoch]);
    expect(await store.getVersioned([epoch, generation], `${prefix}${name}:page:`, ':owner:q')).toEqual({ key: `${prefix}${name}:page:1:1:owner:q` });
  });
});
