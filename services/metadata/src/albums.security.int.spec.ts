/**
 * Albums and sharing, attacked. For each rule: the attack, and the answer it must give.
 *
 *   1. A stranger sees nothing of an album or its photos: 404, as if it did not exist.
 *   2. A grantee sees the shared album's photos, and no other photo of the owner (404).
 *   3. A grantee never deletes the owner's photos (404), never renames, deletes or re-shares the album (403).
 *   4. Nobody adds someone else's photo to an album: not the owner (a grantee's photo), not a contributor
 *      (the owner's photo from outside the album), not a stranger; a viewer adds nothing (403).
 *   5. A contributor takes out only what they added (403 for the owner's photo).
 *   6. A revoked grant takes effect on the next request, also once the grantee's visible-album set is cached.
 *   7. Deleting a photo takes it out of every album (and unsets the cover); deleting an album leaves the photos.
 *   8. Album photos page newest first with the gallery's keyset cursor, across photos added between pages.
 */
import { randomUUID } from 'node:crypto';
import type { EventBus } from '@photos/event-bus';
import type { ServiceApp } from '@photos/service-kit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { at, newPhotoId, uploaded } from './test-support/photo-events.js';
import { as, buildTestApp, cacheLookups } from './test-support/test-app.js';
import { openMigratedTestDatabase } from './test-support/test-database.js';

let app: ServiceApp;
let publish: EventBus['publish'];
const closing: Array<{ close(): Promise<unknown> }> = [];
const t0 = new Date('2026-09-01T10:00:00Z');

beforeAll(async () => {
  const database = await openMigratedTestDatabase();
  closing.push(database);
  const built = await buildTestApp({ database: database.database, url: database.url });
  closing.push(built);
  app = built.app;
  publish = (event) => built.bus.publish(event);
});

afterAll(async () => {
  for (const thing of closing.splice(0).reverse()) await thing.close();
});

const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, who: string, payload?: object) =>
  app.inject({ method, url, headers: as(who), ...(payload ? { payload } : {}) });

/** Fresh actors per test, so tests never see each other's albums. */
const actors = () => {
  const tag = randomUUID().slice(0, 8);
  return { owner: `owner-${tag}`, viewer: `viewer-${tag}`, contributor: `contributor-${tag}`, stranger: `stranger-${tag}` };
};

/** Uploads photos of `ownerId` (uploadedAt t0 + offsets) and waits until they are projected. */
async function photosOf(ownerId: string, offsets: number[]): Promise<string[]> {
  const ids = offsets.map(() => newPhotoId());
  for (const [index, id] of ids.entries()) await publish(uploaded(id, ownerId, { uploadedAt: at(t0, offsets[index]!).toISOString(), filename: `${id}.jpg` }));
  await vi.waitFor(
    async () => {
      for (const id of ids) expect((await call('GET', `/photos/${id}`, ownerId)).statusCode).toBe(200);
    },
    { timeout: 10_000, interval: 50 },
  );
  return ids;
}

async function albumOf(ownerId: string, name = 'Holidays'): Promise<string> {
  const response = await call('POST', '/albums', ownerId, { name });
  expect(response.statusCode).toBe(201);
  return (response.json() as { id: string }).id;
}

/** An album of `owner` holding two of their photos (a third stays outside), shared with a viewer and a contributor. */
async function sharedAlbum() {
  const who = actors();
  const [inside1, inside2, outside] = await photosOf(who.owner, [1, 2, 3]);
  const album = await albumOf(who.owner);
  expect((await call('POST', `/albums/${album}/photos`, who.owner, { photoIds: [inside1, inside2] })).json()).toEqual({ added: [inside1, inside2] });
  expect((await call('PUT', `/albums/${album}/grants/${who.viewer}`, who.owner, { role: 'viewer' })).statusCode).toBe(204);
  expect((await call('PUT', `/albums/${album}/grants/${who.contributor}`, who.owner, { role: 'contributor' })).statusCode).toBe(204);
  return { ...who, album, inside: [inside1!, inside2!], outside: outside! };
}

const ids = (response: { json(): unknown }) => (response.json() as { items: { id: string }[] }).items.map((item) => item.id);

