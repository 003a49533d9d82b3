import { useLayoutEffect, useState, type RefObject } from 'react';

export interface GridMetrics {
  /** The grid's content width, px: what a justified row fills. */
  width: number;
  /** The grid's top edge in the document, px: the window virtualizer's scroll margin. */
  top: number;
}

const FALLBACK: GridMetrics = { width: 960, top: 0 };

/**
 * The grid's width and its offset from the top of the document, measured again whenever anything on the
 * page changes size: the window (rows are laid out again) or what sits above the grid (the upload list
 * grows and shrinks, which moves the grid down and up the page).
 */
export function useGridMetrics(grid: RefObject<HTMLElement | null>): GridMetrics {
  const [metrics, setMetrics] = useState(FALLBACK);
  useLayoutEffect(() => {
    const element = grid.current;
    if (!element) return;
    const measure = () => {
      const width = Math.floor(element.clientWidth) || FALLBACK.width;
      const top = Math.round(element.getBoundingClientRect().top + window.scrollY);
      setMetrics((current) => (current.width === width && current.top === top ? current : { width, top }));
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    // The body changes size when anything above the grid does; the grid's own growth lands here too (cheap).
    observer.observe(document.body);
    return () => observer.disconnect();
  }, [grid]);
  return metrics;
}
