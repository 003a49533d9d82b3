import type { Readable } from 'node:stream';
import type { EventContext, PhotoUploaded } from '@photos/contracts';
import { abandonStaged, commitUpload, type UploadedPhoto } from './commit-upload.js';
import type { PendingEvents } from './pending-events.js';
import { stageOriginal, type OriginalsDeps, type StagedOriginal } from './store-original.js';

export type { UploadedPhoto } from './commit-upload.js';

export interface UploadPhotosDeps extends OriginalsDeps {
  pending: PendingEvents;
}

/**
 * Stores every file of one request, all or nothing, in two phases. Staging (per file, as it streams
 * in): intent, original, dedupe claim; nothing a reader of the bucket acts on. If one file is refused,
 * the files staged before it are rolled back. Commit (once every file is staged): outbox entry, record,
 * intent removed; only then is the request answered, so a 2xx always means the events are in the outbox
 * and no event names an original that was not stored.
 *
 * A crash anywhere in between leaves an intent: a retry of the same request completes the unfinished
 * photo it finds behind its claim (answering its id), and the sweep rolls back what nobody completes.
 */
export async function uploadPhotos(
  files: AsyncIterable<{ stream: Readable; filename: string }>,
  ownerId: string,
  context: Omit<EventContext, 'id' | 'time'>,
  deps: UploadPhotosDeps,
): Promise<{ photos: UploadedPhoto[]; events: PhotoUploaded[] }> {
  const staged: StagedOriginal[] = [];
  try {
    for await (const file of files) staged.push(await stageOriginal(file, ownerId, context, deps));
  } catch (error) {
    await abandonStaged(staged, deps.originals);
    throw error;
  }
  return commitUpload(staged, deps);
}
