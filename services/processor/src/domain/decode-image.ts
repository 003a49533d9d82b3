import sharp, { type Sharp, type SharpOptions } from 'sharp';
import { ImageRejected } from './image-errors.js';

/** Decoded pixels, rows packed, 8 bits per channel. */
export interface RawPixels {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
}

/**
 * Decodes the primary image of a HEIF file (HEIC, HEIF, AVIF) where sharp's libvips cannot: sharp's
 * prebuilt binaries have libheif without an HEVC decoder, so an iPhone photo reaches this. The image comes
 * out displayed: the item's transforms (irot, imir, clap) applied, as HEIF wants, and nothing else.
 */
export interface HeifDecoder {
  /** @throws Error, e.g. `libheif: Invalid input: ...` for a broken file, or the pixel limit's own error. */
  decodePrimary(file: Buffer, limits: { readonly maxPixels: number }): Promise<RawPixels>;
}

/** What decoding the original needs; `heifDecoder` absent: only what sharp decodes itself. */
export interface DecodeOptions {
  readonly sharpOptions: SharpOptions;
  readonly maxPixels: number;
  /** The size (width x height, after orientation) the header declares. */
  readonly declared: { readonly width: number; readonly height: number };
  readonly heifDecoder?: HeifDecoder | undefined;
}

// libheif refusing a codec it has no plugin for: sharp's prebuilt binaries meet HEVC here
// ("Support for this compression format has not been built in: HEVC ... (11.6003)").
const NO_DECODER = /has not been built in|No decoding plugin|No matching decoder|Unsupported codec|\(\d+\.6003\)/i;

/**
 * The original's pixels, oriented for display, as a sharp pipeline to shrink and encode from. sharp decodes
 * whatever it can (with a libvips built with libheif + libde265, HEIC too); only a HEIF file whose codec
 * sharp has no decoder for goes to `heifDecoder`, after the pixel limit is checked against its header.
 * `shrink` is applied to sharp's own decode, so libjpeg can shrink while decoding.
 */
export async function decodeOriginal(original: Buffer, format: string, shrink: (image: Sharp) => Sharp, options: DecodeOptions) {
  try {
    return await shrink(sharp(original, options.sharpOptions).autoOrient()).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    if (format !== 'heif' || !options.heifDecoder || !(error instanceof Error) || !NO_DECODER.test(error.message)) throw error;
  }
  const { width, height } = options.declared;
  // The decoder would allocate the whole image; refuse a pixel bomb from its header first.
  if (width * height > options.maxPixels) {
    throw new ImageRejected({ code: 'too-many-pixels', reason: `The image has more pixels than the processor accepts (${width}x${height}).` });
  }
  const pixels = await options.heifDecoder.decodePrimary(original, { maxPixels: options.maxPixels });
  // No autoOrient: libheif applied irot/imir, and the Exif orientation tag does not count in HEIF.
  const raw = sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels } });
  return shrink(raw).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
}
