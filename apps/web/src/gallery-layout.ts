import { tileAspectRatio } from './format';
import type { Photo } from './types';

/**
 * The gallery timeline as pure functions, so the grouping and the row layout are testable without a
 * browser: photos -> month groups -> justified rows of tiles, flattened into the rows the virtualizer
 * renders (a month header is a row too).
 */

/** A photo as the layout needs it. */
export type LayoutPhoto = Pick<Photo, 'id' | 'takenAt' | 'uploadedAt' | 'width' | 'height' | 'variants'>;

const TAKEN_AT = /^(\d{4})-(\d{2})-(\d{2})T/;

/**
 * The month a photo belongs to, as `YYYY-MM`: the month of its EXIF capture time on the camera's wall
 * clock (a photo taken on 31 March at 23:30 in Tokyo belongs to March wherever it is viewed), else the
 * month of its upload in the viewer's time zone; null when neither is a readable date.
 */
export function monthOf(photo: Pick<Photo, 'takenAt' | 'uploadedAt'>): string | null {
  const taken = photo.takenAt ? TAKEN_AT.exec(photo.takenAt) : null;
  if (taken) {
    const [, y, m, d] = taken;
    const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    // A camera's nonsense date (month 13, 30 February) is no date: fall back to the upload time.
    if (date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d)) return `${y}-${m}`;
  }
  if (!photo.uploadedAt) return null;
  const uploaded = new Date(photo.uploadedAt);
  if (Number.isNaN(uploaded.getTime())) return null;
  return `${uploaded.getFullYear()}-${String(uploaded.getMonth() + 1).padStart(2, '0')}`;
}

/** "March 2024" (in the viewer's language) for `2024-03`; "Date unknown" for null. */
export function monthLabel(month: string | null, locale?: string): string {
  if (!month) return 'Date unknown';
  const [y, m] = month.split('-').map(Number);
  return new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y!, m! - 1, 1)));
}

export interface MonthGroup<P extends LayoutPhoto = LayoutPhoto> {
  /** `YYYY-MM`, or null for photos without any readable date. */
  month: string | null;
  photos: P[];
  /** Index of the group's first photo in the list. */
  start: number;
}

/**
 * Runs of consecutive photos of the same month, in list order.
 *
 * Why consecutive runs rather than one group per month: the list is newest *upload* first, because that
 * is the only order the server pages in (metadata's keyset is (uploadedAt, id); takenAt can only filter
 * a range). Pages arrive one by one, so a full regrouping by takenAt would move photos already on screen
 * whenever a later page brought an older upload of a recent month, and the grid would jump under the
 * reader's eyes. Following the list keeps what is on screen still and keeps "newest first" true; in the
 * usual case (photos uploaded in the order they were taken) each month gets one header, and when an old
 * photo is uploaded late it shows under its own month's header where it sits in the upload order, so a
 * month may have more than one header. A header never groups photos that are not side by side.
 */
export function groupByMonth<P extends LayoutPhoto>(photos: readonly P[]): MonthGroup<P>[] {
  const groups: MonthGroup<P>[] = [];
  let current: MonthGroup<P> | undefined;
  photos.forEach((photo, index) => {
    const month = monthOf(photo);
    if (!current || current.month !== month) {
      current = { month, photos: [], start: index };
      groups.push(current);
    }
    current.photos.push(photo);
  });
  return groups;
}

export interface JustifiedRow {
  /** Indexes into the laid out list: [start, end). */
  start: number;
  end: number;
  /** Row height, px. */
  height: number;
  /** Each tile's width, px, rounded down. */
  widths: number[];
  /** The row spans the whole width (false for a last row left at the target height). */
  full: boolean;
}

/**
 * Justified rows: tiles keep their aspect ratios and each full row fills `width` exactly, its height
 * the one that makes them fit, never above `targetHeight` (a row takes photos until their height at full
 * width drops to the target). The last row keeps the target height and is left short, rather than
 * blowing a lone photo up to the full width. Ratios are taken as they are (clamp them before).
 */
export function justifyRows(aspectRatios: readonly number[], width: number, targetHeight: number, gap: number): JustifiedRow[] {
  const rows: JustifiedRow[] = [];
  let start = 0;
  let sum = 0;
  for (let i = 0; i < aspectRatios.length; i++) {
    sum += aspectRatios[i]!;
    const count = i - start + 1;
    const height = (width - gap * (count - 1)) / sum;
    if (height <= targetHeight) {
      rows.push(row(aspectRatios, start, i + 1, height, true));
      start = i + 1;
      sum = 0;
    }
  }
  if (start < aspectRatios.length) rows.push(row(aspectRatios, start, aspectRatios.length, targetHeight, false));
  return rows;
}

