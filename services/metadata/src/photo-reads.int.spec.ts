import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CacheStore } from './adapters/cache-store.js';
import type { Database } from './adapters/database.js';
import { createMemoryCacheStore } from './adapters/memory-cache-store.js';
import { createPhotoProjectionStore } from './adapters/photo-projection-store.js';
import { createPhotoQueries, type PhotoQueries } from './adapters/photo-queries.js';
import { createRedisCacheStore } from './adapters/redis-cache-store.js';
import { metadataMetrics } from './metadata-metrics.js';
import { createPhotoReads } from './photo-reads.js';
import { projectPhotoEvent } from './project-photo-event.js';
import { newPhotoId, processed, uploaded } from './test-support/photo-events.js';
import { deleteCacheKeys, TEST_REDIS_URL, testCachePrefix } from './test-support/test-app.js';
import { openMigratedTestDatabase } from './test-support/test-database.js';

describe('read cache', () => {
  let database: Database;
  let closeDatabase: () => Promise<void>;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    ({ database, close: closeDatabase } = await openMigratedTestDatabase());
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => closeDatabase());

  /** Reads through `store`, counting database reads; events are projected the service's way. */
  function setUp(store: CacheStore) {
    const prefix = testCachePrefix();
    cleanups.push(
      () => deleteCacheKeys(prefix),
      () => store.close(),
    );
    const real = createPhotoQueries(database.prisma);
    const queries: PhotoQueries = { find: vi.fn(real.find), page: vi.fn(real.page), counts: vi.fn(real.counts) };
    const metrics = metadataMetrics(new Registry());
    const reads = createPhotoReads({ queries, store, prefix, ttlSeconds: 60, metrics });
    const project = projectPhotoEvent({ store: createPhotoProjectionStore(database.prisma), reads, metrics });
    const lookups = async () => Object.fromEntries((await metrics.cache.get()).values.map(({ labels, value }) => [`${labels.kind}/${labels.result}`, value]));
    const owner = `owner-${randomUUID()}`;
    const page = () => reads.page(owner, { limit: 10 }, 'first-page');
    return { reads, queries, project, lookups, owner, page, prefix };
  }

  const redisStore = (options: { url?: string; connectionName?: string } = {}) =>
    createRedisCacheStore({ url: options.url ?? TEST_REDIS_URL, ...(options.connectionName ? { connectionName: options.connectionName } : {}) });

  it('answers the second read from Redis, and reads the database again after an event', async () => {
    const store = redisStore();
    await vi.waitFor(() => expect(store.usable).toBe(true));
    const { reads, queries, project, lookups, owner, page } = setUp(store);
    const id = newPhotoId();
    await project(uploaded(id, owner));

    expect((await page()).items.map((p) => p.status)).toEqual(['processing']);
    // The value is stored after the answer (not awaited): the next reads hit once it has landed.
    await vi.waitFor(async () => {
      await page();
      expect((await lookups())['page/hit']).toBe(1);
    });
    const databaseReads = vi.mocked(queries.page).mock.calls.length;
    for (let i = 0; i < 5; i++) await page();
    expect(vi.mocked(queries.page).mock.calls.length).toBe(databaseReads);
    expect((await lookups())['page/hit']).toBe(6);

    expect(await reads.find(owner, id)).toMatchObject({ status: 'processing' });
    await vi.waitFor(async () => {
      await reads.find(owner, id);
      expect((await lookups())['photo/hit']).toBe(1);
    });
    expect(await reads.counts(owner)).toEqual({ processing: 1, ready: 0, failed: 0 });

    const before = await lookups();
    await project(processed(id, owner));
    // Right after the projection resolves: no stale status from any cached read.
    expect((await page()).items.map((p) => p.status)).toEqual(['ready']);
    expect(await reads.find(owner, id)).toMatchObject({ status: 'ready', variants: { thumb: { width: 240 } } });
    expect(await reads.counts(owner)).toEqual({ processing: 0, ready: 1, failed: 0 });
    const after = await lookups();
    expect(after['page/miss']! - before['page/miss']!).toBe(1);
    expect(after['page/hit']).toBe(before['page/hit']);
  });

  it('answers correctly, without errors, when Redis is unreachable', async () => {
    const store = redisStore({ url: 'redis://127.0.0.1:1' });
    const { reads, project, lookups, owner, page } = setUp(store);
    const id = newPhotoId();
    await project(uploaded(id, owner));
    expect((await page()).items.map((p) => p.status)).toEqual(['processing']);
    await project(processed(id, owner));
    expect((await page()).items.map((p) => p.status)).toEqual(['ready']);
    expect(await reads.find(owner, id)).toMatchObject({ status: 'ready' });
    expect(await reads.counts(owner)).toMatchObject({ ready: 1 });
    const counted = await lookups();
    expect(counted['page/bypass']).toBe(2);
    expect(counted['page/hit']).toBeUndefined();
  });

  it('comes back by itself after losing its connection, without serving what changed meanwhile', async () => {
    const connectionName = `metadata-test-${randomUUID().slice(0, 8)}`;
    const store = redisStore({ connectionName });
    await vi.waitFor(() => expect(store.usable).toBe(true));
    const { project, lookups, owner, page } = setUp(store);
    const id = newPhotoId();
    await project(uploaded(id, owner));
    await vi.waitFor(async () => {
      expect((await page()).items[0]?.status).toBe('processing');
      expect((await lookups())['page/hit']).toBeGreaterThanOrEqual(1);
    });

    const admin = new Redis(TEST_REDIS_URL);
    cleanups.push(async () => void admin.disconnect());
    const clients = (await admin.client('LIST')) as string;
    const ours = clients.split('\n').find((line) => line.includes(`name=${connectionName}`));
    await admin.client('KILL', 'ID', /\bid=(\d+)/.exec(ours!)![1]!);
    await vi.waitFor(() => expect(store.usable).toBe(false), { interval: 5 });
    // Projected while Redis is out of reach: the invalidation is lost...
    await project(processed(id, owner));
    expect((await page()).items[0]?.status).toBe('ready');
    // ...so when the connection is back the cache is reset before it is used, and nothing stale shows.
    await vi.waitFor(() => expect(store.usable).toBe(true), { timeout: 10_000 });
    expect((await page()).items[0]?.status).toBe('ready');
    await vi.waitFor(async () => {
      expect((await page()).items[0]?.status).toBe('ready');
      expect((await lookups())['page/hit']).toBeGreaterThanOrEqual(2);
    });
  });

  it('works the same in memory (the embedded mode)', async () => {
    const { reads, queries, project, lookups, owner, page } = setUp(createMemoryCacheStore());
    const id = newPhotoId();
    await project(uploaded(id, owner));
    await page();
    await page();
    expect(vi.mocked(queries.page)).toHaveBeenCalledTimes(1);
    await project(processed(id, owner));
    expect((await page()).items[0]?.status).toBe('ready');
    expect(await reads.find(owner, id)).toMatchObject({ status: 'ready' });
    expect(await lookups()).toMatchObject({ 'page/hit': 1, 'page/miss': 2 });
  });
});
