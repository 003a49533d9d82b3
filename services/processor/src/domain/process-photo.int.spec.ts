/**
 * A photo deleted before or while its `photo.uploaded` is processed (RabbitMQ may deliver a photo's
 * events out of order, or at once to two replicas): no variants are left behind, nothing is announced.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { photoCatalogue, type PhotoProcessed, type PhotoProcessingFailed, type PhotoUploaded } from '@photos/contracts';
import { createFsObjectStore, type ObjectStore } from '@photos/object-store';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deletePhotoVariants, processPhoto, type ProcessPhotoDeps } from './process-photo.js';

describe('processing a deleted photo', () => {
  let dir: string;
  let originals: ObjectStore;
  let variants: ObjectStore;
  let published: (PhotoProcessed | PhotoProcessingFailed)[];
  let uploaded: PhotoUploaded;
  const deps = (overrides: Partial<ProcessPhotoDeps> = {}): ProcessPhotoDeps => ({
    originals,
    variants,
    publish: async (event) => void published.push(event),
    limits: { maxPixels: 100_000_000 },
    now: () => new Date(),
    ...overrides,
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'process-photo-'));
    [originals, variants] = [createFsObjectStore({ root: join(dir, 'originals') }), createFsObjectStore({ root: join(dir, 'variants') })];
    await Promise.all([originals.ensureBucket(), variants.ensureBucket()]);
    published = [];
    const photoId = randomUUID();
    const objectKey = `originals/${photoId}`;
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3a7' } })
      .jpeg()
      .toBuffer();
    await originals.put(objectKey, jpeg, { contentType: 'image/jpeg' });
    const data = { photoId, ownerId: 'owner-1', objectKey, filename: 'a.jpg', contentType: 'image/jpeg' as const, bytes: jpeg.length, sha256: 'b'.repeat(64) };
    uploaded = photoCatalogue.create('photo.uploaded', photoId, { ...data, uploadedAt: new Date().toISOString() }, { source: '/test' });
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes variants and announces them when the photo is not deleted (the baseline)', async () => {
    expect(await processPhoto(uploaded, deps())).toMatchObject({ kind: 'processed' });
    expect(await variants.list(`variants/${uploaded.data.photoId}/`)).toHaveLength(2);
    expect(published.map((e) => e.type)).toEqual(['photo.processed.v1']);
  });

  it('writes nothing when photo.deleted was handled first, while the original is still there', async () => {
    await deletePhotoVariants(uploaded.data.photoId, variants);
    expect(await processPhoto(uploaded, deps())).toEqual({ kind: 'deleted' });
    expect(await variants.list(`variants/${uploaded.data.photoId}/`)).toEqual([]);
    expect(published).toEqual([]);
  });

  it('leaves no variant when photo.deleted is handled while the variants are being written', async () => {
    let deleted: Promise<void> | undefined;
    // The deletion runs in full between the processing's first write and the rest.
    const racing: ObjectStore = {
      ...variants,
      put: async (key, body, options) => {
        const result = await variants.put(key, body, options);
        if (key.startsWith('variants/')) await (deleted ??= deletePhotoVariants(uploaded.data.photoId, variants));
        return result;
      },
    };
    expect(await processPhoto(uploaded, deps({ variants: racing }))).toEqual({ kind: 'deleted' });
    expect(await variants.list(`variants/${uploaded.data.photoId}/`)).toEqual([]);
    expect(published).toEqual([]);
  });
});
