import { encodeCursor, type PagePosition } from './page-cursor.js';
import type { PhotoStatus, VisiblePhoto } from './photo-record.js';
import { toPhotoView, type PhotoView } from './photo-view.js';

/** One page request over one owner's photos, newest first (by `uploadedAt`, then id). */
export interface PageQuery {
  limit: number;
  /** Start right after this position (from the previous page's cursor); the newest photos when absent. */
  after?: PagePosition;
  status?: PhotoStatus;
  /** Wall-clock bounds of the EXIF capture time: `from` inclusive, `to` exclusive. */
  takenFrom?: Date;
  takenTo?: Date;
}

/** A page of photos, and the cursor of the next one (null on the last page). */
export interface Page {
  items: PhotoView[];
  nextCursor: string | null;
}

/**
 * The page made of `rows`, which the store read with `limit + 1`: one more row than shown tells that
 * a next page exists without a count.
 */
export function toPage(rows: readonly VisiblePhoto[], limit: number): Page {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(toPhotoView),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
  };
}
