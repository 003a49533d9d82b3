import type { PhotoDeleted } from '@photos/contracts';
import type { EventBus } from '@photos/event-bus';
import type { ServiceApp } from '@photos/service-kit';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from './adapters/database.js';
import { PageSchema } from './routes/photo-schemas.js';
import { at, deleted, newPhotoId, processed, processingFailed, uploaded } from './test-support/photo-events.js';
import { as, buildTestApp } from './test-support/test-app.js';
import { openMigratedTestDatabase } from './test-support/test-database.js';

describe('metadata HTTP API', () => {
  let database: Database;
  let closeDatabase: () => Promise<void>;
  let app: ServiceApp;
  let publish: EventBus['publish'];
  let closeApp: () => Promise<void>;
  const published: PhotoDeleted[] = [];
  const t0 = new Date('2026-11-20T08:00:00.000Z');
  const alicePhotos = [newPhotoId(), newPhotoId(), newPhotoId()];
  const bobPhoto = newPhotoId();

  const get = (url: string, owner: string | null = 'alice') => app.inject({ method: 'GET', url, headers: owner ? as(owner) : {} });

  beforeAll(async () => {
    let url: string;
    ({ database, url, close: closeDatabase } = await openMigratedTestDatabase());
    const built = await buildTestApp({ database, url });
    ({ app, close: closeApp } = built);
    publish = (event) => built.bus.publish(event);
    await built.bus.subscribe({ group: 'deleted-spy', handlers: { 'photo.deleted': async (event) => void published.push(event) } });

    const [ready, failed, processing] = alicePhotos as [string, string, string];
    await publish(uploaded(ready, 'alice', { uploadedAt: t0.toISOString(), filename: 'ready.jpg' }));
    await publish(processed(ready, 'alice', { exif: { takenAt: '2026-08-14T18:02:11+02:00', iso: 64 } }, { time: at(t0, 2) }));
    await publish(uploaded(failed, 'alice', { uploadedAt: at(t0, 10).toISOString(), filename: 'failed.jpg' }));
    await publish(processingFailed(failed, 'alice', { time: at(t0, 12) }));
    await publish(uploaded(processing, 'alice', { uploadedAt: at(t0, 20).toISOString(), filename: 'processing.jpg' }));
    await publish(uploaded(bobPhoto, 'bob', { uploadedAt: at(t0, 30).toISOString() }));
    await vi.waitFor(async () => expect((await get('/photos/counts')).json()).toEqual({ processing: 1, ready: 1, failed: 1, total: 3 }), {
      timeout: 10_000,
      interval: 50,
    });
    await vi.waitFor(async () => expect((await get(`/photos/${bobPhoto}`, 'bob')).statusCode).toBe(200), { timeout: 10_000, interval: 50 });
  });
  afterAll(async () => {
    await closeApp();
    await closeDatabase();
  });

  it("lists the caller's photos newest first, with status, failure and no EXIF", async () => {
    const response = await get('/photos');
    expect(response.statusCode).toBe(200);
    const { items, nextCursor } = response.json();
    expect(items.map((p: { filename: string }) => p.filename)).toEqual(['processing.jpg', 'failed.jpg', 'ready.jpg']);
    expect(nextCursor).toBeNull();
    const [processing, failed, ready] = items;
    expect(processing).toMatchObject({ status: 'processing', variants: null, width: null, placeholder: null });
    expect(failed).toMatchObject({ status: 'failed', failure: { code: 'undecodable', reason: 'The file is a truncated JPEG.' } });
    expect(ready).toMatchObject({
      status: 'ready',
      contentType: 'image/jpeg',
      bytes: 123_456,
      width: 3024,
      height: 4032,
      takenAt: '2026-08-14T18:02:11+02:00',
      uploadedAt: t0.toISOString(),
      placeholder: '1QcSHQRnh493V4dIh4eXh1h4kJUI',
      dominantColor: '#6a7f4c',
      variants: { thumb: { width: 240, height: 320 }, preview: { width: 1080, height: 1440 } },
    });
    expect(ready.variants.thumb).toEqual({ key: expect.stringMatching(/^variants\//), width: 240, height: 320 });
    expect(ready).not.toHaveProperty('exif');
  });

  it('sends a page, cached or not, byte for byte as its response schema serializes it', async () => {
    const reference = Fastify();
    reference.get('/', { schema: { response: { 200: PageSchema } } }, async (request) => JSON.parse(request.headers['x-page'] as string));
    try {
      for (const url of ['/photos?limit=3', '/photos?limit=3', '/photos?limit=2']) {
        const response = await get(url);
        expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
        const serialized = await reference.inject({ method: 'GET', url: '/', headers: { 'x-page': response.body } });
        expect(response.body).toBe(serialized.body);
      }
    } finally {
      await reference.close();
    }
  });

  it('pages with an opaque cursor and filters by status and taken-at range', async () => {
    const first = (await get('/photos?limit=2')).json();
    expect(first.items).toHaveLength(2);
    const second = (await get(`/photos?limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((p: { filename: string }) => p.filename)).toEqual(['ready.jpg']);
    expect(second.nextCursor).toBeNull();
    expect((await get('/photos?status=failed')).json().items.map((p: { filename: string }) => p.filename)).toEqual(['failed.jpg']);
    const taken = (from: string, to: string) => get(`/photos?takenFrom=${from}&takenTo=${to}`).then((r) => r.json().items.length);
    expect(await taken('2026-08-14', '2026-08-15')).toBe(1);
    expect(await taken('2026-08-14T18:02:12', '2026-08-15')).toBe(0);
    expect(await taken('2026-08-01', '2026-08-14T18:02:11')).toBe(0);
  });

  it('gets one photo with its EXIF, and counts by status', async () => {
    const photo = (await get(`/photos/${alicePhotos[0]}`)).json();
    expect(photo).toMatchObject({ id: alicePhotos[0], status: 'ready', exif: { takenAt: '2026-08-14T18:02:11+02:00', iso: 64 } });
    expect((await get('/photos/counts')).json()).toEqual({ processing: 1, ready: 1, failed: 1, total: 3 });
  });

  it('refuses bad input with a problem, not a 500', async () => {
    for (const url of [
      '/photos?cursor=nonsense',
      '/photos?limit=0',
      '/photos?limit=1000',
      '/photos?status=lost',
      '/photos?takenFrom=yesterday',
      '/photos/not-a-uuid',
    ]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });

  it('answers 401 without a valid token, on every route', async () => {
    for (const [method, url] of [
      ['GET', '/photos'],
      ['GET', '/photos/counts'],
      ['GET', `/photos/${alicePhotos[0]}`],
      ['DELETE', `/photos/${alicePhotos[0]}`],
    ] as const) {
      expect((await app.inject({ method, url })).statusCode).toBe(401);
      expect((await app.inject({ method, url, headers: { authorization: 'Bearer forged' } })).statusCode).toBe(401);
    }
  });

  it("answers 404 for another owner's photo on every route, exactly as for a photo that does not exist", async () => {
    for (const id of [bobPhoto, newPhotoId()]) {
      const one = await get(`/photos/${id}`);
      expect(one.statusCode).toBe(404);
      expect(one.json()).toMatchObject({ status: 404, detail: `No photo ${id}.` });
      expect((await app.inject({ method: 'DELETE', url: `/photos/${id}`, headers: as('alice') })).statusCode).toBe(404);
    }
    expect((await get('/photos')).json().items.map((p: { id: string }) => p.id)).not.toContain(bobPhoto);
    expect((await get(`/photos/${bobPhoto}`, 'bob')).statusCode).toBe(200);
    expect(published).toEqual([]);
  });

  it('deletes: publishes photo.deleted, and the photo is gone at once and stays gone', async () => {
    const id = alicePhotos[2]!;
    const response = await app.inject({ method: 'DELETE', url: `/photos/${id}`, headers: { ...as('alice'), 'x-correlation-id': 'delete-42' } });
    expect(response.statusCode).toBe(204);
    expect((await get(`/photos/${id}`)).statusCode).toBe(404);
    expect((await get('/photos/counts')).json()).toMatchObject({ processing: 0, total: 2 });
    await expect.poll(() => published.length).toBe(1);
    expect(published[0]).toMatchObject({ type: 'photo.deleted.v1', subject: id, correlationid: 'delete-42', data: { photoId: id, ownerId: 'alice' } });
    // A late processed (and the consumer's own copy of the deletion) change nothing.
    await publish(processed(id, 'alice'));
    await publish(deleted(id, 'alice'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await get(`/photos/${id}`)).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/photos/${id}`, headers: as('alice') })).statusCode).toBe(404);
  });

  it('is ready when its database and bus are, and reports its metrics', async () => {
    const ready = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.json()).toEqual({ status: 'ok', checks: { database: 'ok', bus: 'ok' } });
    const metrics = await app.metrics.metrics(); // served by the metrics listener (security.int.spec.ts)
    expect(metrics).toMatch(/metadata_events_projected_total\{type="photo.uploaded.v1",outcome="saved"\} 4/);
    expect(metrics).toMatch(/metadata_cache_requests_total\{kind="page",result="(hit|miss)"\}/);
  });
});