describe('albums: visibility', () => {
  it('1. a stranger gets 404 for the album, its photos and each photo in it', async () => {
    const { album, inside, stranger } = await sharedAlbum();
    for (const url of [`/albums/${album}`, `/albums/${album}/photos`, `/photos/${inside[0]}`]) {
      const response = await call('GET', url, stranger);
      expect(response.statusCode, url).toBe(404);
      // The id is the caller's own input, echoed; nothing of the photo (its file name, its key) is.
      expect(response.body).not.toMatch(/\.jpg|originals\//);
    }
    expect(ids(await call('GET', '/albums/shared', stranger))).toEqual([]);
  });

  it("2. a grantee sees exactly the album's photos, newest first, and not the owner's other photos", async () => {
    const { album, inside, outside, viewer, owner } = await sharedAlbum();
    const page = await call('GET', `/albums/${album}/photos`, viewer);
    expect(page.statusCode).toBe(200);
    expect(ids(page)).toEqual([inside[1], inside[0]]);
    expect((await call('GET', `/photos/${inside[0]}`, viewer)).statusCode).toBe(200);
    expect((await call('GET', `/photos/${outside}`, viewer)).statusCode).toBe(404);
    // Their own gallery is theirs only: the shared photos are not in it.
    expect(ids(await call('GET', '/photos', viewer))).toEqual([]);
    const shared = (await call('GET', '/albums/shared', viewer)).json() as { items: { id: string; access: string; ownerId: string; photoCount: number }[] };
    expect(shared.items).toEqual([expect.objectContaining({ id: album, access: 'viewer', ownerId: owner, photoCount: 2 })]);
  });

  it("3. a grantee cannot delete the owner's photos, nor rename, delete or re-share the album", async () => {
    const { album, inside, viewer, contributor, stranger, owner } = await sharedAlbum();
    for (const grantee of [viewer, contributor]) {
      expect((await call('DELETE', `/photos/${inside[0]}`, grantee)).statusCode).toBe(404);
      expect((await call('PATCH', `/albums/${album}`, grantee, { name: 'Mine now' })).statusCode).toBe(403);
      expect((await call('DELETE', `/albums/${album}`, grantee)).statusCode).toBe(403);
      expect((await call('PUT', `/albums/${album}/grants/${stranger}`, grantee, { role: 'viewer' })).statusCode).toBe(403);
      expect((await call('DELETE', `/albums/${album}/grants/${viewer}`, grantee)).statusCode).toBe(403);
      expect((await call('GET', `/albums/${album}/grants`, grantee)).statusCode).toBe(403);
    }
    expect((await call('PATCH', `/albums/${album}`, stranger, { name: 'x' })).statusCode).toBe(404);
    expect((await call('GET', `/photos/${inside[0]}`, owner)).statusCode).toBe(200);
    expect((await call('GET', `/albums/${album}`, owner)).json()).toMatchObject({ name: 'Holidays', photoCount: 2 });
    expect(((await call('GET', `/albums/${album}/grants`, owner)).json() as { items: { granteeId: string }[] }).items.map((g) => g.granteeId).sort()).toEqual(
      [contributor, viewer].sort(),
    );
  });

  it('4. nobody adds a photo that is not their own; a viewer adds nothing', async () => {
    const { album, outside, viewer, contributor, stranger, owner } = await sharedAlbum();
    const [contributorPhoto] = await photosOf(contributor, [10]);
    const [strangerPhoto] = await photosOf(stranger, [11]);
    // The contributor may not pull the owner's other photo in (which would show it to every grantee).
    expect((await call('POST', `/albums/${album}/photos`, contributor, { photoIds: [outside] })).statusCode).toBe(404);
    // The owner may not add someone else's photo, even a grantee's.
    expect((await call('POST', `/albums/${album}/photos`, owner, { photoIds: [contributorPhoto] })).statusCode).toBe(404);
    expect((await call('POST', `/albums/${album}/photos`, viewer, { photoIds: [outside] })).statusCode).toBe(403);
    expect((await call('POST', `/albums/${album}/photos`, stranger, { photoIds: [strangerPhoto] })).statusCode).toBe(404);
    // A mix of one's own and another's adds nothing.
    expect((await call('POST', `/albums/${album}/photos`, contributor, { photoIds: [contributorPhoto, outside] })).statusCode).toBe(404);
    expect((await call('GET', `/photos/${outside}`, viewer)).statusCode).toBe(404);
    // The contributor's own photo goes in, and every grantee sees it.
    expect((await call('POST', `/albums/${album}/photos`, contributor, { photoIds: [contributorPhoto] })).json()).toEqual({ added: [contributorPhoto] });
    expect((await call('GET', `/photos/${contributorPhoto}`, viewer)).statusCode).toBe(200);
    // The album's owner opens it too (their album's page lists it), and loses it once it is taken out.
    expect((await call('GET', `/photos/${contributorPhoto}`, owner)).statusCode).toBe(200);
    expect((await call('GET', `/albums/${album}`, owner)).json()).toMatchObject({ photoCount: 3 });
    expect((await call('POST', `/albums/${album}/photos/remove`, contributor, { photoIds: [contributorPhoto] })).statusCode).toBe(204);
    expect((await call('GET', `/photos/${contributorPhoto}`, owner)).statusCode).toBe(404);
  });

  it('5. a contributor takes out only what they added; a viewer nothing', async () => {
    const { album, inside, viewer, contributor, owner } = await sharedAlbum();
    const [mine] = await photosOf(contributor, [20]);
    await call('POST', `/albums/${album}/photos`, contributor, { photoIds: [mine] });
    expect((await call('POST', `/albums/${album}/photos/remove`, viewer, { photoIds: [mine] })).statusCode).toBe(403);
    expect((await call('POST', `/albums/${album}/photos/remove`, contributor, { photoIds: [inside[0]] })).statusCode).toBe(403);
    expect((await call('POST', `/albums/${album}/photos/remove`, contributor, { photoIds: [mine] })).statusCode).toBe(204);
    expect(ids(await call('GET', `/albums/${album}/photos`, owner))).toEqual([inside[1], inside[0]]);
    // The photo itself stays its owner's.
    expect((await call('GET', `/photos/${mine}`, contributor)).statusCode).toBe(200);
  });

  it('6. a revoked grant takes effect on the next request', async () => {
    const { album, inside, viewer, owner } = await sharedAlbum();
    expect((await call('GET', `/photos/${inside[0]}`, viewer)).statusCode).toBe(200);
    expect((await call('DELETE', `/albums/${album}/grants/${viewer}`, owner)).statusCode).toBe(204);
    expect((await call('GET', `/photos/${inside[0]}`, viewer)).statusCode).toBe(404);
    expect((await call('GET', `/albums/${album}`, viewer)).statusCode).toBe(404);
    expect((await call('GET', `/albums/${album}/photos`, viewer)).statusCode).toBe(404);
    expect(ids(await call('GET', '/albums/shared', viewer))).toEqual([]);
  });

  it('6b. a revoke reaches a grantee whose visible-album set is cached (Redis), and a re-share too', async () => {
    const { album, inside, viewer, owner } = await sharedAlbum();
    expect((await call('GET', `/photos/${inside[0]}`, viewer)).statusCode).toBe(200);
    const hits = async () => (await cacheLookups(app))['albums/hit'] ?? 0;
    // The set is stored after the answer (not awaited): wait until a read is answered from the cache.
    const before = await hits();
    await vi.waitFor(
      async () => {
        expect((await call('GET', `/photos/${inside[1]}`, viewer)).statusCode).toBe(200);
        expect(await hits()).toBeGreaterThan(before);
      },
      { timeout: 5_000, interval: 20 },
    );
    expect((await call('DELETE', `/albums/${album}/grants/${viewer}`, owner)).statusCode).toBe(204);
    expect((await call('GET', `/photos/${inside[0]}`, viewer)).statusCode).toBe(404);
    expect((await call('PUT', `/albums/${album}/grants/${viewer}`, owner, { role: 'viewer' })).statusCode).toBe(204);
    expect((await call('GET', `/photos/${inside[0]}`, viewer)).statusCode).toBe(200);
    expect((await call('DELETE', `/albums/${album}`, owner)).statusCode).toBe(204);
    expect((await call('GET', `/photos/${inside[0]}`, viewer)).statusCode).toBe(404);
  });

  it('refuses to share with oneself (400) and validates bodies (400 problem+json, nothing stored)', async () => {
    const { album, owner } = await sharedAlbum();
    expect((await call('PUT', `/albums/${album}/grants/${owner}`, owner, { role: 'viewer' })).statusCode).toBe(400);
    for (const [url, payload] of [
      ['/albums', { name: '' }],
      ['/albums', { name: '   ' }],
      ['/albums', { name: 'x'.repeat(201) }],
      [`/albums/${album}/photos`, { photoIds: [] }],
      [`/albums/${album}/photos`, { photoIds: ['not-a-uuid'] }],
    ] as const) {
      const response = await call('POST', url, owner, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect((await call('PUT', `/albums/${album}/grants/x`, owner, { role: 'admin' })).statusCode).toBe(400);
    expect(ids(await call('GET', '/albums', owner))).toEqual([album]);
  });
});

describe('albums: lifecycle', () => {
  it('7. deleting a photo takes it out of every album and unsets the cover; deleting an album keeps the photos', async () => {
    const { album, inside, viewer, owner } = await sharedAlbum();
    const other = await albumOf(owner, 'Best of');
    await call('POST', `/albums/${other}/photos`, owner, { photoIds: [inside[0]] });
    expect((await call('PATCH', `/albums/${album}`, owner, { coverPhotoId: inside[0], name: 'Summer' })).json()).toMatchObject({
      coverPhotoId: inside[0],
      name: 'Summer',
    });

    expect((await call('DELETE', `/photos/${inside[0]}`, owner)).statusCode).toBe(204);
    expect(ids(await call('GET', `/albums/${album}/photos`, viewer))).toEqual([inside[1]]);
    expect((await call('GET', `/albums/${album}`, owner)).json()).toMatchObject({ coverPhotoId: null, photoCount: 1 });
    expect((await call('GET', `/albums/${other}`, owner)).json()).toMatchObject({ photoCount: 0 });

    expect((await call('DELETE', `/albums/${album}`, owner)).statusCode).toBe(204);
    expect((await call('GET', `/albums/${album}`, owner)).statusCode).toBe(404);
    expect((await call('GET', `/photos/${inside[1]}`, owner)).statusCode).toBe(200);
    expect((await call('GET', `/photos/${inside[1]}`, viewer)).statusCode).toBe(404);
    expect(ids(await call('GET', '/albums', owner))).toEqual([other]);
  });

  it('a cover must be a photo of the album', async () => {
    const { album, outside, owner } = await sharedAlbum();
    expect((await call('PATCH', `/albums/${album}`, owner, { coverPhotoId: outside })).statusCode).toBe(400);
  });

  it('8. pages newest first with a cursor, photos added between pages change nothing already paged', async () => {
    const { owner, viewer } = actors();
    const photos = await photosOf(owner, [1, 2, 3, 4, 5]);
    const album = await albumOf(owner);
    await call('POST', `/albums/${album}/photos`, owner, { photoIds: photos });
    await call('PUT', `/albums/${album}/grants/${viewer}`, owner, { role: 'viewer' });
    const first = (await call('GET', `/albums/${album}/photos?limit=2`, viewer)).json() as { items: { id: string }[]; nextCursor: string };
    expect(first.items.map((p) => p.id)).toEqual([photos[4], photos[3]]);
    const [newer] = await photosOf(owner, [9]);
    await call('POST', `/albums/${album}/photos`, owner, { photoIds: [newer] });
    const seen = [...first.items.map((p) => p.id)];
    let cursor: string | null = first.nextCursor;
    while (cursor) {
      const page = (await call('GET', `/albums/${album}/photos?limit=2&cursor=${cursor}`, viewer)).json() as {
        items: { id: string }[];
        nextCursor: string | null;
      };
      seen.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([photos[4], photos[3], photos[2], photos[1], photos[0]]);
    expect((await call('GET', `/albums/${album}/photos?cursor=bogus`, viewer)).statusCode).toBe(400);
  });
});
