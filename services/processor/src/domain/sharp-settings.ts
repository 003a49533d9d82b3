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
 * Applies {@link SharpSettings} to the whole process (libvips state is global). Call once at start-up,
 * from the composition root, never on import. Returns the concurrency now in effect.
 */
export function configureSharp(settings: SharpSettings): { concurrency: number } {
  if (settings.cache !== undefined) sharp.cache(typeof settings.cache === 'boolean' ? settings.cache : { ...settings.cache });
  const concurrency = settings.concurrency === undefined ? sharp.concurrency() : sharp.concurrency(settings.concurrency);
  return { concurrency };
}
