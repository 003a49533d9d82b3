import type { PhotoDeleted } from '@photos/contracts';
import { removeOriginal } from '../domain/remove-original.js';
import type { UploadStorage } from '../domain/upload-storage.js';

/** On `photo.deleted`, forget the original. Idempotent: a second delivery finds nothing to remove. */
export function onPhotoDeleted(storage: UploadStorage) {
  return async (event: PhotoDeleted): Promise<void> => {
    await removeOriginal(storage, event.data.photoId);
  };
}
