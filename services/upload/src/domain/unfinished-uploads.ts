import type { ObjectStore } from '@photos/object-store';
import { bucketLayout } from './bucket-layout.js';
import { rollBackUpload } from './roll-back-upload.js';
import { readJson } from './stored-json.js';
import type { UploadIntent } from './upload-intent.js';

/** What one sweep saw and did. */
export interface SweepOutcome {
  /** Intents still there: uploads in progress, or not yet `ttlMs` old. */
  pending: number;
  /** Uploads rolled back (originals and claims no 2xx was given for). */
  rolledBack: number;
}

/**
 * Settles every upload whose intent is older than `ttlMs`: a committed one just loses its intent, an
 * uncommitted one is rolled back. No client holds a 2xx for an uncommitted upload (a request answers
 * only after committing, and a retry that finds an unfinished upload behind its claim commits it
 * first), so rolling back loses nothing. `ttlMs` must be well above the longest an upload may take.
 */
export async function sweepUnfinishedUploads(store: ObjectStore, options: { ttlMs: number; now: () => Date }): Promise<SweepOutcome> {
  const keys = await store.list(bucketLayout.intentsPrefix);
  const horizon = options.now().getTime() - options.ttlMs;
  let settled = 0;
  let rolledBack = 0;
  for (const key of keys) {
    const startedAt = bucketLayout.timeOf(key);
    if (startedAt === undefined) continue;
    if (startedAt > horizon) break; // oldest first: the rest are younger still
    const intent = (await readJson(store, key)) as UploadIntent | undefined;
    if (intent && (await rollBackUpload(store, { photoId: intent.photoId, ownerId: intent.ownerId, intentKey: key })) === 'rolled-back') rolledBack++;
    settled++;
  }
  return { pending: keys.length - settled, rolledBack };
}
