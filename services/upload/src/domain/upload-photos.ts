import type { Readable } from 'node:stream';
import type { EventContext, PhotoUploaded } from '@photos/contracts';
import { photoCatalogue } from '@photos/contracts';
import type { PendingEvents } from './pending-events.js';
import { removeOriginal, storeOriginal, type OriginalsDeps } from './store-original.js';
import type { StoredOriginal } from './stored-original.js';

export interface UploadPhotosDeps extends OriginalsDeps {
  pending: PendingEvents;
}

export type UploadedPhoto = StoredOriginal & { duplicate: boolean };

/**
 * Stores every file of one request, all or nothing: if one file is refused, the ones stored before it
 * in the same request are removed again. Only then is a `photo.uploaded` written to the outbox for each
 * new photo, so no event ever names an original that was not stored.
 */
export async function uploadPhotos(
  files: AsyncIterable<{ stream: Readable; filename: string }>,
  ownerId: string,
  context: Omit<EventContext, 'id' | 'time'>,
  deps: UploadPhotosDeps,
): Promise<{ photos: UploadedPhoto[]; events: PhotoUploaded[] }> {
  const photos: UploadedPhoto[] = [];
  try {
    for await (const file of files) photos.push(await storeOriginal(file, ownerId, deps));
  } catch (error) {
    await Promise.all(photos.filter((p) => !p.duplicate).map((p) => removeOriginal(deps.originals, p.photoId)));
    throw error;
  }
  const events = photos
    .filter((p) => !p.duplicate)
    .map(({ duplicate: _duplicate, ...data }) => photoCatalogue.create('photo.uploaded', data.photoId, data, context));
  await Promise.all(events.map((event) => deps.pending.add(event)));
  return { photos, events };
}
