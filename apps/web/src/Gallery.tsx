import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useId, useMemo, useRef, type KeyboardEvent as ReactKeyboardEvent, type MouseEvent } from 'react';
import { arrowTarget, timelineRows, type ArrowKey } from './gallery-layout';
import { toggled, withRange } from './gallery-selection';
import { PhotoTile } from './PhotoTile';
import { useGridMetrics } from './use-grid-metrics';
import type { GalleryModel } from './use-gallery';

export type { GalleryModel } from './use-gallery';

export interface GalleryProps {
  /** The photos and their loading: `useGallery()`, or any hook returning the same shape (an album's photos). */
  gallery: GalleryModel;
  /** A photo was clicked (outside selection). */
  onOpen: (id: string) => void;
  /** The selected photo ids; with `onSelectionChange`, tiles get checkboxes. Without both, no selection UI. */
  selection?: ReadonlySet<string>;
  onSelectionChange?: (ids: ReadonlySet<string>) => void;
  /** The heading above the timeline. */
  title?: string;
  /** What an empty gallery says (an album, a link page: not the upload hint of the user's own photos). */
  emptyText?: string;
}

const UPLOAD_HINT = 'No photos yet. Drop some anywhere on this page, or choose them with the button above.';

/** Row geometry, px. Rows aim at this height and are never taller; on a phone, smaller rows fit three or four tiles. */
const TARGET_ROW = { wide: 220, narrow: 120 };
const NARROW_BELOW = 640;
const GAP = 4;
const HEADER_HEIGHT = 48;
/** Rows rendered beyond each edge of the screen, so a quick scroll does not show empty rows. */
const OVERSCAN = 4;
/** Ask for the next page when the last rendered row is this close to the end of what is loaded. */
const LOAD_AHEAD_ROWS = 12;

