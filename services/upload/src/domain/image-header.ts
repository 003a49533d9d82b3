import { imageSize } from 'image-size';
import { countFrames } from './frame-count.js';
import { isIsoBmff, readHeifHeader, type HeifHeader } from './heif-header.js';

/** The formats the platform accepts, as people name them, in the order messages list them. */
const ACCEPTED_FORMATS = [
  { name: 'JPEG', contentType: 'image/jpeg' },
  { name: 'PNG', contentType: 'image/png' },
  { name: 'WebP', contentType: 'image/webp' },
  { name: 'AVIF', contentType: 'image/avif' },
  { name: 'HEIC', contentType: 'image/heic' },
  { name: 'HEIF', contentType: 'image/heif' },
  { name: 'GIF', contentType: 'image/gif' },
  { name: 'TIFF', contentType: 'image/tiff' },
] as const;

export type AcceptedContentType = (typeof ACCEPTED_FORMATS)[number]['contentType'];

/** The names of the accepted formats, for messages: `JPEG, PNG, ...`. */
export const ACCEPTED_FORMAT_NAMES: readonly string[] = ACCEPTED_FORMATS.map((format) => format.name);

/** Content types by the type image-size reads from the magic bytes (HEIF-family files are read here instead). */
const BY_IMAGE_SIZE_TYPE: Readonly<Record<string, AcceptedContentType>> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
};

/** How people name the formats image-size detects and the platform refuses. */
const REFUSED_NAMES: Readonly<Record<string, string>> = {
  bmp: 'BMP',
  cur: 'CUR (Windows cursor)',
  dds: 'DDS',
  icns: 'ICNS (Apple icon)',
  ico: 'ICO (Windows icon)',
  j2c: 'JPEG 2000',
  jp2: 'JPEG 2000',
  jxl: 'JPEG XL',
  'jxl-stream': 'JPEG XL',
  ktx: 'KTX',
  pnm: 'PNM',
  psd: 'PSD (Photoshop)',
  svg: 'SVG',
  tga: 'TGA',
};

// ftyp brands of the HEIF family (ISO/IEC 23008-12 and the AV1 image format); HEIC brands mean HEVC.
const HEIF_BRANDS = new Set(['mif1', 'mif2', 'msf1', 'miaf', 'heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'avif', 'avis']);
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

export type HeaderVerdict =
  | { kind: 'image'; contentType: AcceptedContentType; width: number; height: number }
  /** The header is not complete yet (e.g. a JPEG whose size comes after large EXIF / ICC segments). */
  | { kind: 'need-more' }
  /** `detected` names the format found (never an accepted one), or is undefined when none was recognised. */
  | { kind: 'unsupported'; detected: string | undefined }
  /** An accepted format whose header is broken or out of reach: `format` is its name, `reason` what is wrong. */
  | { kind: 'unreadable'; format: string; reason: string }
  | { kind: 'too-many-pixels'; width: number; height: number }
  /** More frames (animation frames, sequence samples, HEIF images) than the limit, counted in the bytes seen. */
  | { kind: 'too-many-frames'; frames: number };

export interface HeaderLimits {
  readonly maxPixels: number;
  readonly maxFrames: number;
  /** The prefix is the whole file (no more bytes will come). */
  readonly complete: boolean;
}

/**
 * Decides from the first bytes of a file what it is, trusting only magic bytes and the header, never the
 * name or the declared Content-Type. Reads dimensions without decoding, so a pixel bomb is refused here.
 * Frames are counted in the bytes at hand (an APNG declares its count up front; a GIF's or a WebP's
 * frames follow and may run to the end: FrameMeter counts the rest while the file streams). Width and
 * height are the coded size, before any orientation (EXIF, or HEIF's irot).
 */
export function readImageHeader(prefix: Buffer, options: HeaderLimits): HeaderVerdict {
  if (isIsoBmff(prefix) && brandsOf(prefix).some((brand) => HEIF_BRANDS.has(brand))) return heifVerdict(prefix, options);
  let size: ReturnType<typeof imageSize>;
  try {
    size = imageSize(prefix);
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    // image-size reports a known format with a header cut short differently from an unknown format.
    if (!options.complete && !/unsupported file type/i.test(message)) return { kind: 'need-more' };
    return { kind: 'unsupported', detected: undefined };
  }
  const contentType = size.type ? BY_IMAGE_SIZE_TYPE[size.type] : undefined;
  if (!contentType) return { kind: 'unsupported', detected: size.type ? (REFUSED_NAMES[size.type] ?? size.type.toUpperCase()) : undefined };
  const { width, height } = size;
  if (!width || !height) return options.complete ? { kind: 'unsupported', detected: undefined } : { kind: 'need-more' };
  return limited(contentType, width, height, countFrames(contentType, prefix), options);
}

function heifVerdict(prefix: Buffer, options: HeaderLimits): HeaderVerdict {
  const result = readHeifHeader(prefix, options.complete);
  if (result.kind === 'need-more') return result;
  if (result.kind === 'invalid') return { kind: 'unreadable', format: heifName(brandContentType(brandsOf(prefix))), reason: result.reason };
  const { header } = result;
  const contentType = heifContentType(header);
  return limited(contentType, header.width, header.height, Math.max(header.topLevelImages, countFrames(contentType, prefix)), options);
}

/** By the primary image's codec when it says (HEVC: HEIC, AV1: AVIF), else by the brands. */
function heifContentType(header: HeifHeader): AcceptedContentType {
  if (header.codec === 'hvc1' || header.codec === 'hev1') return 'image/heic';
  if (header.codec === 'av01') return 'image/avif';
  return brandContentType([header.majorBrand, ...header.compatibleBrands]);
}

function brandContentType(brands: readonly string[]): AcceptedContentType {
  const major = brands[0] ?? '';
  if (AVIF_BRANDS.has(major)) return 'image/avif';
  if (HEIC_BRANDS.has(major)) return 'image/heic';
  return 'image/heif';
}

function heifName(contentType: AcceptedContentType): string {
  return ACCEPTED_FORMATS.find((format) => format.contentType === contentType)?.name ?? 'HEIF';
}

/** The major brand, then the compatible brands, of the ftyp box at the start (as far as the prefix holds it). */
function brandsOf(prefix: Buffer): string[] {
  const end = Math.min(prefix.readUInt32BE(0), prefix.length);
  const brands = [prefix.toString('latin1', 8, 12)];
  for (let at = 16; at + 4 <= end; at += 4) brands.push(prefix.toString('latin1', at, at + 4));
  return brands;
}

function limited(contentType: AcceptedContentType, width: number, height: number, frames: number, limits: HeaderLimits): HeaderVerdict {
  if (width * height > limits.maxPixels) return { kind: 'too-many-pixels', width, height };
  if (frames > limits.maxFrames) return { kind: 'too-many-frames', frames };
  return { kind: 'image', contentType, width, height };
}

/**
 * The sentence a person reads when a file is refused for its type: what was found (never an accepted
 * format, so the list that follows cannot contradict it), then what is accepted.
 */
export function unsupportedTypeMessage(filename: string, verdict: Extract<HeaderVerdict, { kind: 'unsupported' } | { kind: 'unreadable' }>): string {
  const accepted = `Accepted: ${ACCEPTED_FORMAT_NAMES.join(', ')}.`;
  if (verdict.kind === 'unreadable') return `${filename} looks like a ${verdict.format} file, but its header cannot be read (${verdict.reason}).`;
  const what = verdict.detected ? `a ${verdict.detected} file` : 'not an image we can read';
  return `${filename} is ${what}. ${accepted}`;
}
