import { trace } from '@opentelemetry/api';
import type { PhotoDeleted, PhotoProcessed, PhotoProcessingFailed } from '@photos/contracts';
import type { EventHandlers } from '@photos/event-bus';
import type { LiveStatus, StatusChange } from '../domain/live-status.js';

/** One span per push to the owner's browsers (a no-op without tracing), inside the event's consumer span. */
function tracedPush(live: LiveStatus): (ownerId: string, change: StatusChange) => void {
  return (ownerId, change) =>
    trace.getTracer('bff').startActiveSpan(`sse push ${change.type}`, { attributes: { 'photo.id': change.photo.id } }, (span) => {
      try {
        live.push(ownerId, change);
      } finally {
        span.end();
      }
    });
}

/** Turns status events into pushes to the owner's browsers, with ready-to-use variant URLs. */
export function statusEventHandlers(liveStatus: LiveStatus, variantUrl: (key: string) => Promise<string>): EventHandlers {
  const live = { push: tracedPush(liveStatus) };
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
