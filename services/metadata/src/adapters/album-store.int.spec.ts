import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase } from '../test-support/test-database.js';
import { AlbumTargetGoneError, createAlbumStore, type AlbumStore } from './album-store.js';
import type { Database } from './database.js';

let database: Database;
let close: () => Promise<void>;
let store: AlbumStore;

beforeAll(async () => {
  ({ database, close } = await openMigratedTestDatabase());
  store = createAlbumStore(database.prisma);
});
afterAll(() => close());

describe('album store', () => {
  it('adds nothing, with AlbumTargetGoneError, when a checked photo is deleted before the insert', async () => {
    const now = new Date();
    const photo = (id: string) => ({ id, ownerId: 'owner', filename: 'f.jpg', contentType: 'image/jpeg', bytes: 1, sha256: 'a'.repeat(64), uploadedAt: now });
    const [kept, gone] = [crypto.randomUUID(), crypto.randomUUID()];
    await database.prisma.photo.createMany({ data: [photo(kept), photo(gone)] });
    const album = await store.create({ id: crypto.randomUUID(), ownerId: 'owner', name: 'A', coverPhotoId: null, createdAt: now });
    const candidates = await store.candidates([kept, gone]);
    expect(candidates).toHaveLength(2);
    await database.prisma.photo.delete({ where: { id: gone } });

    await expect(store.addPhotos(album.id, 'owner', candidates, now)).rejects.toBeInstanceOf(AlbumTargetGoneError);
    expect(await store.entries(album.id, [kept, gone])).toEqual([]);
  });
});
