import type { Readable } from 'node:stream';
import sharp, { type Sharp, type SharpOptions } from 'sharp';
import { rgbaToThumbHash } from './thumbhash.js';
import { decodeOriginal, type HeifDecoder } from './decode-image.js';
import { summarizeExif, type ExifSummary } from './exif-summary.js';
import { ImageRejected } from './image-errors.js';
import { readAll } from './read-all.js';
import { LARGEST_VARIANT_EDGE, VARIANT_SPECS, type VariantFormat, type VariantName, type VariantSpec } from './variant-specs.js';

/** One encoded variant; `width` and `height` are those of the encoded image. */
export interface EncodedVariant {
  readonly buffer: Buffer;
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
  readonly format: VariantFormat;
}

/** Everything the processor derives from one original. */
export interface ProcessedImage {
  /** Displayed size of the original, after EXIF orientation. */
  readonly width: number;
  readonly height: number;
  /** The original's format as libvips names it (`jpeg`, `png`, `webp`, `gif`, `heif` for AVIF/HEIC/HEIF, `tiff`). */
  readonly format: string;
  readonly variants: { readonly [N in VariantName]: EncodedVariant };
  readonly placeholder: { readonly algorithm: 'thumbhash'; readonly hash: string };
  /** `#rrggbb`. */
  readonly dominantColor: string;
  readonly exif: ExifSummary;
}

/** Limits that keep a hostile file from exhausting the processor. */
export interface ImageLimits {
  /** Most pixels (width x height of the first frame) a file may declare; checked in the header, before decoding. */
  readonly maxPixels: number;
}

// What the upload service accepts; anything else libvips happens to read (SVG, PDF...) is refused here too.
const ACCEPTED_FORMATS: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp', 'gif', 'heif', 'avif', 'tiff']);

// ThumbHash is defined on at most 100x100 pixels.
const PLACEHOLDER_EDGE = 100;

/**
 * Makes the variants, placeholder, dominant colour and EXIF summary of an image. The original is decoded
 * once, oriented and shrunk to the largest variant; every output is derived from those pixels, which
 * matters for progressive JPEGs, where libjpeg cannot shrink while decoding and each decode costs the full image.
 * Only the first frame of an animation is read. A HEIF file sharp cannot decode (HEVC, with sharp's
 * prebuilt binaries) is decoded by `heifDecoder` (see decode-image.ts); its EXIF still comes from sharp,
 * which reads HEIF headers and metadata whatever the codec.
 * @throws ImageRejected or a sharp error for a bad image (see `classifyImageError`), or the stream's own error.
 */
export async function processImage(input: Buffer | Readable, limits: ImageLimits, heifDecoder?: HeifDecoder): Promise<ProcessedImage> {
  const original = Buffer.isBuffer(input) ? input : await readAll(input);
  // failOn 'error' refuses truncated files yet accepts the recoverable glitches libjpeg only warns about.
  const options: SharpOptions = { limitInputPixels: limits.maxPixels, pages: 1, failOn: 'error' };
  const metadata = await sharp(original, options).metadata();
  if (!ACCEPTED_FORMATS.has(metadata.format)) {
    throw new ImageRejected({ code: 'unsupported-format', reason: `The ${metadata.format.toUpperCase()} format is not accepted.` });
  }
  const decoded = await decodeOriginal(original, metadata.format, (image) => image.resize(fitInside(LARGEST_VARIANT_EDGE)), {
    sharpOptions: options,
    maxPixels: limits.maxPixels,
    declared: metadata.autoOrient,
    heifDecoder,
  });
  const pixels = (): Sharp => sharp(decoded.data, { raw: { width: decoded.info.width, height: decoded.info.height, channels: decoded.info.channels } });

  const [thumb, preview, tiny] = await Promise.all([
    encode(pixels(), VARIANT_SPECS.thumb),
    encode(pixels(), VARIANT_SPECS.preview),
    pixels().resize(fitInside(PLACEHOLDER_EDGE)).ensureAlpha().raw().toBuffer({ resolveWithObject: true }),
  ]);
  const { dominant } = await sharp(tiny.data, { raw: { width: tiny.info.width, height: tiny.info.height, channels: 4 } }).stats();
  // libvips hands over no EXIF block for a TIFF: there the tags live in the file's own IFDs (camera,
  // then the EXIF and GPS IFDs they point to), and the file is itself the TIFF structure EXIF is.
  const exif = summarizeExif(metadata.exif ?? (metadata.format === 'tiff' ? original : undefined));
  const orientation = exif.orientation ?? validOrientation(metadata.orientation);
  return {
    width: metadata.autoOrient.width,
    height: metadata.autoOrient.height,
    format: metadata.format,
    variants: { thumb, preview },
    placeholder: {
      algorithm: 'thumbhash',
      hash: Buffer.from(rgbaToThumbHash(tiny.info.width, tiny.info.height, tiny.data)).toString('base64'),
    },
    dominantColor: `#${[dominant.r, dominant.g, dominant.b].map((channel) => channel.toString(16).padStart(2, '0')).join('')}`,
    exif: orientation === undefined ? exif : { ...exif, orientation },
  };
}

function fitInside(edge: number) {
  return { width: edge, height: edge, fit: 'inside', withoutEnlargement: true } as const;
}

async function encode(pixels: Sharp, spec: VariantSpec): Promise<EncodedVariant> {
  const resized = pixels.resize(fitInside(spec.longEdge));
  const encoder = ((): Sharp => {
    switch (spec.format) {
      case 'webp':
        return resized.webp({ quality: spec.quality });
      case 'jpeg':
        // JPEG has no alpha: flatten onto white, as a transparent PNG looks on a page.
        return resized.flatten({ background: '#ffffff' }).jpeg({ quality: spec.quality, mozjpeg: true });
      default: {
        const unknown: never = spec.format;
        throw new Error(`no encoder for ${String(unknown)}`);
      }
    }
  })();
  const { data, info } = await encoder.toBuffer({ resolveWithObject: true });
  return { buffer: data, width: info.width, height: info.height, bytes: data.length, format: spec.format };
}

function validOrientation(value: number | undefined): number | undefined {
  return value !== undefined && Number.isInteger(value) && value >= 1 && value <= 8 ? value : undefined;
}
