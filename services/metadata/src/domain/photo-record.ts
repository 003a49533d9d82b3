import type { PhotoProcessed } from '@photos/contracts';

/** Where a photo is: being processed, ready to show, or failed for a permanent reason. */
export type PhotoStatus = 'processing' | 'ready' | 'failed';

/** Every status, in the order counts are reported. */
export const PHOTO_STATUSES: readonly PhotoStatus[] = ['processing', 'ready', 'failed'];

/** The EXIF summary the processor read, as published in `photo.processed`. */
export type ExifSummary = PhotoProcessed['data']['exif'];

/** The stored variants of a photo, as published in `photo.processed`. */
export type PhotoVariants = PhotoProcessed['data']['variants'];

/**
 * One photo as its events describe it so far. Fields of an event not yet seen are null: a record made
 * by `photo.processed` before `photo.uploaded` arrived has no `uploadedAt` and is not shown yet.
 */
export interface PhotoRecord {
  id: string;
  ownerId: string;
  status: PhotoStatus;
  filename: string | null;
  contentType: string | null;
  bytes: number | null;
  sha256: string | null;
  /** The original's object key in the originals bucket, as `photo.uploaded` names it; only the BFF reads it. */
  originalKey: string | null;
  /** Displayed size, after EXIF orientation; known once processed. */
  width: number | null;
  height: number | null;
  /** EXIF capture time as the camera wrote it; with an offset only when the camera recorded one. */
  takenAt: string | null;
  /** The wall-clock part of `takenAt` (as if it were UTC), what the taken-at filter compares. */
  takenAtLocal: Date | null;
  uploadedAt: Date | null;
  placeholder: string | null;
  dominantColor: string | null;
  exif: ExifSummary | null;
  variants: PhotoVariants | null;
  failureCode: string | null;
  failureReason: string | null;
  /** `time` and `id` of the processed / processing-failed event that set `status`. */
  statusEventTime: Date | null;
  statusEventId: string | null;
}

/** What remains of a deleted photo: enough to keep late events from bringing it back. */
export interface Tombstone {
  photoId: string;
  ownerId: string;
  deletedAt: Date;
}

/** A record shown to its owner: one whose upload has been projected. */
export type VisiblePhoto = PhotoRecord & { uploadedAt: Date; filename: string; contentType: string; bytes: number; sha256: string };

/** True once `photo.uploaded` is projected: before that the record lacks what a Photo must show. */
export function isVisible(record: PhotoRecord): record is VisiblePhoto {
  return record.uploadedAt !== null && record.filename !== null && record.contentType !== null && record.bytes !== null && record.sha256 !== null;
}
