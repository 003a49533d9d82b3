import { useEffect, useRef } from 'react';
import { tileAspectRatio } from './format';
import { PhotoTile } from './PhotoTile';
import { rowSpan, useGridMetrics } from './use-grid-metrics';
import type { Gallery as GalleryModel } from './use-gallery';

/**
 * The grid of photos, newest first; the next page loads as its end scrolls into view. Columns are CSS
 * grid auto-fill tracks; each tile keeps its photo's aspect ratio and spans as many small implicit rows as
 * its height needs, so columns pack like a masonry wall while the order stays row by row.
 */
export function Gallery({ gallery, onOpen }: { gallery: GalleryModel; onOpen: (id: string) => void }) {
  const sentinel = useRef<HTMLDivElement>(null);
  const grid = useRef<HTMLUListElement>(null);
  const metrics = useGridMetrics(grid);
  const { items, loaded, loading, error, nextCursor, loadMore, retry } = gallery;
  const hasMore = !loaded || nextCursor !== null;

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

  return (
    <section className="gallery" aria-labelledby="gallery-title" aria-busy={loading}>
      <h2 id="gallery-title" className="gallery-title">
        Your photos
        {loaded && items.length > 0 ? (
          <span className="count">
            {' '}
            · {items.length}
            {nextCursor ? '+' : ''}
          </span>
        ) : null}
      </h2>
      {loaded && items.length === 0 && !loading && (
        <p className="empty" data-testid="gallery-empty">
          No photos yet. Drop some anywhere on this page, or choose them with the button above.
        </p>
      )}
      <ul className="grid" data-testid="gallery" ref={grid}>
        {items.map((photo) => (
          <li key={photo.id} style={{ gridRowEnd: `span ${rowSpan(tileAspectRatio(photo), metrics)}` }}>
            <PhotoTile photo={photo} onOpen={onOpen} />
          </li>
        ))}
      </ul>
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
