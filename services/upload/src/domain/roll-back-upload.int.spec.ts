/** Rolling back an unfinished upload, and removing a deleted photo's original, on the real storage adapter over a directory. */
import { afterAll, describe, expect, it } from 'vitest';
import { originalsLayout as layout } from '../adapters/originals-layout.js';
import { originalsDeps, pngBytes, removeStorageBeds, stage, storageBed } from '../test-support/storage-bed.js';
import { commitUpload } from './commit-upload.js';
import { removeOriginal } from './remove-original.js';
import { rollBackUpload } from './roll-back-upload.js';
import type { UploadStorage } from './upload-storage.js';

afterAll(removeStorageBeds);

const unfinishedOf = (file: { record: { photoId: string; ownerId: string }; entryKey: string }) => ({
  photoId: file.record.photoId,
  ownerId: file.record.ownerId,
  entryKey: file.entryKey,
});

describe('rollBackUpload', () => {
  it('removes the claim, the original and the entry of an upload that was not committed', async () => {
    const { storage, keys } = await storageBed();
    const file = await stage(originalsDeps(storage), pngBytes('a'));
    expect(await rollBackUpload(storage, { ...unfinishedOf(file), content: file.content })).toBe('rolled-back');
    expect(await keys()).toEqual([]);
  });

  it('finds the claim from the original’s bytes when the caller does not know them (the sweep)', async () => {
    const { storage, keys } = await storageBed();
    const file = await stage(originalsDeps(storage), pngBytes('b'));
    expect(await rollBackUpload(storage, unfinishedOf(file))).toBe('rolled-back');
    expect(await keys()).toEqual([]);
  });

  it('touches nothing of a committed upload', async () => {
    const { storage, keys } = await storageBed();
    const file = await stage(originalsDeps(storage), pngBytes('c'));
    await commitUpload([file], storage);
    const before = await keys();
    expect(await rollBackUpload(storage, unfinishedOf(file))).toBe('committed');
    expect(await keys()).toEqual(before);
  });

  it('leaves a claim that names another photo, and removes its own original and entry', async () => {
    const { storage, keys } = await storageBed();
    const deps = originalsDeps(storage);
    const bytes = pngBytes('d');
    const owner = await stage(deps, bytes);
    const other = await stage(deps, bytes);
    expect(other.claimed).toBe(false);
    expect(await rollBackUpload(storage, { ...unfinishedOf(other), content: other.content })).toBe('rolled-back');
    expect(await keys()).toEqual([layout.original(owner.record.photoId), owner.entryKey, layout.claim('owner-1', owner.content.sha256)].sort());
  });

  it('puts the claim back when a retry committed the upload while the claim was being removed', async () => {
    const { storage, keys } = await storageBed();
    const file = await stage(originalsDeps(storage), pngBytes('e'));
    const before = await keys();
    // The retry writes the record just as the rollback deletes the claim.
    const racing: UploadStorage = {
      ...storage,
      deleteClaim: async (content) => {
        await storage.deleteClaim(content);
        await storage.writeRecord(file.event);
      },
    };
    expect(await rollBackUpload(racing, unfinishedOf(file))).toBe('committed');
    expect(await keys()).toEqual([...before, layout.record(file.record.photoId)].sort());
    expect(await storage.readClaim(file.content)).toEqual({ photoId: file.record.photoId, event: file.event });
  });

  it('removes the entry of an upload that stored nothing yet', async () => {
    const { storage, keys } = await storageBed();
    const photoId = '11111111-1111-4111-8111-111111111111';
    const entryKey = await storage.addEntry({ photoId, ownerId: 'owner-1', startedAt: new Date().toISOString() });
    expect(await rollBackUpload(storage, { photoId, ownerId: 'owner-1', entryKey })).toBe('rolled-back');
    expect(await keys()).toEqual([]);
  });

  it('is idempotent: a second rollback finds nothing left to do', async () => {
    const { storage, keys } = await storageBed();
    const file = await stage(originalsDeps(storage), pngBytes('f'));
    await rollBackUpload(storage, unfinishedOf(file));
    expect(await rollBackUpload(storage, unfinishedOf(file))).toBe('rolled-back');
    expect(await keys()).toEqual([]);
  });
});

describe('removeOriginal', () => {
  it('removes a committed photo’s claim, original and record, leaving its outbox entry to the relay', async () => {
    const { storage, keys } = await storageBed();
    const bytes = pngBytes('g');
    const file = await stage(originalsDeps(storage), bytes);
    await commitUpload([file], storage);
    await removeOriginal(storage, file.record.photoId);
    expect(await keys()).toEqual([file.entryKey]);
    // The same bytes are a new photo again.
    expect((await stage(originalsDeps(storage), bytes)).claimed).toBe(true);
  });

  it('keeps a claim that now names another photo', async () => {
    const { storage } = await storageBed();
    const deps = originalsDeps(storage);
    const file = await stage(deps, pngBytes('h'));
    await commitUpload([file], storage);
    const replacement = await stage(deps, pngBytes('h2'));
    await storage.deleteClaim(file.content);
    await storage.takeClaim(file.content, replacement.event);
    await removeOriginal(storage, file.record.photoId);
    expect((await storage.readClaim(file.content))?.photoId).toBe(replacement.record.photoId);
    expect(await storage.hasOriginal(file.record.photoId)).toBe(false);
    expect(await storage.readRecord(file.record.photoId)).toBeUndefined();
  });

  it('is idempotent, and fine for a photo it never stored', async () => {
    const { storage, keys } = await storageBed();
    const file = await stage(originalsDeps(storage), pngBytes('i'));
    await commitUpload([file], storage);
    await removeOriginal(storage, file.record.photoId);
    await removeOriginal(storage, file.record.photoId);
    await removeOriginal(storage, '22222222-2222-4222-8222-222222222222');
    expect(await keys()).toEqual([file.entryKey]);
  });
});
