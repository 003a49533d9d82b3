import type { Readable } from 'node:stream';
import type { EventContext } from '@photos/contracts';
import { abandonStaged, commitUpload, type CommittedEvent, type UploadedPhoto } from './commit-upload.js';
import { stageOriginal, type OriginalsDeps, type StagedOriginal } from './store-original.js';

export type { CommittedEvent, UploadedPhoto } from './commit-upload.js';

/**
 * Stores every file of one request, all or nothing, in two phases. Staging (per file, as it streams
 * in): outbox entry and original (together, the original landing after the entry), then the dedupe
 * claim; nothing a reader of the bucket acts on. If one file is refused, the files staged before it
 * are rolled back. Commit (once every file is staged): the record of each photo, holding its event;
 * only then is the request answered, so a 2xx always means the event is in the outbox (entry and
 * record) and no event names an original that was not stored.
 *
 * A crash anywhere in between leaves an entry without a record: a retry of the same request completes
 * the unfinished photo it finds behind its claim (answering its id), and the sweep rolls back what
 * nobody completes.
 */
export async function uploadPhotos(
  files: AsyncIterable<{ stream: Readable; filename: string }>,
  ownerId: string,
  context: Omit<EventContext, 'id' | 'time'>,
  deps: OriginalsDeps,
): Promise<{ photos: UploadedPhoto[]; committed: CommittedEvent[] }> {
  const staged: StagedOriginal[] = [];
  try {
    for await (const file of files) staged.push(await stageOriginal(file, ownerId, context, deps));
  } catch (error) {
    await abandonStaged(staged, deps.storage);
    throw error;
  }
  return commitUpload(staged, deps.storage);
}
