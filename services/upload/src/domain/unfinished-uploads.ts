import { rollBackUpload } from './roll-back-upload.js';
import { isUploadEntry, type UploadStorage } from './upload-storage.js';

/** What one sweep saw and did. */
export interface SweepOutcome {
  /** Outbox entries left neither rolled back nor known committed: uploads under way, or not yet `ttlMs` old. */
  pending: number;
  /** Uploads rolled back (originals and claims no 2xx was given for). */
  rolledBack: number;
}

/**
 * Settles every upload whose outbox entry is older than `ttlMs`: a committed one is left to the relay,
 * an uncommitted one is rolled back. No client holds a 2xx for an uncommitted upload (a request answers
 * only after committing, and a retry that finds an unfinished upload behind its claim commits it
 * first), so rolling back loses nothing. `ttlMs` must be well above the longest an upload may take.
 */
export async function sweepUnfinishedUploads(storage: UploadStorage, options: { ttlMs: number; now: () => Date }): Promise<SweepOutcome> {
  const entries = await storage.entries();
  const horizon = options.now().getTime() - options.ttlMs;
  let settled = 0;
  let rolledBack = 0;
  for (const entry of entries) {
    if (entry.writtenAt === undefined || entry.writtenAt > horizon) continue;
    const upload = await storage.readEntry(entry.key);
    // An older release's entry holding a whole event is the relay's.
    if (!upload || !isUploadEntry(upload)) continue;
    const outcome = await rollBackUpload(storage, { photoId: upload.photoId, ownerId: upload.ownerId, entryKey: entry.key });
    if (outcome === 'rolled-back') rolledBack++;
    settled++;
  }
  return { pending: entries.length - settled, rolledBack };
}
