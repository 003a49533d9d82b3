import type { ContentId, UploadStorage } from './upload-storage.js';

/** An upload that was started (its outbox entry is written) and may be anywhere short of committed. */
export interface UnfinishedUpload {
  photoId: string;
  ownerId: string;
  entryKey: string;
  /** Known to the request that staged it; otherwise found by hashing the original. */
  content?: ContentId;
}

/**
 * Removes what an upload left behind, unless it is committed (its record exists): then nothing is
 * touched, and its entry stays for the relay, which publishes the record's event. Safe to run on an
 * upload no client holds a 2xx for: the request that staged it, on failure, or the sweep, long after.
 * Idempotent, so a rollback interrupted half-way is finished by the next one.
 *
 * Order matters. A claim is only ever taken after the original is stored, so they are removed in the
 * reverse order: claim, original, entry last (it is what finds the rest).
 *
 * A retry that read the claim may be committing this very upload (writing its record): the record is
 * checked again after the claim is gone, and if it appeared, the claim is put back. What remains is a
 * race of a few milliseconds: a retry that read the claim before it was deleted and writes the record
 * after that second check commits a photo whose original is then deleted (the processor reports it
 * failed). For the sweep that needs a retry at the exact moment an upload turns INTENT_TTL_MS old;
 * within a request, an identical upload by the same owner racing a refused one. Closing it would take a
 * lock the object store does not offer.
 */
export async function rollBackUpload(storage: UploadStorage, upload: UnfinishedUpload): Promise<'committed' | 'rolled-back'> {
  const isCommitted = async () => (await storage.readRecord(upload.photoId)) !== undefined;
  if (await isCommitted()) return 'committed';
  const content = upload.content ?? (await contentOfOriginal(storage, upload));
  const claim = content ? await storage.readClaim(content) : undefined;
  if (content && claim?.photoId === upload.photoId) {
    await storage.deleteClaim(content);
    if (await isCommitted()) {
      if (claim.event) await storage.takeClaim(content, claim.event);
      return 'committed';
    }
  }
  await storage.deleteOriginal(upload.photoId);
  await storage.removeEntry(upload.entryKey);
  return 'rolled-back';
}

/** No original, no claim: a claim is taken only once the original is stored, and removed before it. */
async function contentOfOriginal(storage: UploadStorage, upload: UnfinishedUpload): Promise<ContentId | undefined> {
  const sha256 = await storage.digestOfOriginal(upload.photoId);
  return sha256 === undefined ? undefined : { ownerId: upload.ownerId, sha256 };
}
