/**
 * classifyImageError on messages as libvips, sharp and libheif word them (the real files behind them are in
 * image-errors.unit.spec.ts): which rule each falls under, and what of the decoder's words reaches a person.
 */
import { describe, expect, it } from 'vitest';
import { classifyImageError, ImageRejected } from './image-errors.js';

const classify = (message: string) => classifyImageError(new Error(message));

describe('classifyImageError, by message', () => {
  it.each([
    'VipsJpeg: Corrupt JPEG data',
    'vipspng: bad adaptive filter value',
    'VipsPng: bad adaptive filter value',
    'spng_decode_image: IDAT stream error',
    'pngload: libpng read error',
    'webpload: unable to parse image',
    'gifload: file is truncated',
    'heifload: bad seek',
    'tiffload: not a TIFF',
    'jxlload: decode error',
    'jp2kload: decode error',
    'VipsForeignLoadJpegFile: out of order read',
  ])('reads "%s" as corrupt data from that decoder', (message) => {
    expect(classify(message)?.code).toBe('undecodable');
  });

  it('finds the decoder on any line of the message, but only at the start of one', () => {
    expect(classify('read failed\ngifload: bad frame')?.code).toBe('undecodable');
    expect(classify('a gifload: bad frame')).toBeUndefined();
    expect(classify('the Input Buffer is empty')).toBeUndefined();
    expect(classify('error: libheif: Invalid input')).toBeUndefined();
  });

  it('reads an empty input, a HEIF error and a corrupt header, with the decoder’s words', () => {
    expect(classify('Input Buffer is empty')).toEqual({ code: 'empty-file', reason: 'The file is empty.' });
    expect(classify('libheif: Invalid input: No ftyp box')).toEqual({ code: 'undecodable', reason: 'The image data is corrupt: Invalid input: No ftyp box.' });
    expect(classify('Input buffer has corrupt header: gifload: no frames in GIF')).toEqual({
      code: 'undecodable',
      reason: 'The image header is corrupt: no frames in GIF.',
    });
  });

  it('keeps the first line that says something, without paths, plumbing or trailing dots', () => {
    expect(classify('VipsJpeg: \n(jpeg plumbing)\nbad seek to 12\nVipsJpeg:   Premature end   of /tmp/x/y.jpg file...  ')).toEqual({
      code: 'undecodable',
      reason: 'The image is truncated: Premature end of file.',
    });
    expect(classify('tiffload: C:\\photos\\a.tif')).toEqual({ code: 'undecodable', reason: 'The image data is corrupt.' });
    expect(classify('tiffload: Input file is broken\nwebpload: bad data')).toEqual({ code: 'undecodable', reason: 'The image data is corrupt: bad data.' });
    // The first line that says something is only a path: no detail rather than an empty one.
    expect(classify('tiffload: Input file is broken\npngload: a/b\nwebpload: x')).toEqual({ code: 'undecodable', reason: 'The image data is corrupt.' });
    expect(classify(`VipsJpeg: ${'z'.repeat(300)}`)?.reason).toBe(`The image data is corrupt: ${'z'.repeat(200)}.`);
  });

  it('leaves resource trouble and unknown errors to the retries', () => {
    expect(classify('VipsJpeg: out of memory')).toBeUndefined();
    expect(classify('something else went wrong')).toBeUndefined();
    expect(classifyImageError('not an Error')).toBeUndefined();
  });

  it("passes the domain's own refusals through, named", () => {
    const rejected = new ImageRejected({ code: 'unsupported-format', reason: 'No.' });
    expect(rejected).toMatchObject({ name: 'ImageRejected', message: 'No.' });
    expect(classifyImageError(rejected)).toEqual({ code: 'unsupported-format', reason: 'No.' });
  });
});
