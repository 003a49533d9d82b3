import sharp from 'sharp';

/** Process-wide libvips settings. */
export interface SharpSettings {
  /** libvips worker threads per image; default: one per core. */
  readonly concurrency?: number;
  /**
   * libvips' operation cache: `false` turns it off, an object sets its limits. Inputs here are buffers
   * seen once, so the cache mostly holds memory that is never reused.
   */
  readonly cache?: boolean | { readonly memory?: number; readonly files?: number; readonly items?: number };
}

/**
 * What the processor runs with, in its own process and in the embedded one (its service definition sets them when it opens).
 * - No operation cache: every original is a buffer seen once, so libvips' cache (50 MB and 100
 *   operations by default) never hits; it only holds memory. 600 photos in one process (jemalloc), RSS
 *   from the 60th photo to the last: 266 -> 292 MiB with the cache, 238 -> 248 MiB without. (The
 *   allocator matters more: see the README's "Memory" section.)
 * - One libvips thread per image (as bench:processor measures it): the processor already works on
 *   PROCESSOR_CONCURRENCY photos at once, each with three encodes in parallel on libuv's pool.
 */
export const PROCESSOR_SHARP_SETTINGS: SharpSettings = { concurrency: 1, cache: false };

/**
 * Applies {@link SharpSettings} to the whole process (libvips state is global). Call once at start-up,
 * from the composition root, never on import. Returns the concurrency now in effect.
 */
export function configureSharp(settings: SharpSettings): { concurrency: number } {
  if (settings.cache !== undefined) sharp.cache(typeof settings.cache === 'boolean' ? settings.cache : { ...settings.cache });
  const concurrency = settings.concurrency === undefined ? sharp.concurrency() : sharp.concurrency(settings.concurrency);
  return { concurrency };
}
