/**
 * One request's files, staged and committed, on the real storage adapter over a directory: a refused
 * file is a clear rejection that leaves nothing, and a request is all or nothing.
 */
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { originalsLayout as layout } from '../adapters/originals-layout.js';
import { pngDeclaring, textFile } from '../test-support/bad-inputs.js';
import { originalsDeps, pngBytes, removeStorageBeds, stage, storageBed } from '../test-support/storage-bed.js';
import type { UploadStorage } from './upload-storage.js';
import { uploadPhotos } from './upload-photos.js';

afterAll(removeStorageBeds);

async function* filesOf(...files: [string, Buffer][]) {
  for (const [filename, bytes] of files) yield { filename, stream: Readable.from([bytes]) };
}

describe('staging a file', () => {
  it.each([
    ['empty-file', Buffer.alloc(0), 'a.png is empty.'],
    ['unsupported-type', textFile, 'a.png is not an image we can read. Accepted: '],
    ['too-many-pixels', pngDeclaring(200, 100), 'a.png is 200x100 pixels; the limit is 10000 pixels.'],
    ['too-large', Buffer.concat([pngBytes('big'), Buffer.alloc(20_000)]), 'a.png is larger than the limit of 10000 bytes.'],
  ])('refuses a file (%s) with a message a person can read, and leaves nothing', async (kind, bytes, message) => {
    const { storage, keys } = await storageBed();
    const error = await stage(originalsDeps(storage), bytes, 'owner-1', 'a.png').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'UploadRejected', kind, filename: 'a.png', message: expect.stringContaining(message) });
    expect(await keys()).toEqual([]);
  });

  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\holiday.png', 'holiday.png'],
    ['  tab\there\u0000.png  ', 'tabhere.png'],
    ['dir/', 'photo'],
    [`${'x'.repeat(300)}.png`, 'x'.repeat(255)],
  ])('keeps the file name %j as data only: %j', async (given, kept) => {
    const { storage } = await storageBed();
    const file = await stage(originalsDeps(storage), pngBytes('named'), 'owner-1', given);
    expect(file.record.filename).toBe(kept);
    expect(file.record.objectKey).toBe(layout.original(file.record.photoId));
  });

  it('describes the original it stored, and its event says the same', async () => {
    const { storage } = await storageBed();
    const bytes = pngBytes('described');
    const file = await stage(originalsDeps(storage, { now: new Date('2026-11-01T10:00:00Z') }), bytes, 'owner-9', 'd.png');
    expect(file.record).toMatchObject({
      ownerId: 'owner-9',
      contentType: 'image/png',
      bytes: bytes.length,
      width: 64,
      height: 48,
      uploadedAt: '2026-11-01T10:00:00.000Z',
    });
    expect(file.content).toEqual({ ownerId: 'owner-9', sha256: file.record.sha256 });
    expect(file.event).toMatchObject({ type: 'photo.uploaded.v1', subject: file.record.photoId, source: '/test', data: file.record });
    expect(file.event.id).not.toBe(file.record.photoId);
    expect(await storage.digestOfOriginal(file.record.photoId)).toBe(file.record.sha256);
  });

  it('removes what it wrote when the store fails to take the original, and fails', async () => {
    const { storage, keys } = await storageBed();
    const failure = new Error('store refused the original');
    const failing: UploadStorage = { ...storage, putOriginal: (_id, body) => (body.resume(), Promise.reject(failure)) };
    await expect(stage(originalsDeps(failing), pngBytes('refused'))).rejects.toBe(failure);
    expect(await keys()).toEqual([]);
  });

  it('removes the original when its outbox entry cannot be written, and fails', async () => {
    const { storage, keys } = await storageBed();
    const failure = new Error('store refused the entry');
    await expect(stage(originalsDeps({ ...storage, addEntry: () => Promise.reject(failure) }), pngBytes('no-entry'))).rejects.toBe(failure);
    expect(await keys()).toEqual([]);
  });

  it('rolls back when the claim cannot be taken, and fails', async () => {
    const { storage, keys } = await storageBed();
    const failure = new Error('store refused the claim');
    await expect(stage(originalsDeps({ ...storage, takeClaim: () => Promise.reject(failure) }), pngBytes('no-claim'))).rejects.toBe(failure);
    expect(await keys()).toEqual([]);
  });
});

describe('uploadPhotos', () => {
  it('stores every file of a request and hands back the photos in order with the events to publish', async () => {
    const { storage } = await storageBed();
    const { photos, committed } = await uploadPhotos(
      filesOf(['a.png', pngBytes('a')], ['b.png', pngBytes('b')]),
      'owner-1',
      { source: '/test' },
      originalsDeps(storage),
    );
    expect(photos.map((p) => [p.filename, p.duplicate])).toEqual([
      ['a.png', false],
      ['b.png', false],
    ]);
    expect(committed.map((c) => c.event.subject)).toEqual(photos.map((p) => p.photoId));
  });

  it('stores nothing when one file of the request is refused, even after others were staged', async () => {
    const { storage, keys } = await storageBed();
    const error = await uploadPhotos(filesOf(['a.png', pngBytes('a')], ['b.txt', textFile]), 'owner-1', { source: '/test' }, originalsDeps(storage)).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'UploadRejected', kind: 'unsupported-type', filename: 'b.txt' });
    expect(await keys()).toEqual([]);
  });
});