function row(aspectRatios: readonly number[], start: number, end: number, height: number, full: boolean): JustifiedRow {
  // Whole pixels: the row stays crisp; the last tile of a full row absorbs the rounding.
  const h = Math.max(1, Math.floor(height));
  const widths = aspectRatios.slice(start, end).map((ratio) => Math.max(1, Math.floor(ratio * height)));
  return { start, end, height: h, widths, full };
}

/** The rows the virtualizer renders: a month header, or a row of tiles. */
export type TimelineRow<P extends LayoutPhoto = LayoutPhoto> =
  | { kind: 'month'; key: string; month: string | null; label: string; height: number }
  | { kind: 'photos'; key: string; height: number; tiles: { photo: P; index: number; width: number }[] };

export interface TimelineOptions {
  /** Width available to a row, px. */
  width: number;
  /** Height a row aims at (never taller), px. */
  targetHeight: number;
  /** Between tiles and between rows, px. */
  gap: number;
  /** Height of a month header row, px. */
  headerHeight: number;
  locale?: string;
}

/**
 * The timeline's rows: for each month group a header row, then its justified rows of tiles. Row heights
 * include the gap below, so the virtualizer can stack rows without measuring them. Tile widths of a full
 * row are stretched so that the row ends flush with the right edge despite the rounding.
 */
export function timelineRows<P extends LayoutPhoto>(photos: readonly P[], options: TimelineOptions): TimelineRow<P>[] {
  const { gap, headerHeight, locale } = options;
  const width = Math.max(1, options.width);
  const targetHeight = Math.max(1, options.targetHeight);
  const rows: TimelineRow<P>[] = [];
  for (const group of groupByMonth(photos)) {
    rows.push({
      kind: 'month',
      key: `month-${group.start}-${group.month ?? 'none'}`,
      month: group.month,
      label: monthLabel(group.month, locale),
      height: headerHeight,
    });
    const ratios = group.photos.map((photo) => tileAspectRatio(photo));
    for (const justified of justifyRows(ratios, width, targetHeight, gap)) {
      const widths = justified.widths.slice();
      const used = widths.reduce((total, w) => total + w, 0) + gap * (widths.length - 1);
      if (justified.full && used < width) widths[widths.length - 1]! += width - used;
      rows.push({
        kind: 'photos',
        key: `row-${group.photos[justified.start]!.id}`,
        height: justified.height + gap,
        tiles: group.photos.slice(justified.start, justified.end).map((photo, i) => ({ photo, index: group.start + justified.start + i, width: widths[i]! })),
      });
    }
  }
  return rows;
}

export type ArrowKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown';

/**
 * Where an arrow key moves the focus from the photo at list index `from`: to the previous or next photo
 * (across rows and months), or to the photo of the row above or below whose middle is nearest to this
 * one's (skipping month headers). Returns the row and the photo's list index, or undefined at an edge.
 */
export function arrowTarget(rows: readonly TimelineRow[], from: number, key: ArrowKey, gap: number): { row: number; index: number } | undefined {
  const rowOf = rows.findIndex((row) => row.kind === 'photos' && row.tiles.some((tile) => tile.index === from));
  if (rowOf === -1) return undefined;
  if (key === 'ArrowLeft' || key === 'ArrowRight') {
    const step = key === 'ArrowLeft' ? -1 : 1;
    for (let r = rowOf; r >= 0 && r < rows.length; r += step) {
      const row = rows[r]!;
      if (row.kind === 'photos' && row.tiles.some((tile) => tile.index === from + step)) return { row: r, index: from + step };
    }
    return undefined;
  }
  const middleOf = (row: TimelineRow & { kind: 'photos' }, index: number) => {
    let x = 0;
    for (const tile of row.tiles) {
      if (tile.index === index) return x + tile.width / 2;
      x += tile.width + gap;
    }
    return x;
  };
  const current = rows[rowOf] as TimelineRow & { kind: 'photos' };
  const middle = middleOf(current, from);
  const step = key === 'ArrowUp' ? -1 : 1;
  for (let r = rowOf + step; r >= 0 && r < rows.length; r += step) {
    const row = rows[r]!;
    if (row.kind !== 'photos') continue;
    let best = row.tiles[0]!;
    for (const tile of row.tiles) if (Math.abs(middleOf(row, tile.index) - middle) < Math.abs(middleOf(row, best.index) - middle)) best = tile;
    return { row: r, index: best.index };
  }
  return undefined;
}
