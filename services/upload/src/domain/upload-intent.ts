/**
 * Written at `bucketLayout.intent` before an upload has any other side effect, and removed once the
 * upload is committed or rolled back: whatever is left of an upload a crash interrupted can be found
 * from it (see `sweepUnfinishedUploads`).
 */
export interface UploadIntent {
  photoId: string;
  ownerId: string;
  startedAt: string;
}
