import type { ObjectStore } from '@photos/object-store';
import { bucketLayout } from './bucket-layout.js';
import { digestOf } from './original-digest.js';
import { PendingEvents } from './pending-events.js';
import { PhotoClaims } from './photo-claim.js';

/** An upload that was started (its intent is written) and may be anywhere short of committed. */
export interface UnfinishedUpload {
  photoId: string;
  ownerId: string;
  intentKey: string;
  /** Known to the request that staged it; otherwise found by hashing the original. */
  claimKey?: string;
}

/**
 * Removes what an upload left behind, unless it is committed (its record exists), in which case only
 * its intent goes. Safe to run on an upload no client holds a 2xx for: the request that staged it, on
 * failure, or the sweep, long after. Idempotent, so a rollback interrupted half-way is finished by the
 * next one.
 *
 * Order matters. A claim is only ever taken after the original is stored, and an outbox entry only
 * written while the claim names the photo, so they are removed in the reverse order: outbox entry,
 * claim, original, intent last (it is what finds the rest).
 *
 * A retry that read the claim may be completing this very upload (outbox entry, then record): the
 * record is checked again after the claim is gone, and if it appeared, the entry and claim are put
 * back. What remains is a race of a few milliseconds: a retry that read the claim before it was
 * deleted and writes the record after that second check commits a photo whose original is then
 * deleted (the processor reports it failed). For the sweep that needs a retry at the exact moment an
 * upload turns INTENT_TTL_MS old; within a request, an identical upload by the same owner racing a
 * refused one. Closing it would take a lock the object store does not offer.
 */
export async function rollBackUpload(store: ObjectStore, upload: UnfinishedUpload): Promise<'committed' | 'rolled-back'> {
  const claims = new PhotoClaims(store);
  const outbox = new PendingEvents(store);
  const isCommitted = async () => (await store.stat(bucketLayout.record(upload.photoId))) !== undefined;
  if (await isCommitted()) {
    await store.delete(upload.intentKey);
    return 'committed';
  }
  const claimKey = upload.claimKey ?? (await claimKeyOfOriginal(store, upload));
  const claim = claimKey ? await claims.read(claimKey) : undefined;
  if (claimKey && claim?.photoId === upload.photoId) {
    if (claim.event) await outbox.remove(claim.event);
    await store.delete(claimKey);
    if (await isCommitted()) {
      if (claim.event) {
        await outbox.add(claim.event);
        await claims.take(claimKey, claim.event);
      }
      await store.delete(upload.intentKey);
      return 'committed';
    }
  }
  await store.delete(bucketLayout.original(upload.photoId));
  await store.delete(upload.intentKey);
  return 'rolled-back';
}

/** No original, no claim: a claim is taken only once the original is stored, and removed before it. */
async function claimKeyOfOriginal(store: ObjectStore, upload: UnfinishedUpload): Promise<string | undefined> {
  const sha256 = await digestOf(store, bucketLayout.original(upload.photoId));
  return sha256 === undefined ? undefined : bucketLayout.claim(upload.ownerId, sha256);
}
