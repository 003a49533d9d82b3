/** Why an image can never be processed. New codes may appear (the event contract allows it). */
export type ImageFailureCode = 'empty-file' | 'undecodable' | 'too-many-pixels' | 'unsupported-format';

/** A permanent processing failure: `reason` is a sentence a person can read, without file paths. */
export interface ImageFailure {
  readonly code: ImageFailureCode;
  readonly reason: string;
}

/** Thrown by the domain itself when it refuses an image (e.g. a format it will not decode). */
export class ImageRejected extends Error {
  override readonly name = 'ImageRejected';
  constructor(readonly failure: ImageFailure) {
    super(failure.reason);
  }
}

// Resource trouble is the machine's, not the image's: retrying elsewhere or later may succeed.
const TRANSIENT = /out of memory|memory allocation|cannot allocate|ENOMEM|EMFILE|ENFILE|EAGAIN/i;

const RULES: ReadonlyArray<{ readonly test: RegExp; readonly code: ImageFailureCode; readonly reason: string }> = [
  { test: /^Input Buffer is empty/i, code: 'empty-file', reason: 'The file is empty.' },
  { test: /exceeds pixel limit/, code: 'too-many-pixels', reason: 'The image has more pixels than the processor accepts.' },
  { test: /exceeds channel limit/, code: 'unsupported-format', reason: 'The image has more colour channels than the processor supports.' },
  { test: /unsupported image format/, code: 'unsupported-format', reason: 'The file is not an image in a supported format.' },
  // libheif without a decoder for the file's codec: sharp's prebuilt binaries for HEVC when no HEIF decoder
  // is given, the WASM libheif for codecs it lacks.
  {
    test: /No decoding plugin|has not been built in|No matching decoder|Unsupported codec|Unsupported feature/i,
    code: 'unsupported-format',
    reason: 'The image uses a compression the processor cannot decode.',
  },
  { test: /corrupt header/, code: 'undecodable', reason: 'The image header is corrupt.' },
  { test: /premature end|Unexpected end|truncated/i, code: 'undecodable', reason: 'The image is truncated.' },
  // The WASM libheif (decode-image.ts) reports a file it cannot parse or decode; resource trouble is TRANSIENT above.
  { test: /^libheif: /, code: 'undecodable', reason: 'The image data is corrupt.' },
  // libvips prefixes decoder errors with the loader's name; these only come from bad pixel data.
  {
    test: /^(VipsJpeg|vipspng|VipsPng|spng\w*|png\w*|webp\w*|gif\w*|heif\w*|tiff\w*|jxl\w*|jp2k\w*|VipsForeignLoad\w*): /im,
    code: 'undecodable',
    reason: 'The image data is corrupt.',
  },
];

/**
 * Sorts an error thrown while processing an image: a permanent {@link ImageFailure} when the input itself
 * is at fault (retrying cannot help), `undefined` for anything else (the caller retries, then
 * dead-letters). Unknown errors count as transient on purpose: a wrong "permanent" loses a photo.
 */
export function classifyImageError(error: unknown): ImageFailure | undefined {
  if (error instanceof ImageRejected) return error.failure;
  if (!(error instanceof Error) || TRANSIENT.test(error.message)) return undefined;
  const rule = RULES.find((candidate) => candidate.test.test(error.message));
  if (!rule) return undefined;
  const detail = decoderDetail(error.message);
  return { code: rule.code, reason: detail ? `${rule.reason.slice(0, -1)}: ${detail}.` : rule.reason };
}

/** The decoder's own words, minus libvips plumbing and anything that looks like a path. */
function decoderDetail(message: string): string | undefined {
  const line = message
    .replace(/^Input (buffer|file) has corrupt header: /i, '')
    .split('\n')
    .map((text) => text.replace(/^[\w.]+: /, '').trim())
    .find((text) => text !== '' && !/^bad seek|^Input |^\(/.test(text));
  if (!line) return undefined;
  const clean = line
    .replace(/\S*[/\\]\S*/g, '')
    .replace(/\s+/g, ' ')
    .replace(/[.\s]+$/, '')
    .trim();
  return clean === '' ? undefined : clean.slice(0, 200);
}
