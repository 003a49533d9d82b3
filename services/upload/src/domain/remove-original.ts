import type { ObjectStore } from '@photos/object-store';
import { bucketLayout } from './bucket-layout.js';
import { PhotoClaims } from './photo-claim.js';
import { readJson } from './stored-json.js';
import type { StoredOriginal } from './stored-original.js';

/**
 * Forgets a photo's original: its dedupe claim (only if it still names this photo), bytes, and record
 * last, since the record is what finds the claim: a removal interrupted half-way is finished by the
 * next delivery of the same `photo.deleted`. Idempotent.
 */
export async function removeOriginal(originals: ObjectStore, photoId: string): Promise<void> {
  const record = (await readJson(originals, bucketLayout.record(photoId))) as StoredOriginal | undefined;
  if (record) await new PhotoClaims(originals).release(bucketLayout.claim(record.ownerId, record.sha256), photoId);
  await originals.delete(bucketLayout.original(photoId));
  await originals.delete(bucketLayout.record(photoId));
}
