import type { PhotoUploaded } from '@photos/contracts';
import type { ObjectStore } from '@photos/object-store';
import { putJsonIfAbsent, readJson } from './stored-json.js';

/**
 * What a dedupe claim says: the photo that won it and, since this release, its whole `photo.uploaded`,
 * so that whoever finds an unfinished upload behind a claim can finish its commit. Claims written by
 * older releases hold only the photo id (and were written after the record).
 */
export type Claim = { photoId: string; event: PhotoUploaded } | { photoId: string; event: undefined };

function asClaim(value: unknown, key: string): Claim {
  if (typeof value === 'string') return { photoId: value, event: undefined };
  const event = value as PhotoUploaded | null;
  if (typeof event?.subject !== 'string' || typeof event.data?.photoId !== 'string' || event.subject !== event.data.photoId) {
    throw new Error(`the dedupe claim at ${key} is not a photo.uploaded event`);
  }
  return { photoId: event.subject, event };
}

/** The dedupe claims of one bucket (see `bucketLayout.claim`). */
export class PhotoClaims {
  constructor(private readonly store: ObjectStore) {}

  /** Claims `key` for the photo of `event`, atomically; false when another photo holds it. */
  take(key: string, event: PhotoUploaded): Promise<boolean> {
    return putJsonIfAbsent(this.store, key, event);
  }

  /** The claim at `key`, or undefined when there is none. A storage error rejects. */
  async read(key: string): Promise<Claim | undefined> {
    const value = await readJson(this.store, key);
    return value === undefined ? undefined : asClaim(value, key);
  }

  /**
   * Deletes the claim at `key` if it names `photoId` (a claim is re-taken by another photo once
   * released, and that one must stay). Returns the claim it deleted.
   */
  async release(key: string, photoId: string): Promise<Claim | undefined> {
    const claim = await this.read(key);
    if (claim?.photoId !== photoId) return undefined;
    await this.store.delete(key);
    return claim;
  }
}
