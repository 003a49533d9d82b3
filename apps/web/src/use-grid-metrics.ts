import { useEffect, useState, type RefObject } from 'react';

export interface GridMetrics {
  /** Width of one column track, px. */
  column: number;
  /** The column gap, px (used as the vertical gap too). */
  gap: number;
  /** Height of one implicit row, px (grid-auto-rows). */
  row: number;
}

const FALLBACK: GridMetrics = { column: 200, gap: 8, row: 4 };

/** The grid's column width, gap and row unit, measured again whenever the grid is resized. */
export function useGridMetrics(grid: RefObject<HTMLElement | null>): GridMetrics {
  const [metrics, setMetrics] = useState(FALLBACK);
  useEffect(() => {
    const element = grid.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const measure = () => {
      const style = getComputedStyle(element);
      const column = parseFloat(style.gridTemplateColumns.split(' ')[0] ?? '') || FALLBACK.column;
      const gap = parseFloat(style.columnGap) || 0;
      const row = parseFloat(style.gridAutoRows) || FALLBACK.row;
      setMetrics((current) => (current.column === column && current.gap === gap && current.row === row ? current : { column, gap, row }));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [grid]);
  return metrics;
}

/** How many implicit rows a tile of this aspect ratio spans (its height plus one gap, rounded up). */
export function rowSpan(aspectRatio: number, metrics: GridMetrics): number {
  return Math.max(1, Math.ceil((metrics.column / aspectRatio + metrics.gap) / metrics.row));
}
