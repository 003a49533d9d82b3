/**
 * GET /photos with If-None-Match (what the BFF sends for a page it kept): 304 only while the caller's page
 * is byte for byte the one of that ETag, whether it comes from the cache or, with the cache out of
 * reach, from the database; any change of the caller's photos, or another caller, gets the page (200).
 */
import { randomUUID } from 'node:crypto';
import type { ServiceApp } from '@photos/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../adapters/database.js';
import { createRedisCacheStore } from '../adapters/redis-cache-store.js';
import { newPhotoId, processed, uploaded } from '../test-support/photo-events.js';
import { as, buildTestApp } from '../test-support/test-app.js';
import { openMigratedTestDatabase } from '../test-support/test-database.js';

let database: Database;
let url: string;
let closeDatabase: () => Promise<void>;
const closing: (() => Promise<void>)[] = [];

beforeAll(async () => {
  ({ database, url, close: closeDatabase } = await openMigratedTestDatabase());
});
afterAll(async () => {
  for (const close of closing.reverse()) await close();
  await closeDatabase();
});

describe.each([
  ['through the Redis cache', () => undefined],
  ['with the cache out of reach', () => createRedisCacheStore({ url: 'redis://127.0.0.1:1' })],
] as const)('conditional page reads %s', (_name, cacheStore) => {
  let app: ServiceApp;
  let publish: (event: Parameters<Awaited<ReturnType<typeof buildTestApp>>['bus']['publish']>[0]) => Promise<void>;

  beforeAll(async () => {
    const store = cacheStore();
    const built = await buildTestApp({ database, url, ...(store ? { cacheStore: store } : {}) });
    closing.push(built.close, async () => store?.close());
    app = built.app;
    publish = (event) => built.bus.publish(event);
  });

  const get = (owner: string, ifNoneMatch?: string, query = 'limit=50') =>
    app.inject({ method: 'GET', url: `/photos?${query}`, headers: { ...as(owner), ...(ifNoneMatch === undefined ? {} : { 'if-none-match': ifNoneMatch }) } });
  const listed = async (owner: string, count: number) => {
    await expect.poll(async () => (await get(owner)).json().items.length, { timeout: 10_000, interval: 25 }).toBe(count);
  };

  it("answers 304 while the caller's page is unchanged, and the page with a new ETag once it changes", async () => {
    const owner = `owner-${randomUUID()}`;
    const id = newPhotoId();
    await publish(uploaded(id, owner));
    await listed(owner, 1);

    const first = await get(owner);
    const etag = first.headers['etag'] as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    for (let i = 0; i < 3; i++) {
      const again = await get(owner, etag);
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers['content-length']).toBeUndefined();
      expect(again.headers['etag']).toBe(etag);
    }

    await publish(processed(id, owner));
    await expect.poll(async () => (await get(owner, etag)).statusCode, { timeout: 10_000, interval: 25 }).toBe(200);
    const changed = await get(owner, etag);
    expect(changed.json().items[0].status).toBe('ready');
    expect(changed.headers['etag']).not.toBe(etag);
    expect((await get(owner, changed.headers['etag'] as string)).statusCode).toBe(304);
    // The same caller with another query: that page, not a 304 for the first one.
    expect((await get(owner, changed.headers['etag'] as string, 'limit=50&status=processing')).statusCode).toBe(200);
  });

  it("never answers 304 to another caller with someone's ETag", async () => {
    const [alice, bob] = [`alice-${randomUUID()}`, `bob-${randomUUID()}`];
    await publish(uploaded(newPhotoId(), alice));
    await publish(uploaded(newPhotoId(), bob));
    await listed(alice, 1);
    await listed(bob, 1);
    const alicePage = await get(alice);
    const bobPage = await get(bob, alicePage.headers['etag'] as string);
    expect(bobPage.statusCode).toBe(200);
    expect(bobPage.json().items[0].id).not.toBe(alicePage.json().items[0].id);
  });

  it('takes anything but one strong ETag of ours as unconditional', async () => {
    const owner = `owner-${randomUUID()}`;
    await publish(uploaded(newPhotoId(), owner));
    await listed(owner, 1);
    const etag = (await get(owner)).headers['etag'] as string;
    for (const header of [`W/${etag}`, `${etag}, "other"`, '*', etag.slice(1, -1), '"not-an-etag"']) {
      const response = await get(owner, header);
      expect(response.statusCode, header).toBe(200);
      expect(response.json().items).toHaveLength(1);
    }
  });
});
