import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { classifyImageError, ImageRejected, type ImageFailure } from './image-errors.js';
import { processImage } from './process-image.js';
import { samplePhoto } from './test-support/sample-photos.js';

const LIMITS = { maxPixels: 50_000_000 };

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid PNG header declaring width x height RGB pixels, followed by far too little pixel data. */
function pngDeclaring(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** What the caller sees: the failure processImage's error classifies as, and how long it took. */
async function failureOf(input: Buffer | Readable): Promise<{ failure: ImageFailure | undefined; error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await processImage(input, LIMITS);
  } catch (error) {
    return { failure: classifyImageError(error), error, ms: performance.now() - started };
  }
  throw new Error('processImage accepted a bad input');
}

describe('bad inputs are permanent failures', () => {
  it('a truncated JPEG is undecodable', async () => {
    const jpeg = readFileSync(samplePhoto('Storm.jpg'));
    const { failure } = await failureOf(jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
    expect(failure).toEqual({ code: 'undecodable', reason: 'The image is truncated: premature end of JPEG image.' });
  });

  it('a truncated progressive JPEG is undecodable', async () => {
    const jpeg = readFileSync(samplePhoto('Elephants_3840x2160.jpg'));
    const { failure } = await failureOf(jpeg.subarray(0, Math.floor(jpeg.length * 0.95)));
    expect(failure?.code).toBe('undecodable');
  });

  it('zero bytes are an empty file', async () => {
    expect((await failureOf(Buffer.alloc(0))).failure).toEqual({ code: 'empty-file', reason: 'The file is empty.' });
  });

  it('plain text is not an image', async () => {
    const { failure } = await failureOf(Buffer.from('Dear diary, today I uploaded a text file.\n'));
    expect(failure).toEqual({ code: 'unsupported-format', reason: 'The file is not an image in a supported format.' });
  });

  it('a PNG declaring 30000x30000 pixels is refused from its header, before any decoding', async () => {
    // The pixel data is a few bytes: had the decoder run, the error would be about corrupt data.
    const { failure, ms } = await failureOf(pngDeclaring(30_000, 30_000));
    expect(failure).toEqual({ code: 'too-many-pixels', reason: 'The image has more pixels than the processor accepts.' });
    expect(ms).toBeLessThan(500);
  });

  it('an SVG, which libvips could render, is refused', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    const { failure, error } = await failureOf(svg);
    expect(error).toBeInstanceOf(ImageRejected);
    expect(failure?.code).toBe('unsupported-format');
  });
});

describe('classifyImageError', () => {
  it('leaves a failing source stream to be retried', async () => {
    const broken = new Readable({
      read() {
        this.destroy(new Error('read ECONNRESET'));
      },
    });
    const { failure, error } = await failureOf(broken);
    expect((error as Error).message).toBe('read ECONNRESET');
    expect(failure).toBeUndefined();
  });

  it.each([
    ['a non-error', 'vips: premature end'],
    ['an unknown error', new Error('something odd happened')],
    ['memory exhaustion', new Error('VipsJpeg: out of memory')],
    ['too many open files', new Error('EMFILE: too many open files')],
    ['a bad parameter (a bug, not the image)', new Error('Expected positive integer for width but received -1 of type number')],
  ])("treats %s as not the image's fault", (_case, error) => {
    expect(classifyImageError(error)).toBeUndefined();
  });

  it.each([
    ['Input buffer has corrupt header: webp: unable to parse image', 'undecodable', 'The image header is corrupt: unable to parse image.'],
    ['vipspng: libpng read error', 'undecodable', 'The image data is corrupt: libpng read error.'],
    ['webp2vips: unable to read pixels', 'undecodable', 'The image data is corrupt: unable to read pixels.'],
    [
      'source: bad seek to 1959\nheif: Invalid input: Unexpected end of file: Extent in iloc box references data outside of file bounds\n (2.100)',
      'undecodable',
      'The image is truncated: Invalid input: Unexpected end of file: Extent in iloc box references data outside of file bounds.',
    ],
    [
      'heif: Unsupported feature: Unsupported codec (4.3000)',
      'unsupported-format',
      'The image uses a compression the processor cannot decode: Unsupported feature: Unsupported codec (4.3000).',
    ],
    ['Input image exceeds channel limit', 'unsupported-format', 'The image has more colour channels than the processor supports.'],
  ])("reads libvips' %j as %s", (message, code, reason) => {
    expect(classifyImageError(new Error(message))).toEqual({ code, reason });
  });

  it('never repeats a file path in the reason', () => {
    const failure = classifyImageError(new Error('Input file has corrupt header: VipsJpeg: cannot read /srv/originals/user-1/abc.jpg'));
    expect(failure?.code).toBe('undecodable');
    expect(failure?.reason).not.toContain('/');
  });
});
