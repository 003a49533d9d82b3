/**
 * The header check against files made by real encoders: HEIC (HEVC) and AVIF of the format corpus
 * (test/formats: heif-enc and libheif's API, sizes checked with exiftool), and every format image-size
 * knows that the platform refuses, made by ImageMagick.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCorpus } from '../../../../test/formats/format-corpus.js';
import { ACCEPTED_FORMAT_NAMES, readImageHeader, unsupportedTypeMessage, type HeaderVerdict } from './image-header.js';

const corpus = formatCorpus();
/** By heif-enc: upright, no irot. */
const HEIC = corpus.entry('heic-heif-enc.heic');
const AVIF = corpus.entry('image.avif');
/** Stored 400x600, turned upright by irot (as iPhones write). */
const HEIC_IROT = corpus.entry('heic-iphone-orientation-6.heic');
const AVIF_IROT = corpus.entry('avif-irot-orientation-6.avif');
/** A 320x480 decoy first, the primary second. */
const PRIMARY_SECOND = corpus.entry('heic-primary-second.heic');
const LIMITS = { maxPixels: 100_000_000, maxFrames: 1000, complete: true };
const judge = (file: string, limits = LIMITS): HeaderVerdict => readImageHeader(readFileSync(corpus.path(file)), limits);

/** The primary image's ispe box: the last one in these files, whose primary is written last. */
function withPrimaryDeclaring(file: Buffer, width: number, height: number): Buffer {
  const copy = Buffer.from(file);
  const at = copy.lastIndexOf('ispe');
  copy.writeUInt32BE(width, at + 8);
  copy.writeUInt32BE(height, at + 12);
  return copy;
}

describe('HEIC and AVIF headers', () => {
  it('takes an HEVC HEIC from heif-enc as image/heic with its coded size', () => {
    expect(judge(HEIC.file)).toEqual({ kind: 'image', contentType: 'image/heic', ...HEIC.stored });
    // Orientation as an irot box (iPhone): the size is still the coded one, before orientation, as for JPEG.
    expect(HEIC_IROT.stored).toEqual({ width: HEIC_IROT.height, height: HEIC_IROT.width });
    expect(judge(HEIC_IROT.file)).toEqual({ kind: 'image', contentType: 'image/heic', ...HEIC_IROT.stored });
  });

  it('takes AVIF as image/avif', () => {
    expect(judge(AVIF.file)).toEqual({ kind: 'image', contentType: 'image/avif', ...AVIF.stored });
    expect(judge(AVIF_IROT.file)).toEqual({ kind: 'image', contentType: 'image/avif', ...AVIF_IROT.stored });
  });

  it('reads the primary image of a file with several, not the first one', () => {
    expect(judge(PRIMARY_SECOND.file)).toEqual({ kind: 'image', contentType: 'image/heic', ...PRIMARY_SECOND.stored });
  });

  it('refuses a HEIC whose primary image declares too many pixels, though its first image is small', () => {
    const bomb = withPrimaryDeclaring(readFileSync(corpus.path(PRIMARY_SECOND.file)), 30_000, 30_000);
    expect(readImageHeader(bomb, LIMITS)).toEqual({ kind: 'too-many-pixels', width: 30_000, height: 30_000 });
    const pixels = HEIC_IROT.stored.width * HEIC_IROT.stored.height;
    expect(judge(HEIC_IROT.file, { ...LIMITS, maxPixels: pixels - 1 })).toMatchObject({ kind: 'too-many-pixels' });
  });

  it('asks for more bytes while the header is incomplete, and says the truth when it never completes', () => {
    const file = readFileSync(corpus.path(HEIC_IROT.file));
    const meta = file.indexOf('meta') - 4;
    for (const cut of [16, 40, meta + 20, meta + 200]) {
      expect(readImageHeader(file.subarray(0, cut), { ...LIMITS, complete: false })).toEqual({ kind: 'need-more' });
      const verdict = readImageHeader(file.subarray(0, cut), LIMITS);
      expect(verdict).toMatchObject({ kind: 'unreadable', format: 'HEIC' });
      expect(unsupportedTypeMessage('IMG_1.HEIC', verdict as Extract<HeaderVerdict, { kind: 'unreadable' }>)).toMatch(
        /^IMG_1\.HEIC looks like a HEIC file, but its header cannot be read/,
      );
    }
    // The pixel data is not needed: a file cut right after its header is judged.
    expect(readImageHeader(file.subarray(0, file.indexOf('mdat')), { ...LIMITS, complete: false })).toMatchObject({ kind: 'image' });
  });

  it('says a broken box structure is broken instead of throwing', () => {
    const file = Buffer.from(readFileSync(corpus.path(HEIC_IROT.file)));
    file.writeUInt32BE(3, file.indexOf('iprp') - 4); // a box smaller than its own header
    expect(readImageHeader(file, LIMITS)).toMatchObject({ kind: 'unreadable', format: 'HEIC' });
  });

  it('gives a verdict, never an exception, for any corruption of the header', () => {
    const original = readFileSync(corpus.path(PRIMARY_SECOND.file));
    const headerEnd = original.indexOf('mdat');
    let seed = 42;
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31; // deterministic, so a failure can be replayed
      return seed % below;
    };
    const kinds = new Set<string>();
    for (let round = 0; round < 2000; round++) {
      const file = Buffer.from(original);
      for (let flips = 1 + random(4); flips > 0; flips--) file[random(headerEnd)] = random(256);
      const complete = round % 2 === 0;
      const verdict = readImageHeader(complete ? file : file.subarray(0, random(headerEnd) + 1), { ...LIMITS, complete });
      kinds.add(verdict.kind);
    }
    expect([...kinds].every((kind) => ['image', 'need-more', 'unsupported', 'unreadable', 'too-many-pixels'].includes(kind))).toBe(true);
    expect(kinds).toContain('unreadable');
  });
});

