import type { PhotoDeleted } from '@photos/contracts';
import type { ObjectStore } from '@photos/object-store';
import { deletePhotoVariants } from '../domain/process-photo.js';

/** On `photo.deleted`: remove every variant of the photo, and keep a later processing of it from writing new ones. Idempotent. */
export function onPhotoDeleted(variants: ObjectStore) {
  return async (event: PhotoDeleted): Promise<void> => {
    await deletePhotoVariants(event.data.photoId, variants);
  };
}
