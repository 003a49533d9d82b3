/**
 * The physical limit for the processor benchmark: the plain sharp calls that make the same outputs as
 * services/processor/src/domain/process-image.ts (same options, same order, same parallelism), and none of
 * the pipeline around them (no store, no bus, no events, no EXIF parsing, no ThumbHash). Photos are
 * buffers in memory. The libvips settings are the process' (bench:processor sets the processor's).
 * Keep in step with process-image.ts and variant-specs.ts.
 */
import sharp, { type OutputInfo, type SharpOptions } from 'sharp';

const fit = (edge: number) => ({ width: edge, height: edge, fit: 'inside', withoutEnlargement: true }) as const;
const OPTIONS: SharpOptions = { limitInputPixels: 100_000_000, pages: 1, failOn: 'error' };

/** Header read, one decode (auto-orient, to 1600 px, sRGB raw), thumb webp q75 @320, preview mozjpeg q80 @1600, 100 px RGBA, stats. */
export async function rawSharp(original: Buffer): Promise<{ bytes: number }> {
  await sharp(original, OPTIONS).metadata();
  return variantsOf(await sharp(original, OPTIONS).autoOrient().resize(fit(1600)).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true }));
}

/**
 * For a HEIC (HEVC) original, which sharp's prebuilt libvips cannot decode: the header read, `decode` (the
 * WASM libheif the processor uses), then the same work from those pixels as decode-image.ts does (shrink
 * to 1600 px, sRGB raw) and the same outputs as {@link rawSharp}.
 */
export async function rawSharpHeic(
  original: Buffer,
  decode: (file: Buffer) => Promise<{ data: Uint8Array; width: number; height: number; channels: 3 | 4 }>,
): Promise<{ bytes: number }> {
  await sharp(original, OPTIONS).metadata();
  const decoded = await decode(original);
  const raw = sharp(decoded.data, { raw: { width: decoded.width, height: decoded.height, channels: decoded.channels } });
  return variantsOf(await raw.resize(fit(1600)).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true }));
}

async function variantsOf({ data, info }: { data: Buffer; info: OutputInfo }): Promise<{ bytes: number }> {
  const pixels = () => sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
  const [thumb, preview, tiny] = await Promise.all([
    pixels().resize(fit(320)).webp({ quality: 75 }).toBuffer(),
    pixels().resize(fit(1600)).flatten({ background: '#ffffff' }).jpeg({ quality: 80, mozjpeg: true }).toBuffer(),
    pixels().resize(fit(100)).ensureAlpha().raw().toBuffer({ resolveWithObject: true }),
  ]);
  await sharp(tiny.data, { raw: { width: tiny.info.width, height: tiny.info.height, channels: 4 } }).stats();
  return { bytes: thumb.length + preview.length };
}
