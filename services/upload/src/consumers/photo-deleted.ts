import type { PhotoDeleted } from '@photos/contracts';
import type { ObjectStore } from '@photos/object-store';
import { removeOriginal } from '../domain/remove-original.js';

/** On `photo.deleted`, forget the original. Idempotent: a second delivery finds nothing to remove. */
export function onPhotoDeleted(originals: ObjectStore) {
  return async (event: PhotoDeleted): Promise<void> => {
    await removeOriginal(originals, event.data.photoId);
  };
}