describe('refused formats', () => {
  const dir = mkdtempSync(join(tmpdir(), 'refused-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const im = ['/usr/bin/convert-im6.q16', '/usr/bin/magick'].find((path) => existsSync(path));
  // Each made by ImageMagick from its built-in test picture; [file, the name the message must use].
  const formats: Array<[string, string]> = [
    ['picture.bmp', 'BMP'],
    ['picture.ico', 'ICO (Windows icon)'],
    ['picture.psd', 'PSD (Photoshop)'],
    ['picture.tga', 'TGA'],
    ['picture.ppm', 'PNM'],
    ['picture.dds', 'DDS'],
  ];

  it.skipIf(!im).each(formats)('refuses %s naming it as %s, and the accepted list does not contain it', (file, name) => {
    const path = join(dir, file);
    execFileSync(im!, ['logo:', '-resize', '64x64', path]);
    const verdict = readImageHeader(readFileSync(path), LIMITS);
    expect(verdict).toEqual({ kind: 'unsupported', detected: name });
    const message = unsupportedTypeMessage(file, verdict as Extract<HeaderVerdict, { kind: 'unsupported' }>);
    expect(message.startsWith(`${file} is a ${name} file. Accepted: `)).toBe(true);
    const accepted = message.slice(message.indexOf('Accepted: ') + 'Accepted: '.length, -1).split(', ');
    expect(accepted).toEqual(ACCEPTED_FORMAT_NAMES);
    expect(accepted).not.toContain(name);
    expect(accepted.map((format) => format.toUpperCase())).not.toContain(name.split(' ')[0]!.toUpperCase());
  });

  it('refuses SVG (text) the same way', () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    const verdict = readImageHeader(svg, LIMITS) as Extract<HeaderVerdict, { kind: 'unsupported' }>;
    expect(verdict).toEqual({ kind: 'unsupported', detected: 'SVG' });
    expect(unsupportedTypeMessage('a.svg', verdict)).toBe(`a.svg is a SVG file. Accepted: ${ACCEPTED_FORMAT_NAMES.join(', ')}.`);
  });

  it('names no format at all for bytes it does not recognise', () => {
    const verdict = readImageHeader(Buffer.from('hello, this is text\n'), LIMITS) as Extract<HeaderVerdict, { kind: 'unsupported' }>;
    expect(unsupportedTypeMessage('a.jpg', verdict)).toMatch(/^a\.jpg is not an image we can read\. Accepted: JPEG, PNG, WebP, AVIF, HEIC, HEIF, GIF, TIFF\.$/);
  });
});
