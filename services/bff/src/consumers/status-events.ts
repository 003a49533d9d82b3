import type { PhotoDeleted, PhotoProcessed, PhotoProcessingFailed } from '@photos/contracts';
import type { EventHandlers } from '@photos/event-bus';
import type { LiveStatus } from '../domain/live-status.js';

/** Turns status events into pushes to the owner's browsers, with ready-to-use variant URLs. */
export function statusEventHandlers(live: LiveStatus, variantUrl: (key: string) => Promise<string>): EventHandlers {
  return {
    'photo.processed': async (event: PhotoProcessed) => {
      const { photoId, ownerId, width, height, variants, placeholder, dominantColor, exif } = event.data;
      const view = async (v: { key: string; width: number; height: number }) => ({ url: await variantUrl(v.key), width: v.width, height: v.height });
      live.push(ownerId, {
        type: 'photo.processed',
        photo: {
          id: photoId,
          status: 'ready',
          width,
          height,
          placeholder: placeholder.hash,
          dominantColor,
          takenAt: exif.takenAt ?? null,
          variants: { thumb: await view(variants.thumb), preview: await view(variants.preview) },
        },
      });
    },
    'photo.processing-failed': async (event: PhotoProcessingFailed) => {
      const { photoId, ownerId, code, reason } = event.data;
      live.push(ownerId, { type: 'photo.processing-failed', photo: { id: photoId, status: 'failed', failure: { code, reason } } });
    },
    'photo.deleted': async (event: PhotoDeleted) => {
      live.push(event.data.ownerId, { type: 'photo.deleted', photo: { id: event.data.photoId, status: 'deleted' } });
    },
  };
}
