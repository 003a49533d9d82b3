/**
 * What the header check decides for each accepted format, on files made by real encoders (the format corpus:
 * ImageMagick, img2webp, heif-enc; and the sample photographs), and on copies of them edited where their
 * headers keep what is read: the size fields (pixel bombs, empty images), the ftyp brands of HEIF files, the
 * codec of their primary item, and cuts. The formats it refuses by name are in image-header.int.spec.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCorpus } from '../../../../test/formats/format-corpus.js';
import { samplePhotosDir } from '../test-support/sample-photos.js';
import { textFile } from '../test-support/bad-inputs.js';
import { readImageHeader, unsupportedTypeMessage, type HeaderVerdict } from './image-header.js';

const corpus = formatCorpus();
const bytesOf = (file: string) => Buffer.from(readFileSync(corpus.path(file)));
const LIMITS = { maxPixels: 100_000_000, maxFrames: 1000, complete: true };
const judge = (bytes: Buffer, limits: Partial<typeof LIMITS> = {}): HeaderVerdict => readImageHeader(bytes, { ...LIMITS, ...limits });

describe('accepted formats, as their encoders wrote them', () => {
  const cases: Array<[string, string]> = [
    ['jpeg-orientation-1.jpg', 'image/jpeg'],
    ['jpeg-orientation-6.jpg', 'image/jpeg'],
    ['jpeg-progressive.jpg', 'image/jpeg'],
    ['jpeg-cmyk.jpg', 'image/jpeg'],
    ['png-16bit.png', 'image/png'],
    ['png-alpha.png', 'image/png'],
    ['gif-animated.gif', 'image/gif'],
    ['webp-animated.webp', 'image/webp'],
    ['image.tiff', 'image/tiff'],
    ['heic-heif-enc.heic', 'image/heic'],
    ['heic-iphone-orientation-6.heic', 'image/heic'],
    ['image.avif', 'image/avif'],
  ];

  it.each(cases)('takes %s as %s with its stored size', (file, contentType) => {
    const { stored } = corpus.entry(file);
    expect(judge(bytesOf(file))).toEqual({ kind: 'image', contentType, ...stored });
  });

  it('takes large photographs (their size is in their names)', () => {
    for (const [name, width, height] of [
      ['Elephants_3840x2160.jpg', 3840, 2160],
      ['Elephants_5640x3172.jpg', 5640, 3172],
    ] as const) {
      const photo = readFileSync(join(samplePhotosDir(), name));
      expect(judge(photo)).toEqual({ kind: 'image', contentType: 'image/jpeg', width, height });
    }
  });
});

describe('the pixel limit', () => {
  it('takes an image of exactly the limit and refuses one pixel less of limit, in every format', () => {
    for (const file of [
      'jpeg-orientation-1.jpg',
      'png-alpha.png',
      'gif-animated.gif',
      'webp-animated.webp',
      'image.tiff',
      'heic-heif-enc.heic',
      'image.avif',
    ]) {
      const pixels = 600 * 400;
      expect(judge(bytesOf(file), { maxPixels: pixels })).toMatchObject({ kind: 'image', width: 600, height: 400 });
      expect(judge(bytesOf(file), { maxPixels: pixels - 1 })).toEqual({ kind: 'too-many-pixels', width: 600, height: 400 });
    }
  });

  it('refuses pixel bombs: real files whose header declares a huge size', () => {
    const jpeg = bytesOf('jpeg-orientation-1.jpg');
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0])); // baseline frame header: length, precision, height, width
    expect([jpeg.readUInt16BE(sof + 5), jpeg.readUInt16BE(sof + 7)]).toEqual([400, 600]);
    jpeg.writeUInt16BE(60_000, sof + 5);
    jpeg.writeUInt16BE(60_000, sof + 7);
    expect(judge(jpeg)).toEqual({ kind: 'too-many-pixels', width: 60_000, height: 60_000 });

    const png = bytesOf('png-alpha.png'); // IHDR: width, height at 16 and 20
    png.writeUInt32BE(30_000, 16);
    png.writeUInt32BE(30_000, 20);
    expect(judge(png)).toEqual({ kind: 'too-many-pixels', width: 30_000, height: 30_000 });

    const gif = bytesOf('gif-animated.gif'); // logical screen: width, height little-endian at 6 and 8
    gif.writeUInt16LE(65_535, 6);
    gif.writeUInt16LE(65_535, 8);
    expect(judge(gif)).toEqual({ kind: 'too-many-pixels', width: 65_535, height: 65_535 });

    const webp = bytesOf('webp-animated.webp'); // VP8X canvas: width - 1, height - 1, 24-bit little-endian at 24 and 27
    expect(webp.toString('latin1', 12, 16)).toBe('VP8X');
    webp.writeUIntLE(16_383, 24, 3);
    webp.writeUIntLE(16_383, 27, 3);
    expect(judge(webp)).toEqual({ kind: 'too-many-pixels', width: 16_384, height: 16_384 });
  });
});

describe('files that are not (yet) readable', () => {
  it('waits for more bytes while a JPEG header is cut short, and refuses it once the file is complete', () => {
    const jpeg = bytesOf('jpeg-orientation-1.jpg');
    for (const cut of [2, 20, 300]) {
      expect(judge(jpeg.subarray(0, cut), { complete: false })).toEqual({ kind: 'need-more' });
      expect(judge(jpeg.subarray(0, cut))).toEqual({ kind: 'unsupported', detected: undefined });
    }
  });

  it('waits for more bytes when nothing came yet, and refuses an empty file', () => {
    expect(judge(Buffer.alloc(0), { complete: false })).toEqual({ kind: 'need-more' });
    expect(judge(Buffer.alloc(0))).toEqual({ kind: 'unsupported', detected: undefined });
  });

  it('refuses bytes of no known format at once, without waiting for more', () => {
    expect(judge(textFile, { complete: false })).toEqual({ kind: 'unsupported', detected: undefined });
    expect(judge(textFile)).toEqual({ kind: 'unsupported', detected: undefined });
  });

  it('waits on, then refuses, an image of width 0 or height 0', () => {
    for (const [width, height] of [
      [0, 400],
      [600, 0],
    ]) {
      const png = bytesOf('png-alpha.png');
      png.writeUInt32BE(width!, 16);
      png.writeUInt32BE(height!, 20);
      expect(judge(png, { complete: false })).toEqual({ kind: 'need-more' });
      expect(judge(png)).toEqual({ kind: 'unsupported', detected: undefined });
    }
  });
});

/** A copy of the file with its ftyp brands replaced (same count, so no offset moves). */
function withBrands(file: Buffer, major: string, compatible: string[]): Buffer {
  const copy = Buffer.from(file);
  const count = (copy.readUInt32BE(0) - 16) / 4;
  expect(compatible).toHaveLength(count);
  copy.write(major, 8, 'latin1');
  compatible.forEach((brand, index) => copy.write(brand, 16 + index * 4, 'latin1'));
  return copy;
}