const NO_SELECTION: ReadonlySet<string> = new Set();
const ARROWS = new Set<string>(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown']);

/**
 * The photos as a timeline, newest first: a header per month (gallery-layout.ts explains how photos are
 * grouped), then justified rows of tiles. Only the rows on screen (and a few around) are in the DOM: the
 * window virtualizer places them by their computed heights, so thousands of photos cost what one screen
 * does. Rows are laid out again when the grid's width changes. The next page loads as the end of what is
 * loaded comes near.
 */
export function Gallery({ gallery, onOpen, selection, onSelectionChange, title = 'Your photos', emptyText = UPLOAD_HINT }: GalleryProps) {
  const titleId = useId();
  const grid = useRef<HTMLDivElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const { width, top } = useGridMetrics(grid);
  const { items, loaded, loading, error, nextCursor, loadMore, retry } = gallery;
  const hasMore = !loaded || nextCursor !== null;
  const selectable = selection !== undefined && onSelectionChange !== undefined;
  const selected = selection ?? NO_SELECTION;
  const selecting = selectable && selected.size > 0;

  const rows = useMemo(
    () => timelineRows(items, { width, targetHeight: width < NARROW_BELOW ? TARGET_ROW.narrow : TARGET_ROW.wide, gap: GAP, headerHeight: HEADER_HEIGHT }),
    [items, width],
  );
  // A new key function whenever the rows change: the virtualizer then recomputes every row's offset.
  const getItemKey = useCallback((index: number) => rows[index]?.key ?? index, [rows]);
  const virtualizer = useWindowVirtualizer({
    count: rows.length,
    estimateSize: (index) => rows[index]?.height ?? 0,
    getItemKey,
    overscan: OVERSCAN,
    scrollMargin: top,
  });
  const virtualRows = virtualizer.getVirtualItems();
  const lastRendered = virtualRows.at(-1)?.index ?? -1;

  // The end of what is loaded is near: the next page. (The sentinel below covers a list shorter than the screen.)
  useEffect(() => {
    if (hasMore && !loading && !error && rows.length > 0 && lastRendered >= rows.length - LOAD_AHEAD_ROWS) loadMore();
  }, [hasMore, loading, error, rows.length, lastRendered, loadMore]);

  // Observe afresh after every page: if the page did not fill the screen, the sentinel is still in view
  // and the observer's first callback asks for the next one.
  useEffect(() => {
    const target = sentinel.current;
    if (!target || !hasMore || loading || error) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) loadMore();
      },
      { rootMargin: '800px 0px' },
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasMore, loading, error, items.length, loadMore]);

  // Tiles are memoized: their callbacks stay the same and read the latest list and selection from here.
  const latest = useRef({ items, selected, selecting, onOpen, onSelectionChange });
  latest.current = { items, selected, selecting, onOpen, onSelectionChange };
  const anchor = useRef<string | null>(null);

  const select = useCallback((id: string, range: boolean) => {
    const { items, selected, onSelectionChange } = latest.current;
    if (!onSelectionChange) return;
    const next = range
      ? withRange(
          selected,
          items.map((photo) => photo.id),
          anchor.current,
          id,
        )
      : toggled(selected, id);
    anchor.current = id;
    onSelectionChange(next);
  }, []);

  const onActivate = useCallback(
    (id: string, event: MouseEvent) => {
      const { selecting, onOpen, onSelectionChange } = latest.current;
      // Once something is selected a click selects; Shift, Ctrl or Cmd start selecting without opening.
      if (onSelectionChange && (selecting || event.shiftKey || event.ctrlKey || event.metaKey)) select(id, event.shiftKey);
      else onOpen(id);
    },
    [select],
  );

  // Arrow keys move the focus from photo to photo; a photo not rendered yet is scrolled to, then focused.
  const onKeyDown = (event: ReactKeyboardEvent) => {
    if (!ARROWS.has(event.key) || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const id = (event.target as HTMLElement).closest('[data-testid="photo-tile"]')?.getAttribute('data-photo-id');
    const from = id ? items.findIndex((photo) => photo.id === id) : -1;
    const target = from === -1 ? undefined : arrowTarget(rows, from, event.key as ArrowKey, GAP);
    if (!target) return;
    event.preventDefault();
    const targetId = items[target.index]!.id;
    const focus = (tries: number) => {
      const button = grid.current?.querySelector<HTMLElement>(`[data-photo-id="${CSS.escape(targetId)}"] button.tile`);
      if (button) button.focus();
      else if (tries > 0) requestAnimationFrame(() => focus(tries - 1));
    };
    if (!grid.current?.querySelector(`[data-photo-id="${CSS.escape(targetId)}"]`)) virtualizer.scrollToIndex(target.row, { align: 'auto' });
    focus(10);
  };

  // Escape clears the selection (unless something else, such as a dialog, took the key).
  useEffect(() => {
    if (!selecting) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      anchor.current = null;
      latest.current.onSelectionChange?.(new Set());
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [selecting]);

  return (
    <section className={`gallery${selecting ? ' selecting' : ''}`} aria-labelledby={titleId} aria-busy={loading}>
      <h2 id={titleId} className="gallery-title">
        {title}
        {loaded && items.length > 0 ? (
          <span className="count">
            {' '}
            · {items.length}
            {nextCursor ? '+' : ''}
          </span>
        ) : null}
        {selecting ? (
          <span className="count" data-testid="selection-count">
            {' '}
            · {selected.size} selected
          </span>
        ) : null}
      </h2>
      {loaded && items.length === 0 && !loading && (
        <p className="empty" data-testid="gallery-empty">
          {emptyText}
        </p>
      )}
      <div
        ref={grid}
        className="timeline"
        data-testid="gallery"
        role="grid"
        aria-labelledby={titleId}
        aria-rowcount={hasMore ? -1 : rows.length}
        aria-multiselectable={selectable || undefined}
        onKeyDown={onKeyDown}
        style={{ height: virtualizer.getTotalSize() }}
      >
        {virtualRows.map((virtual) => {
          const row = rows[virtual.index]!;
          return (
            <div
              key={virtual.key}
              role="row"
              aria-rowindex={virtual.index + 1}
              className={row.kind === 'month' ? 'timeline-month' : 'timeline-row'}
              style={{ height: row.height, transform: `translateY(${virtual.start - virtualizer.options.scrollMargin}px)` }}
            >
              {row.kind === 'month' ? (
                <div role="rowheader">
                  <h3 className="month-label" data-testid="month-header" data-month={row.month ?? ''}>
                    {row.label}
                  </h3>
                </div>
              ) : (
                row.tiles.map((tile) => (
                  <PhotoTile
                    key={tile.photo.id}
                    photo={tile.photo}
                    width={tile.width}
                    height={row.height - GAP}
                    selectable={selectable}
                    selected={selected.has(tile.photo.id)}
                    onActivate={onActivate}
                    onToggle={select}
                  />
                ))
              )}
            </div>
          );
        })}
      </div>
      <div ref={sentinel} className="sentinel" aria-hidden="true" />
      {loading && (
        <p className="loading" role="status">
          <span className="spinner" /> Loading photos…
        </p>
      )}
      {error && (
        <div className="error-box" role="alert">
          <p className="error" data-testid="gallery-error">
            {error}
          </p>
          <button type="button" onClick={retry}>
            Try again
          </button>
        </div>
      )}
      {loaded && !hasMore && items.length > 0 && <p className="end">That’s all of them.</p>}
    </section>
  );
}
