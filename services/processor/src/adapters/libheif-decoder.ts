import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { HeifDecoder, RawPixels } from '../domain/decode-image.js';

export interface LibheifDecoderOptions {
  /** Worker threads, each with its own libheif; default: one per core, at most PROCESSOR_CONCURRENCY's worth. */
  readonly threads?: number;
  /** A worker idle this long exits and gives its WebAssembly memory back (it grows to the largest image). */
  readonly idleTimeoutMs?: number;
}

/**
 * The {@link HeifDecoder} of machines with only Node: libheif compiled to WebAssembly (npm `libheif-js`,
 * with libde265 for HEVC; nothing downloaded at install time), in worker threads, because a 12-megapixel
 * HEVC decode takes seconds of CPU that would otherwise stop the event loop (health checks, the bus).
 */
export function createLibheifDecoder(options: LibheifDecoderOptions = {}): HeifDecoder & { close(): Promise<void> } {
  const pool = new Piscina<{ file: Uint8Array; maxPixels: number }, RawPixels>({
    filename: new URL('./libheif-worker.mjs', import.meta.url).href,
    minThreads: 0,
    maxThreads: Math.max(1, options.threads ?? availableParallelism()),
    idleTimeout: options.idleTimeoutMs ?? 60_000,
  });
  return {
    async decodePrimary(file, limits) {
      const pixels = await pool.run({ file, maxPixels: limits.maxPixels });
      return { ...pixels, data: Buffer.from(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength) };
    },
    close: () => pool.close({ force: true }),
  };
}