/** A copy of a heif-enc file whose primary item (item 1, the first infe) is of another type. */
function withCodec(file: Buffer, codec: string): Buffer {
  const copy = Buffer.from(file);
  const infe = copy.indexOf('infe', 0, 'latin1') - 4;
  expect(copy.toString('latin1', infe + 16, infe + 20)).toMatch(/^(hvc1|av01)$/);
  copy.write(codec, infe + 16, 'latin1');
  return copy;
}

describe('HEIF-family files', () => {
  const heic = bytesOf('heic-heif-enc.heic'); // ftyp heic [mif1 heic miaf]
  const avif = bytesOf('image.avif'); // ftyp avif [avif mif1 miaf]
  const ISO = ['isom', 'isom', 'isom'];

  it('reads a file as HEIF when any of its brands is one of the family, even the last compatible one', () => {
    for (const brand of ['mif1', 'mif2', 'msf1', 'miaf', 'heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'avif', 'avis']) {
      expect(judge(withBrands(heic, brand, ISO))).toEqual({ kind: 'image', contentType: 'image/heic', width: 600, height: 400 });
      expect(judge(withBrands(avif, 'isom', ['isom', 'isom', brand]))).toEqual({ kind: 'image', contentType: 'image/avif', width: 600, height: 400 });
    }
    expect(judge(withBrands(heic, 'heic', ['isom', 'mif1', 'mp41']))).toMatchObject({ kind: 'image', contentType: 'image/heic' });
  });

  it('refuses an ISO media file of no HEIF brand (an MP4) as an unknown type', () => {
    expect(judge(withBrands(heic, 'isom', ISO))).toEqual({ kind: 'unsupported', detected: undefined });
    expect(judge(withBrands(heic, 'mp42', ['isom', 'mp41', 'avc1']), { complete: false })).toEqual({ kind: 'unsupported', detected: undefined });
  });

  it('reads only the brands inside the ftyp box', () => {
    // The ftyp box made one brand shorter: its last brand, mif1 (now the meta box's first bytes), does not count.
    const shorter = withBrands(heic, 'isom', ['isom', 'isom', 'mif1']);
    shorter.writeUInt32BE(24, 0);
    expect(judge(shorter)).toEqual({ kind: 'unsupported', detected: undefined });
  });

  it('names the type by the primary image’s codec (HEVC: HEIC, AV1: AVIF) before the brands', () => {
    expect(judge(withBrands(heic, 'mif1', ISO))).toMatchObject({ contentType: 'image/heic' });
    expect(judge(withCodec(withBrands(heic, 'mif1', ISO), 'hev1'))).toMatchObject({ contentType: 'image/heic' });
    expect(judge(withBrands(avif, 'mif1', ISO))).toMatchObject({ contentType: 'image/avif' });
    expect(judge(withBrands(avif, 'heic', ISO))).toMatchObject({ contentType: 'image/avif' });
    expect(judge(withCodec(withBrands(avif, 'heic', ISO), 'hvc1'))).toMatchObject({ contentType: 'image/heic' });
  });

  it('names it by the major brand when the codec says nothing (e.g. JPEG inside HEIF)', () => {
    const expected: Array<[string, string]> = [
      ['heic', 'image/heic'],
      ['heix', 'image/heic'],
      ['heim', 'image/heic'],
      ['heis', 'image/heic'],
      ['hevc', 'image/heic'],
      ['hevx', 'image/heic'],
      ['avif', 'image/avif'],
      ['avis', 'image/avif'],
      ['mif1', 'image/heif'],
      ['miaf', 'image/heif'],
    ];
    for (const [major, contentType] of expected) {
      expect(judge(withCodec(withBrands(heic, major, ['mif1', 'heic', 'avif']), 'jpeg'))).toEqual({ kind: 'image', contentType, width: 600, height: 400 });
    }
  });

  it('calls a HEIF file cut inside its header unreadable, naming it by its major brand', () => {
    const expected: Array<[string, string]> = [
      ['heic', 'HEIC'],
      ['heix', 'HEIC'],
      ['heim', 'HEIC'],
      ['heis', 'HEIC'],
      ['hevc', 'HEIC'],
      ['hevx', 'HEIC'],
      ['avif', 'AVIF'],
      ['avis', 'AVIF'],
      ['mif1', 'HEIF'],
      ['msf1', 'HEIF'],
    ];
    for (const [major, format] of expected) {
      const cut = withBrands(heic, major, ['mif1', 'heic', 'avif']).subarray(0, 40);
      expect(judge(cut, { complete: false })).toEqual({ kind: 'need-more' });
      expect(judge(cut)).toEqual({ kind: 'unreadable', format, reason: 'the file ends inside its header' });
    }
  });

  it('says what is broken in a complete HEIF file', () => {
    const noPitm = Buffer.from(heic);
    noPitm.write('pitx', noPitm.indexOf('pitm', 0, 'latin1'), 'latin1');
    expect(judge(noPitm)).toEqual({ kind: 'unreadable', format: 'HEIC', reason: 'no primary item (pitm)' });
  });
});

describe('refused formats image-size knows, beyond those of image-header.int.spec.ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'refused-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // ImageMagick's own binary (a stand-in `convert` may shadow it on PATH); scripts/ensure-image-tools.sh installs it.
  const im = ['/usr/bin/convert-im6.q16', '/usr/bin/magick'].find((path) => existsSync(path));
  if (!im) console.warn('image-header.unit.spec: no ImageMagick, the CUR and JPEG 2000 refusals are skipped');
  const formats: Array<[string, string]> = [
    ['picture.cur', 'CUR (Windows cursor)'],
    ['picture.jp2', 'JPEG 2000'],
    ['picture.j2c', 'JPEG 2000'],
  ];

  it.skipIf(!im).each(formats)('refuses %s naming it as %s', (file, name) => {
    const path = join(dir, file);
    execFileSync(im!, ['logo:', '-resize', '64x64', path]);
    const bytes = readFileSync(path);
    // ImageMagick writes a cursor as an icon: a CUR is an ICO whose resource type (at 2) is 2 instead of 1.
    if (file.endsWith('.cur')) bytes.writeUInt16LE(2, 2);
    const verdict = judge(bytes);
    expect(verdict).toEqual({ kind: 'unsupported', detected: name });
    expect(unsupportedTypeMessage(file, verdict as Extract<HeaderVerdict, { kind: 'unsupported' }>)).toMatch(
      new RegExp(`^${file.replace('.', '\\.')} is a ${name.replace(/[()]/g, '\\$&')} file\\. Accepted: `),
    );
  });
});
