/**
 * What processing one `photo.uploaded` stores and announces (variants in the fs object store, events
 * collected in a list): the processed event's data and context, and the three ways it can fail: the
 * original gone, the image at fault (announced, no retry), anything else (thrown, so the bus retries);
 * and where the image work sits: after the original is read, inside a CPU slot, before the writes.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { photoCatalogue, type PhotoProcessed, type PhotoProcessingFailed, type PhotoUploaded } from '@photos/contracts';
import { createFsObjectStore, type ObjectStore } from '@photos/object-store';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processPhoto, type ProcessPhotoDeps } from './process-photo.js';
import { variantsLayout } from './variants-layout.js';

const NOW = new Date('2030-01-01T12:00:00.000Z');
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('processing a photo', () => {
  let dir: string;
  let originals: ObjectStore;
  let variants: ObjectStore;
  let published: (PhotoProcessed | PhotoProcessingFailed)[];
  const deps = (overrides: Partial<ProcessPhotoDeps> = {}): ProcessPhotoDeps => ({
    originals,
    variants,
    publish: async (event) => void published.push(event),
    limits: { maxPixels: 100_000_000 },
    now: () => NOW,
    ...overrides,
  });
  const uploadedOf = async (bytes: Buffer, context: { correlationId?: string; traceparent?: string } = {}): Promise<PhotoUploaded> => {
    const photoId = randomUUID();
    const objectKey = `originals/${photoId}`;
    await originals.put(objectKey, bytes, { contentType: 'image/jpeg' });
    const data = { photoId, ownerId: 'owner-1', objectKey, filename: 'a.jpg', contentType: 'image/jpeg' as const, bytes: bytes.length, sha256: 'c'.repeat(64) };
    return photoCatalogue.create('photo.uploaded', photoId, { ...data, uploadedAt: NOW.toISOString() }, { source: '/test', ...context });
  };
  const jpeg = () =>
    sharp({ create: { width: 64, height: 48, channels: 3, background: '#3a7' } })
      .jpeg()
      .toBuffer();

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'process-photo-outcomes-'));
    [originals, variants] = [createFsObjectStore({ root: join(dir, 'originals') }), createFsObjectStore({ root: join(dir, 'variants') })];
    await Promise.all([originals.ensureBucket(), variants.ensureBucket()]);
    published = [];
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores each variant under its key, labelled, and announces them with the photo, in the upload’s trace', async () => {
    const uploaded = await uploadedOf(await jpeg(), { correlationId: 'corr-1', traceparent: TRACEPARENT });
    const { photoId } = uploaded.data;
    const outcome = await processPhoto(uploaded, deps());
    const thumbKey = variantsLayout.variant(photoId, 'thumb', 'c'.repeat(64));
    const previewKey = variantsLayout.variant(photoId, 'preview', 'c'.repeat(64));
    expect(outcome.kind).toBe('processed');
    expect(published).toEqual([outcome.kind === 'processed' ? outcome.event : undefined]);
    expect(published[0]).toMatchObject({
      type: 'photo.processed.v1',
      source: '/services/processor',
      subject: photoId,
      correlationid: 'corr-1',
      traceparent: TRACEPARENT,
      data: {
        photoId,
        ownerId: 'owner-1',
        width: 64,
        height: 48,
        processedAt: NOW.toISOString(),
        variants: {
          thumb: { key: thumbKey, width: 64, height: 48, format: 'webp' },
          preview: { key: previewKey, width: 64, height: 48, format: 'jpeg' },
        },
        placeholder: { algorithm: 'thumbhash' },
        dominantColor: expect.stringMatching(/^#[0-9a-f]{6}$/),
      },
    });
    const [thumb, preview] = [await variants.stat(thumbKey), await variants.stat(previewKey)];
    expect(thumb).toMatchObject({ contentType: 'image/webp', metadata: { 'photo-id': photoId } });
    expect(preview).toMatchObject({ contentType: 'image/jpeg', metadata: { 'photo-id': photoId } });
    expect((published[0] as PhotoProcessed).data.variants.thumb.bytes).toBe(thumb!.bytes);
  });

  it('adds no correlation or trace the upload did not carry', async () => {
    await processPhoto(await uploadedOf(await jpeg()), deps());
    expect(published[0]).not.toHaveProperty('correlationid');
    expect(published[0]).not.toHaveProperty('traceparent');
  });

  it('announces a failure, for good, when the original is gone', async () => {
    const uploaded = await uploadedOf(await jpeg(), { correlationId: 'corr-2' });
    await originals.delete(uploaded.data.objectKey);
    const outcome = await processPhoto(uploaded, deps());
    expect(outcome).toEqual({ kind: 'failed', event: published[0] });
    expect(published[0]).toMatchObject({
      type: 'photo.processing-failed.v1',
      source: '/services/processor',
      correlationid: 'corr-2',
      data: {
        photoId: uploaded.data.photoId,
        ownerId: 'owner-1',
        code: 'original-missing',
        reason: 'The original is gone (deleted before it could be processed).',
        failedAt: NOW.toISOString(),
      },
    });
    expect(await variants.list(variantsLayout.photoPrefix(uploaded.data.photoId))).toEqual([]);
  });

  it('announces a failure, for good, when the image itself is at fault', async () => {
    const outcome = await processPhoto(await uploadedOf(Buffer.from('not an image at all')), deps());
    expect(outcome.kind).toBe('failed');
    expect(published[0]).toMatchObject({ type: 'photo.processing-failed.v1', data: { code: 'unsupported-format', failedAt: NOW.toISOString() } });
  });

  it('throws, announcing nothing, when storage fails: the bus retries', async () => {
    const uploaded = await uploadedOf(await jpeg());
    const broken: ObjectStore = {
      ...originals,
      get: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:9000');
      },
    };
    await expect(processPhoto(uploaded, deps({ originals: broken }))).rejects.toThrow('ECONNREFUSED');
    expect(published).toEqual([]);
  });

  it('reads the whole original before it waits for a CPU slot, and does only the image work in the slot', async () => {
    const uploaded = await uploadedOf(await jpeg());
    const steps: string[] = [];
    const reading: ObjectStore = {
      ...originals,
      get: async (key) => {
        const stream = await originals.get(key);
        stream.once('end', () => steps.push('original read'));
        return stream;
      },
    };
    const writing: ObjectStore = {
      ...variants,
      put: async (key, body, options) => {
        steps.push('variant written');
        return variants.put(key, body, options);
      },
    };
    const cpuSlots = async <T>(work: () => Promise<T>): Promise<T> => {
      steps.push('slot taken');
      const result = await work();
      steps.push('slot freed');
      return result;
    };
    expect(await processPhoto(uploaded, deps({ originals: reading, variants: writing, cpuSlots }))).toMatchObject({ kind: 'processed' });
    expect(steps).toEqual(['original read', 'slot taken', 'slot freed', 'variant written', 'variant written']);
  });

  it('throws, announcing nothing, when the original breaks off while it is read: the bus retries', async () => {
    const uploaded = await uploadedOf(await jpeg());
    const breaking: ObjectStore = {
      ...originals,
      get: async () =>
        new Readable({
          read() {
            this.destroy(new Error('read ECONNRESET'));
          },
        }),
    };
    await expect(processPhoto(uploaded, deps({ originals: breaking }))).rejects.toThrow('ECONNRESET');
    expect(published).toEqual([]);
  });
});
