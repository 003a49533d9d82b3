import type { UploadStorage } from './upload-storage.js';

/**
 * Forgets a photo's original: its dedupe claim (only if it still names this photo), bytes, and record
 * last, since the record is what finds the claim: a removal interrupted half-way is finished by the
 * next delivery of the same `photo.deleted`. Idempotent.
 */
export async function removeOriginal(storage: UploadStorage, photoId: string): Promise<void> {
  const record = await storage.readRecord(photoId);
  if (record) {
    const content = { ownerId: record.original.ownerId, sha256: record.original.sha256 };
    if ((await storage.readClaim(content))?.photoId === photoId) await storage.deleteClaim(content);
  }
  await storage.deleteOriginal(photoId);
  await storage.deleteRecord(photoId);
}
