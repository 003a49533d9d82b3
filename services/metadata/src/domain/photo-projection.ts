import type { PhotoDeleted, PhotoProcessed, PhotoProcessingFailed, PhotoUploaded } from '@photos/contracts';
import type { PhotoRecord, Tombstone } from './photo-record.js';
import { wallClockOf } from './taken-at.js';

/** The events the metadata service projects, each in the latest version of its family. */
export type ProjectedEvent = PhotoUploaded | PhotoProcessed | PhotoProcessingFailed | PhotoDeleted;

/** What is stored about a photo before an event: its record, or its tombstone, or neither. */
export interface StoredPhoto {
  record: PhotoRecord | undefined;
  tombstone: Tombstone | undefined;
}

/** Why an event changes nothing. */
export type SkipReason =
  /** The photo was deleted: nothing brings it back. */
  | 'deleted'
  /** This event (or the same facts) was projected already. */
  | 'duplicate'
  /** A newer event already set the status. */
  | 'stale'
  /** The event names another owner than the stored record: never let one owner's event touch another's photo. */
  | 'owner-mismatch';

/** The change an event makes to what is stored about its photo. */
export type Projection = { kind: 'save'; record: PhotoRecord } | { kind: 'delete'; tombstone: Tombstone } | { kind: 'skip'; reason: SkipReason };

const blankRecord = (id: string, ownerId: string): PhotoRecord => ({
  id,
  ownerId,
  status: 'processing',
  filename: null,
  contentType: null,
  bytes: null,
  sha256: null,
  originalKey: null,
  width: null,
  height: null,
  takenAt: null,
  takenAtLocal: null,
  uploadedAt: null,
  placeholder: null,
  dominantColor: null,
  exif: null,
  variants: null,
  failureCode: null,
  failureReason: null,
  statusEventTime: null,
  statusEventId: null,
});

/**
 * Decides what `event` changes, given what is stored about its photo. Pure; the store applies the
 * answer in one transaction. The rules make projection idempotent and order-tolerant:
 * - `photo.uploaded` fills the upload facts once; it sets `processing` only on a new record, so a
 *   processed or failed photo whose upload arrives late keeps its status.
 * - `photo.processed` / `photo.processing-failed` set the status when they are newer (event `time`,
 *   then `id`) than the event that set it: an old event never overwrites a newer state.
 * - `photo.deleted` removes the record and leaves a tombstone; every later event is skipped.
 */
export function projectEvent(stored: StoredPhoto, event: ProjectedEvent): Projection {
  const { photoId, ownerId } = event.data;
  if (event.type === 'photo.deleted.v1') {
    if (stored.tombstone) return { kind: 'skip', reason: 'duplicate' };
    if (stored.record && stored.record.ownerId !== ownerId) return { kind: 'skip', reason: 'owner-mismatch' };
    return { kind: 'delete', tombstone: { photoId, ownerId, deletedAt: new Date(event.data.deletedAt) } };
  }
  if (stored.tombstone) return { kind: 'skip', reason: 'deleted' };
  if (stored.record && stored.record.ownerId !== ownerId) return { kind: 'skip', reason: 'owner-mismatch' };
  const current = stored.record ?? blankRecord(photoId, ownerId);

  switch (event.type) {
    case 'photo.uploaded.v1': {
      if (current.uploadedAt !== null) return { kind: 'skip', reason: 'duplicate' };
      const { filename, contentType, bytes, sha256, objectKey, uploadedAt } = event.data;
      return { kind: 'save', record: { ...current, filename, contentType, bytes, sha256, originalKey: objectKey, uploadedAt: new Date(uploadedAt) } };
    }
    case 'photo.processed.v1': {
      const order = compareToStatusEvent(current, event);
      if (order !== 'newer') return { kind: 'skip', reason: order };
      const { width, height, variants, placeholder, dominantColor, exif } = event.data;
      return {
        kind: 'save',
        record: {
          ...current,
          ...statusSetBy(event),
          status: 'ready',
          width,
          height,
          takenAt: exif.takenAt ?? null,
          takenAtLocal: exif.takenAt ? (wallClockOf(exif.takenAt) ?? null) : null,
          placeholder: placeholder.hash,
          dominantColor,
          exif,
          variants,
          failureCode: null,
          failureReason: null,
        },
      };
    }
    case 'photo.processing-failed.v1': {
      const order = compareToStatusEvent(current, event);
      if (order !== 'newer') return { kind: 'skip', reason: order };
      const { code, reason } = event.data;
      return { kind: 'save', record: { ...current, ...statusSetBy(event), status: 'failed', failureCode: code, failureReason: reason } };
    }
    default: {
      const unreachable: never = event;
      throw new Error(`no projection for ${(unreachable as { type: string }).type}`);
    }
  }
}

const statusSetBy = (event: ProjectedEvent) => ({ statusEventTime: new Date(event.time), statusEventId: event.id });

/** Whether `event` is newer than the event that set the record's status (time first, then id). */
function compareToStatusEvent(record: PhotoRecord, event: ProjectedEvent): 'newer' | 'duplicate' | 'stale' {
  if (record.statusEventTime === null || record.statusEventId === null) return 'newer';
  if (record.statusEventId === event.id) return 'duplicate';
  const time = new Date(event.time).getTime();
  const current = record.statusEventTime.getTime();
  if (time !== current) return time > current ? 'newer' : 'stale';
  // Two events of the same millisecond: any fixed order will do, as long as every replica agrees.
  return event.id > record.statusEventId ? 'newer' : 'stale';
}
