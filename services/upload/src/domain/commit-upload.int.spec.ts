/**
 * Committing the staged files of one request, on the real storage adapter over a directory: who wins the
 * dedupe claim, what a duplicate answers, how an unfinished twin is completed, and what a failure leaves.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { originalsLayout as layout } from '../adapters/originals-layout.js';
import { originalsDeps, pngBytes, removeStorageBeds, stage, storageBed } from '../test-support/storage-bed.js';
import { abandonStaged, commitUpload } from './commit-upload.js';
import type { UploadStorage } from './upload-storage.js';

afterAll(removeStorageBeds);

describe('commitUpload', () => {
  it('commits a claimed file: its record holds its event, and the event is handed back with its entry', async () => {
    const { storage, keys } = await storageBed();
    const file = await stage(originalsDeps(storage), pngBytes('a'));
    expect(file.claimed).toBe(true);

    const { photos, committed } = await commitUpload([file], storage);
    expect(photos).toEqual([{ ...file.record, duplicate: false }]);
    expect(committed).toEqual([{ event: file.event, entryKey: file.entryKey }]);
    expect(await storage.readRecord(file.record.photoId)).toEqual({ original: file.record, event: file.event });
    expect(await keys()).toContain(file.entryKey);
  });

  it('answers a second copy of the same bytes in one request with the first photo, and drops its own copy', async () => {
    const { storage, keys } = await storageBed();
    const deps = originalsDeps(storage);
    const bytes = pngBytes('twins');
    const first = await stage(deps, bytes, 'owner-1', 'first.png');
    const second = await stage(deps, bytes, 'owner-1', 'second.png');
    expect([first.claimed, second.claimed]).toEqual([true, false]);

    // The unclaimed one comes first in the request: the answer keeps the request's order.
    const { photos, committed } = await commitUpload([second, first], storage);
    expect(photos).toEqual([
      { ...first.record, duplicate: true },
      { ...first.record, duplicate: false },
    ]);
    expect(committed.map((c) => c.event.id)).toEqual([first.event.id]);
    expect(await keys()).toEqual(
      [layout.original(first.record.photoId), layout.record(first.record.photoId), first.entryKey, layout.claim('owner-1', first.content.sha256)].sort(),
    );
  });

  it('answers bytes the owner uploaded before with that photo, committing nothing', async () => {
    const { storage } = await storageBed();
    const deps = originalsDeps(storage);
    const bytes = pngBytes('again');
    const earlier = await stage(deps, bytes);
    await commitUpload([earlier], storage);
    const again = await stage(deps, bytes);

    const { photos, committed } = await commitUpload([again], storage);
    expect(photos).toEqual([{ ...earlier.record, duplicate: true }]);
    expect(committed).toEqual([]);
    expect(await storage.hasOriginal(again.record.photoId)).toBe(false);
    expect(await storage.readEntry(again.entryKey)).toBeUndefined();
  });

  it('completes an unfinished upload of the same bytes from the event in its claim, and answers it', async () => {
    const { storage } = await storageBed();
    const deps = originalsDeps(storage);
    const bytes = pngBytes('unfinished');
    const unfinished = await stage(deps, bytes); // its request died before committing
    const retry = await stage(deps, bytes);

    const { photos, committed } = await commitUpload([retry], storage);
    expect(photos).toEqual([{ ...unfinished.record, duplicate: true }]);
    // The other upload's entry is in the outbox: the relay publishes its event, not this request.
    expect(committed).toEqual([]);
    expect(await storage.readRecord(unfinished.record.photoId)).toEqual({ original: unfinished.record, event: unfinished.event });
    expect(await storage.hasOriginal(retry.record.photoId)).toBe(false);
  });

  it('takes over a claim whose photo is gone and commits the file as a new photo', async () => {
    const { storage } = await storageBed();
    const deps = originalsDeps(storage);
    const bytes = pngBytes('gone');
    const gone = await stage(deps, bytes);
    await storage.deleteOriginal(gone.record.photoId); // rolled back but for its claim
    const file = await stage(deps, bytes);
    expect(file.claimed).toBe(false);

    const { photos, committed } = await commitUpload([file], storage);
    expect(photos).toEqual([{ ...file.record, duplicate: false }]);
    expect(committed).toEqual([{ event: file.event, entryKey: file.entryKey }]);
    expect(file.claimed).toBe(true);
    expect((await storage.readClaim(file.content))?.photoId).toBe(file.record.photoId);
  });

  it('frees a claim of an older release (a bare photo id) that was never committed, then takes it', async () => {
    const { storage, store } = await storageBed();
    const deps = originalsDeps(storage);
    const bytes = pngBytes('legacy');
    const oldPhoto = randomUUID();
    const file = await stage(deps, bytes);
    await storage.deleteClaim(file.content);
    await store.put(layout.claim('owner-1', file.content.sha256), Buffer.from(JSON.stringify(oldPhoto)), { contentType: 'application/json' });
    await store.put(layout.original(oldPhoto), Buffer.from('old bytes'), { contentType: 'image/png' });
    file.claimed = false;

    const { photos } = await commitUpload([file], storage);
    expect(photos).toEqual([{ ...file.record, duplicate: false }]);
    expect(await storage.readRecord(oldPhoto)).toBeUndefined();
  });

  it('gives up when the claim keeps changing hands, rolling back the file', async () => {
    const { storage } = await storageBed();
    const file = await stage(originalsDeps(storage), pngBytes('contended'));
    await storage.deleteClaim(file.content);
    file.claimed = false;
    // Every look finds a claim of a photo that is gone, and every take loses.
    const contended: UploadStorage = {
      ...storage,
      readClaim: async () => ({ photoId: '00000000-0000-4000-8000-000000000000', event: undefined }),
      deleteClaim: async () => undefined,
      takeClaim: async () => false,
    };
    await expect(commitUpload([file], contended)).rejects.toThrow(`the dedupe claim of ${file.record.photoId}'s bytes changed hands 5 times`);
    expect(await storage.hasOriginal(file.record.photoId)).toBe(false);
    expect(await storage.readEntry(file.entryKey)).toBeUndefined();
  });

  it('takes the claim again after losing a race for it, then commits', async () => {
    const { storage } = await storageBed();
    const file = await stage(originalsDeps(storage), pngBytes('race'));
    await storage.deleteClaim(file.content);
    file.claimed = false;
    let takes = 0;
    const racing: UploadStorage = { ...storage, takeClaim: async (content, event) => ++takes > 1 && storage.takeClaim(content, event) };

    const { photos } = await commitUpload([file], racing);
    expect(takes).toBe(2);
    expect(photos).toEqual([{ ...file.record, duplicate: false }]);
  });

  it('on a storage error rolls back the files not committed yet, keeps the committed ones, and fails', async () => {
    const { storage, keys } = await storageBed();
    const deps = originalsDeps(storage);
    const [ok, failing] = [await stage(deps, pngBytes('ok')), await stage(deps, pngBytes('failing'))];
    const broken = new Error('store down');
    const flaky: UploadStorage = {
      ...storage,
      writeRecord: (event) => (event.data.photoId === failing.record.photoId ? Promise.reject(broken) : storage.writeRecord(event)),
    };
    await expect(commitUpload([ok, failing], flaky)).rejects.toBe(broken);
    expect(await keys()).toEqual(
      [layout.original(ok.record.photoId), layout.record(ok.record.photoId), ok.entryKey, layout.claim('owner-1', ok.content.sha256)].sort(),
    );
  });
});

describe('abandonStaged', () => {
  it('rolls back a claimed file (claim, original, entry) and drops an unclaimed one (original, entry), leaving the rest', async () => {
    const { storage, keys } = await storageBed();
    const deps = originalsDeps(storage);
    await commitUpload([await stage(deps, pngBytes('kept'))], storage);
    const before = await keys();
    const bytes = pngBytes('abandoned');
    const claimed = await stage(deps, bytes);
    const unclaimed = await stage(deps, bytes);
    expect([claimed.claimed, unclaimed.claimed]).toEqual([true, false]);

    await abandonStaged([claimed, unclaimed], storage);
    expect(await keys()).toEqual(before);
  });

  it('leaves alone a claimed file someone committed meanwhile', async () => {
    const { storage } = await storageBed();
    const file = await stage(originalsDeps(storage), pngBytes('committed-by-retry'));
    await storage.writeRecord(file.event);
    await abandonStaged([file], storage);
    expect(await storage.hasOriginal(file.record.photoId)).toBe(true);
    expect((await storage.readClaim(file.content))?.photoId).toBe(file.record.photoId);
  });
});
