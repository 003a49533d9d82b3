import { imageSize } from 'image-size';

/** Content types the platform accepts, by the type image-size reads from the magic bytes. */
const ACCEPTED: Readonly<Record<string, AcceptedContentType>> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  heif: 'image/heif',
  gif: 'image/gif',
  tiff: 'image/tiff',
};

export type AcceptedContentType =
  | 'image/jpeg'
  | 'image/png'
  | 'image/webp'
  | 'image/avif'
  | 'image/heif'
  | 'image/gif'
  | 'image/tiff';

export type HeaderVerdict =
  | { kind: 'image'; contentType: AcceptedContentType; width: number; height: number }
  /** The header is not complete yet (e.g. a JPEG whose size comes after large EXIF / ICC segments). */
  | { kind: 'need-more' }
  | { kind: 'unsupported'; detected: string | undefined }
  | { kind: 'too-many-pixels'; width: number; height: number };

/**
 * Decides from the first bytes of a file what it is, trusting only magic bytes and the header, never the
 * name or the declared Content-Type. Reads dimensions without decoding, so a pixel bomb is refused here.
 * `complete` says the prefix is the whole file (no more bytes will come).
 */
export function readImageHeader(prefix: Buffer, options: { maxPixels: number; complete: boolean }): HeaderVerdict {
  let size: ReturnType<typeof imageSize>;
  try {
    size = imageSize(prefix);
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    // image-size reports a known format with a header cut short differently from an unknown format.
    if (!options.complete && !/unsupported file type/i.test(message)) return { kind: 'need-more' };
    return { kind: 'unsupported', detected: undefined };
  }
  const contentType = size.type ? ACCEPTED[size.type] : undefined;
  if (!contentType) return { kind: 'unsupported', detected: size.type };
  const { width, height } = size;
  if (!width || !height) return options.complete ? { kind: 'unsupported', detected: size.type } : { kind: 'need-more' };
  if (width * height > options.maxPixels) return { kind: 'too-many-pixels', width, height };
  return { kind: 'image', contentType, width, height };
}
