import type { PhotoDeleted } from '@photos/contracts';
import type { ObjectStore } from '@photos/object-store';

/** On `photo.deleted`: remove every variant of the photo. Idempotent. */
export function onPhotoDeleted(variants: ObjectStore) {
  return async (event: PhotoDeleted): Promise<void> => {
    await variants.deletePrefix(`variants/${event.data.photoId}/`);
  };
}
