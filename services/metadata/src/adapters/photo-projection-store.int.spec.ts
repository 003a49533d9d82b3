import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectedEvent } from '../domain/photo-projection.js';
import { at, deleted, newPhotoId, processed, processingFailed, uploaded } from '../test-support/photo-events.js';
import { openMigratedTestDatabase } from '../test-support/test-database.js';
import type { Database } from './database.js';
import { createPhotoProjectionStore, type PhotoProjectionStore } from './photo-projection-store.js';

describe('photo projection store (PostgreSQL)', () => {
  let database: Database;
  let close: () => Promise<void>;
  let store: PhotoProjectionStore;
  const t0 = new Date('2026-11-22T10:00:00.000Z');

  beforeAll(async () => {
    ({ database, close } = await openMigratedTestDatabase());
    store = createPhotoProjectionStore(database.prisma);
  });
  afterAll(() => close());

  const row = (id: string) => database.prisma.photo.findUnique({ where: { id } });
  const applyAll = async (events: ProjectedEvent[]) => {
    const kinds: string[] = [];
    for (const event of events) kinds.push((await store.apply(event)).kind);
    return kinds;
  };

  it('projects uploaded then processed into a ready photo with all its data', async () => {
    const id = newPhotoId();
    await applyAll([uploaded(id, 'alice', { uploadedAt: t0.toISOString() }, { time: t0 }), processed(id, 'alice', {}, { time: at(t0, 3) })]);
    expect(await row(id)).toMatchObject({
      ownerId: 'alice',
      status: 'ready',
      filename: 'IMG_0001.jpg',
      bytes: 123_456,
      uploadedAt: t0,
      width: 3024,
      takenAt: '2026-08-14T18:02:11+02:00',
      takenAtLocal: new Date('2026-08-14T18:02:11.000Z'),
      variants: { thumb: { width: 240 } },
      exif: { cameraMake: 'Apple' },
    });
  });

  it('writes nothing for a duplicate event', async () => {
    const id = newPhotoId();
    const up = uploaded(id, 'alice');
    const done = processed(id, 'alice');
    expect(await applyAll([up, done])).toEqual(['save', 'save']);
    const before = await row(id);
    expect(await applyAll([up, done, up])).toEqual(['skip', 'skip', 'skip']);
    expect(await row(id)).toEqual(before);
  });

  it('ends ready when processed overtakes uploaded, and the photo only shows once uploaded arrives', async () => {
    const id = newPhotoId();
    await applyAll([processed(id, 'alice', {}, { time: at(t0, 3) })]);
    expect(await row(id)).toMatchObject({ status: 'ready', uploadedAt: null });
    await applyAll([uploaded(id, 'alice', { uploadedAt: t0.toISOString() }, { time: t0 })]);
    expect(await row(id)).toMatchObject({ status: 'ready', uploadedAt: t0, filename: 'IMG_0001.jpg' });
  });

  it('never lets an older event overwrite a newer state', async () => {
    const id = newPhotoId();
    await applyAll([uploaded(id, 'alice'), processed(id, 'alice', {}, { time: at(t0, 9) }), processingFailed(id, 'alice', { time: at(t0, 2) })]);
    expect(await row(id)).toMatchObject({ status: 'ready', failureReason: null });
  });

  it('keeps a deleted photo deleted, with a tombstone, when late events arrive', async () => {
    const id = newPhotoId();
    expect(
      await applyAll([uploaded(id, 'alice'), deleted(id, 'alice'), processed(id, 'alice'), uploaded(id, 'alice', {}, { time: at(new Date(), 60) })]),
    ).toEqual(['save', 'delete', 'skip', 'skip']);
    expect(await row(id)).toBeNull();
    expect(await database.prisma.photoTombstone.findUnique({ where: { photoId: id } })).toMatchObject({ ownerId: 'alice' });
  });

  it('stays consistent when the events of one photo are applied concurrently, in any order', async () => {
    const ids = Array.from({ length: 40 }, newPhotoId);
    const events = ids.flatMap((id) => [uploaded(id, 'carol'), processed(id, 'carol'), processed(id, 'carol'), deleted(id, 'carol')]);
    events.sort(() => Math.random() - 0.5);
    await Promise.all(events.map((event) => store.apply(event)));
    expect(await database.prisma.photo.count({ where: { id: { in: ids } } })).toBe(0);
    expect(await database.prisma.photoTombstone.count({ where: { photoId: { in: ids } } })).toBe(ids.length);
  });
});
