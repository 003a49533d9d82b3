import type { Page } from 'playwright-core';

/** What the gallery timeline held while scrolled from top to end, one screen at a time. */
export interface TimelineWalk {
  /** Month headers in row order, as `YYYY-MM|label`. */
  headers: string[];
  /** Every photo id a tile showed at some point. */
  ids: string[];
  /** The most `<img>` nodes and tiles in the DOM at any one time. */
  maxImages: number;
  maxTiles: number;
  seconds: number;
}

/**
 * Scrolls the signed-in gallery on `page` one screen at a time until "That's all of them." shows, noting
 * what the DOM holds at each screen (the browser test and bench:gallery both read it).
 */
export function walkTimelineToEnd(page: Page): Promise<TimelineWalk> {
  return page.evaluate(async () => {
    // (No named helpers in here: tsx would wrap them in a __name() the page does not have.)
    const started = performance.now();
    const headers = new Map<number, string>();
    const ids = new Set<string>();
    let maxImages = 0;
    let maxTiles = 0;
    // Three quarters of a screen per step, so consecutive screens overlap by a row or so.
    for (let stuck = 0, done = false; ;) {
      maxImages = Math.max(maxImages, document.getElementsByTagName('img').length);
      const tiles = document.querySelectorAll('[data-testid="photo-tile"]');
      maxTiles = Math.max(maxTiles, tiles.length);
      for (const tile of tiles) ids.add(tile.getAttribute('data-photo-id')!);
      for (const header of document.querySelectorAll('[data-testid="month-header"]')) {
        headers.set(Number(header.closest('[role="row"]')!.getAttribute('aria-rowindex')), `${header.getAttribute('data-month')}|${header.textContent}`);
      }
      if (done) break;
      const before = window.scrollY;
      window.scrollBy(0, Math.round(window.innerHeight * 0.75));
      // Wait (by the clock, not a count of frames: a loaded machine renders late) until the rows now on
      // screen are in the DOM: tiles at the screen's top and at its bottom, or just above "That's all of
      // them." when the end is on screen (the rows are rendered as one range, so the ones between are too).
      // A frame cap instead let a starved renderer skip rows unseen.
      for (const deadline = performance.now() + 30_000; ;) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
        const height = window.innerHeight;
        const endTop = document.querySelector('.gallery .end')?.getBoundingClientRect().top ?? Infinity;
        const boxes = [...document.querySelectorAll('[data-testid="photo-tile"]')].map((tile) => tile.getBoundingClientRect());
        const top = boxes.some((box) => box.top <= height * 0.1 && box.bottom > 0);
        const bottom = boxes.some((box) => box.bottom >= Math.min(height * 0.9, endTop - 80) && box.top < height);
        if (top && bottom) break;
        if (performance.now() > deadline) throw new Error(`the rows on screen at ${window.scrollY}px did not render within 30 s`);
      }
      // Done once "That's all of them." is on screen (the last page can arrive after the scroll above hit
      // the bottom of what was loaded: the end then shows below the screen, still to be scrolled to).
      if ((document.querySelector('.gallery .end')?.getBoundingClientRect().top ?? Infinity) < window.innerHeight) done = true;
      else if (window.scrollY !== before) stuck = 0;
      else {
        // At the bottom of what is loaded: the next page is on its way.
        if (++stuck > 3000) throw new Error('the end never came');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    return {
      headers: [...headers].sort(([a], [b]) => a - b).map(([, header]) => header),
      ids: [...ids],
      maxImages,
      maxTiles,
      seconds: (performance.now() - started) / 1000,
    };
  });
}
