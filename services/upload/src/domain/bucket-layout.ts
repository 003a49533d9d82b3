import { createHash } from 'node:crypto';

/**
 * Where the upload service keeps things in the originals bucket. Keys are built from ids and hashes
 * only, never from a client's file name.
 */
export const bucketLayout = {
  original: (photoId: string) => `originals/${photoId}`,
  record: (photoId: string) => `records/${photoId}.json`,
  /** Dedupe index: one entry per (owner, content) pair. The owner id is hashed: it may hold any character. */
  checksum: (ownerId: string, sha256: string) =>
    `checksums/${createHash('sha256').update(ownerId).digest('hex').slice(0, 32)}/${sha256}`,
  pendingEvent: (eventId: string) => `outbox/${eventId}.json`,
  pendingEventsPrefix: 'outbox/',
};
