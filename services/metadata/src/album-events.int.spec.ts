/**
 * Album events: each committed album change is announced once, with the contract's data; a change the
 * rules refuse announces nothing; a bus that refuses the event leaves the change done and says so.
 */
import { randomUUID } from 'node:crypto';
import type { AlbumEvent } from '@photos/contracts';
import type { EventBus } from '@photos/event-bus';
import type { ServiceApp } from '@photos/service-kit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newPhotoId, uploaded } from './test-support/photo-events.js';
import { as, buildTestApp } from './test-support/test-app.js';
import { openMigratedTestDatabase } from './test-support/test-database.js';

let app: ServiceApp;
let bus: EventBus;
const seen: AlbumEvent[] = [];
const closing: Array<{ close(): Promise<unknown> }> = [];

beforeAll(async () => {
  const database = await openMigratedTestDatabase();
  closing.push(database);
  const built = await buildTestApp({ database: database.database, url: database.url });
  closing.push(built);
  ({ app, bus } = built);
  const spy = async (event: AlbumEvent) => void seen.push(event);
  await bus.subscribe({
    group: 'album-events-spy',
    handlers: { 'album.created': spy, 'album.photos-added': spy, 'album.shared': spy, 'album.share-revoked': spy, 'album.deleted': spy },
  });
});

afterAll(async () => {
  for (const thing of closing.splice(0).reverse()) await thing.close();
});

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, who: string, payload?: object) =>
  app.inject({ method, url, headers: as(who), ...(payload ? { payload } : {}) });

describe('album events', () => {
  it('announces create, photos added, share, revoke and delete, each once, after the change', async () => {
    const owner = `owner-${randomUUID()}`;
    const friend = `friend-${randomUUID()}`;
    const photo = newPhotoId();
    await bus.publish(uploaded(photo, owner));
    await vi.waitFor(async () => expect((await call('GET', `/photos/${photo}`, owner)).statusCode).toBe(200), { timeout: 10_000, interval: 50 });

    const album = (await call('POST', '/albums', owner, { name: 'Trip' })).json<{ id: string }>().id;
    expect((await call('POST', `/albums/${album}/photos`, owner, { photoIds: [photo] })).json()).toEqual({ added: [photo] });
    // Already there: nothing added, no event.
    expect((await call('POST', `/albums/${album}/photos`, owner, { photoIds: [photo] })).json()).toEqual({ added: [] });
    expect((await call('PUT', `/albums/${album}/grants/${friend}`, owner, { role: 'viewer' })).statusCode).toBe(204);
    expect((await call('PUT', `/albums/${album}/grants/${friend}`, friend, { role: 'contributor' })).statusCode).toBe(403); // refused: no event
    expect((await call('DELETE', `/albums/${album}/grants/${friend}`, owner)).statusCode).toBe(204);
    expect((await call('DELETE', `/albums/${album}/grants/${friend}`, owner)).statusCode).toBe(204); // nothing to revoke: no event
    expect((await call('PUT', `/albums/${album}/grants/${friend}`, owner, { role: 'contributor' })).statusCode).toBe(204);
    expect((await call('DELETE', `/albums/${album}`, owner)).statusCode).toBe(204);

    await vi.waitFor(() => expect(seen.filter((event) => event.subject === album)).toHaveLength(6), { timeout: 10_000, interval: 50 });
    const mine = seen.filter((event) => event.subject === album);
    expect(mine.map((event) => event.type)).toEqual([
      'album.created.v1',
      'album.photos-added.v1',
      'album.shared.v1',
      'album.share-revoked.v1',
      'album.shared.v1',
      'album.deleted.v1',
    ]);
    expect(mine[0]!.data).toMatchObject({ albumId: album, ownerId: owner, name: 'Trip' });
    expect(mine[1]!.data).toMatchObject({ albumId: album, ownerId: owner, addedBy: owner, photoIds: [photo] });
    expect(mine[2]!.data).toMatchObject({ granteeId: friend, role: 'viewer' });
    expect(mine[5]!.data).toMatchObject({ albumId: album, ownerId: owner, granteeIds: [friend] });
  });

  it('keeps a committed change when the bus refuses its event, and counts the event as lost', async () => {
    const owner = `owner-${randomUUID()}`;
    const publish = vi.spyOn(bus, 'publish').mockRejectedValueOnce(new Error('broker down'));
    try {
      const response = await call('POST', '/albums', owner, { name: 'Offline' });
      expect(response.statusCode).toBe(201);
      expect(publish).toHaveBeenCalledTimes(1);
    } finally {
      publish.mockRestore();
    }
    expect((await call('GET', '/albums', owner)).json<{ items: { name: string }[] }>().items.map((album) => album.name)).toEqual(['Offline']);
    const metric = await app.metrics.getSingleMetric('metadata_album_events_total')!.get();
    expect(metric.values).toContainEqual(expect.objectContaining({ labels: { type: 'album.created.v1', result: 'lost' }, value: 1 }));
  });
});
