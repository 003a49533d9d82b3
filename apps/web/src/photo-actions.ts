import { api } from './api';
import { ApiError, errorMessage } from './problem';

/** The outcome of deleting many photos: some may fail while the rest go. */
export interface BulkDeleteResult {
  deleted: string[];
  failed: { id: string; reason: string }[];
}

/**
 * Deletes photos one request each (the API deletes one at a time), a few at once. A 404 counts as deleted:
 * the photo is gone already (deleted in another tab).
 */
export async function deletePhotos(ids: readonly string[], onDeleted: (id: string) => void, concurrency = 4): Promise<BulkDeleteResult> {
  const result: BulkDeleteResult = { deleted: [], failed: [] };
  const queue = [...ids];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        await api.deletePhoto(id);
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) {
          result.failed.push({ id, reason: errorMessage(error) });
          continue;
        }
      }
      result.deleted.push(id);
      onDeleted(id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  return result;
}
