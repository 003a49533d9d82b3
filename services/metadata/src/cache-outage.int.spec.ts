/**
 * The read cache is optional at run time: with its Redis unreachable the service, built as server.ts
 * builds it (REDIS_URL set), still projects every event and answers every read from the database, and
 * stays ready (Redis is not a readiness check: see app.ts).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from './adapters/database.js';
import { newPhotoId, processed, uploaded } from './test-support/photo-events.js';
import { as, buildTestApp } from './test-support/test-app.js';
import { openMigratedTestDatabase } from './test-support/test-database.js';

describe('metadata with its Redis cache unreachable', () => {
  let database: Database;
  let url: string;
  let closeDatabase: () => Promise<void>;

  beforeAll(async () => {
    ({ database, url, close: closeDatabase } = await openMigratedTestDatabase());
  });
  afterAll(() => closeDatabase());

  it('projects events, answers lists, details and counts, and is ready', async () => {
    const { app, bus, close } = await buildTestApp({ database, url, env: { REDIS_URL: 'redis://127.0.0.1:1', CACHE_PREFIX: 'metadata-test-unreachable:' } });
    try {
      const id = newPhotoId();
      await bus.publish(uploaded(id, 'alice'));
      await bus.publish(processed(id, 'alice'));
      const get = (path: string) => app.inject({ method: 'GET', url: path, headers: as('alice') });
      await vi.waitFor(async () => expect((await get(`/photos/${id}`)).json()).toMatchObject({ status: 'ready' }), { timeout: 10_000, interval: 50 });
      const list = await get('/photos');
      expect(list.statusCode).toBe(200);
      expect((list.json() as { items: { id: string }[] }).items.map((p) => p.id)).toEqual([id]);
      expect((await get('/photos/counts')).json()).toMatchObject({ ready: 1 });
      expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    } finally {
      await close();
    }
  });
});
