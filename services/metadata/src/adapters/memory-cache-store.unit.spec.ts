import { describe, expect, it } from 'vitest';
import { createMemoryCacheStore } from './memory-cache-store.js';

describe('createMemoryCacheStore', () => {
  it('bounds the values it holds by their total length, dropping the oldest first', async () => {
    const cache = createMemoryCacheStore({ maxChars: 100 });
    for (const key of ['a', 'b', 'c']) await cache.set(key, key.repeat(40), 60);
    expect(await cache.get(['a', 'b', 'c'])).toEqual([undefined, 'b'.repeat(40), 'c'.repeat(40)]);
    await cache.set('b', 'B', 60); // a replaced value frees its old length
    await cache.set('d', 'd'.repeat(59), 60);
    expect(await cache.get(['b', 'c', 'd'])).toEqual(['B', 'c'.repeat(40), 'd'.repeat(59)]);
  });

  it('does not keep a value longer than the whole budget, nor drop the others for it', async () => {
    const cache = createMemoryCacheStore({ maxChars: 10 });
    await cache.set('small', 'x', 60);
    await cache.set('huge', 'y'.repeat(11), 60);
    expect(await cache.get(['small', 'huge'])).toEqual(['x', undefined]);
  });

  it('still bounds the number of entries, and forgets expired values', async () => {
    let clock = 0;
    const cache = createMemoryCacheStore({ maxEntries: 2, now: () => clock });
    await cache.set('a', '1', 1);
    await cache.set('b', '2', 1);
    await cache.set('c', '3', 10);
    expect(await cache.get(['a', 'b', 'c'])).toEqual([undefined, '2', '3']);
    clock = 5_000;
    expect(await cache.get(['b', 'c'])).toEqual([undefined, '3']);
  });
});
