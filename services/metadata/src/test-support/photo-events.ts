import { randomUUID } from 'node:crypto';
import { photoCatalogue, type PhotoDeleted, type PhotoProcessed, type PhotoProcessingFailed, type PhotoUploaded } from '@photos/contracts';

/** When and under which id an event is published (defaults: now, a new id). */
export interface EventOptions {
  id?: string;
  time?: Date;
}

const context = (options: EventOptions) => ({ source: '/test', ...options });

/** A valid `photo.uploaded` for tests. */
export function uploaded(photoId: string, ownerId: string, data: Partial<PhotoUploaded['data']> = {}, options: EventOptions = {}): PhotoUploaded {
  return photoCatalogue.create(
    'photo.uploaded',
    photoId,
    {
      photoId,
      ownerId,
      objectKey: `originals/${photoId}`,
      filename: 'IMG_0001.jpg',
      contentType: 'image/jpeg',
      bytes: 123_456,
      sha256: 'a'.repeat(64),
      width: 4032,
      height: 3024,
      uploadedAt: new Date().toISOString(),
      ...data,
    },
    context(options),
  );
}

/** A valid `photo.processed` for tests. */
export function processed(photoId: string, ownerId: string, data: Partial<PhotoProcessed['data']> = {}, options: EventOptions = {}): PhotoProcessed {
  return photoCatalogue.create(
    'photo.processed',
    photoId,
    {
      photoId,
      ownerId,
      width: 3024,
      height: 4032,
      variants: {
        thumb: { key: `variants/${photoId}/thumb-aaaa.webp`, width: 240, height: 320, bytes: 9_000, format: 'webp' },
        preview: { key: `variants/${photoId}/preview-aaaa.jpeg`, width: 1080, height: 1440, bytes: 200_000, format: 'jpeg' },
      },
      placeholder: { algorithm: 'thumbhash', hash: '1QcSHQRnh493V4dIh4eXh1h4kJUI' },
      dominantColor: '#6a7f4c',
      exif: { takenAt: '2026-08-14T18:02:11+02:00', cameraMake: 'Apple', cameraModel: 'iPhone 15' },
      processedAt: new Date().toISOString(),
      ...data,
    },
    context(options),
  );
}

/** A valid `photo.processing-failed` for tests. */
export function processingFailed(photoId: string, ownerId: string, options: EventOptions = {}): PhotoProcessingFailed {
  return photoCatalogue.create(
    'photo.processing-failed',
    photoId,
    { photoId, ownerId, code: 'undecodable', reason: 'The file is a truncated JPEG.', failedAt: new Date().toISOString() },
    context(options),
  );
}

/** A valid `photo.deleted` for tests. */
export function deleted(photoId: string, ownerId: string, options: EventOptions = {}): PhotoDeleted {
  return photoCatalogue.create('photo.deleted', photoId, { photoId, ownerId, deletedAt: new Date().toISOString() }, context(options));
}

/** A new photo id. */
export const newPhotoId = (): string => randomUUID();

/** `base` plus `seconds`, for events whose order matters. */
export const at = (base: Date, seconds: number): Date => new Date(base.getTime() + seconds * 1000);
