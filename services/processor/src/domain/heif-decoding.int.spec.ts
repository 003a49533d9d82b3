/**
 * HEIC (HEVC) and AVIF through processImage, on files of the format corpus (test/formats: made by real
 * encoders, heif-enc and libheif's API, and checked against heif-convert and exiftool): sharp's prebuilt
 * libvips decodes AVIF itself but has no HEVC decoder, so HEIC goes to the WASM libheif.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createLibheifDecoder } from '../adapters/libheif-decoder.js';
import type { HeifDecoder } from './decode-image.js';
import { classifyImageError } from './image-errors.js';
import { processImage, type ProcessedImage } from './process-image.js';
import { formatCorpus, type CorpusEntry } from '../../../../test/formats/format-corpus.js';

const corpus = formatCorpus();
const LIMITS = { maxPixels: 50_000_000 };
/** Portrait pixels (stored 400x600) turned upright by irot 270, EXIF Orientation 6 saying the same: as iPhones write. */
const IPHONE = corpus.entry('heic-iphone-orientation-6.heic');
const AVIF_IROT = corpus.entry('avif-irot-orientation-6.avif');
/** Upright pixels, no irot, EXIF Orientation 6 all the same. */
const HEIC_EXIF_ONLY = corpus.entry('heic-exif-orientation-6-no-irot.heic');
const AVIF_EXIF_ONLY = corpus.entry('avif-exif-orientation-6-no-irot.avif');
/** A green decoy first, the primary (the scene, with EXIF) second. */
const PRIMARY_SECOND = corpus.entry('heic-primary-second.heic');
/** A JPEG of the same scene stored on its side, shown upright by its EXIF orientation (6). */
const JPEG_ORIENTED = corpus.path('jpeg-orientation-6.jpg');
const read = (entry: CorpusEntry) => readFileSync(corpus.path(entry.file));

/** Mean absolute difference per channel of two images brought to the same small size, 0-255. */
async function difference(a: Buffer | string, b: Buffer | string, orient: 'as-stored' | 'auto-orient-b' = 'as-stored'): Promise<number> {
  const small = (image: Buffer | string, autoOrient: boolean) =>
    (autoOrient ? sharp(image).autoOrient() : sharp(image)).resize(40, 64, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  const [left, right] = await Promise.all([small(a, false), small(b, orient === 'auto-orient-b')]);
  let total = 0;
  for (let index = 0; index < left.length; index++) total += Math.abs(left[index]! - right[index]!);
  return total / left.length;
}

async function failureOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return classifyImageError(error);
  }
  throw new Error('processImage accepted a bad input');
}

async function expectVariantsDecode(result: ProcessedImage, width: number, height: number) {
  expect({ width: result.width, height: result.height }).toEqual({ width, height });
  for (const variant of Object.values(result.variants)) {
    const decoded = await sharp(variant.buffer).metadata();
    expect(decoded).toMatchObject({ format: variant.format, width: variant.width, height: variant.height });
    expect(Math.sign(variant.width - variant.height)).toBe(Math.sign(width - height));
  }
  expect(result.placeholder.hash.length).toBeGreaterThan(10);
  expect(result.dominantColor).toMatch(/^#[0-9a-f]{6}$/);
}

describe('HEIC and AVIF processing', () => {
  const wasm = createLibheifDecoder({ threads: 1 });
  const calls: string[] = [];
  const heifDecoder: HeifDecoder = {
    decodePrimary: (file, limits) => {
      calls.push(`${file.length}`);
      return wasm.decodePrimary(file, limits);
    },
  };
  afterAll(() => wasm.close());

  it('makes the variants of an iPhone-style HEVC HEIC, oriented by its irot once, with its EXIF', async () => {
    calls.length = 0;
    const result = await processImage(read(IPHONE), LIMITS, heifDecoder);
    expect(calls).toHaveLength(1); // sharp's own libheif cannot decode HEVC: the WASM one did
    expect(result.format).toBe('heif');
    // Stored 400x600 with irot 270° (90° clockwise): displayed 600x400. Applying the Exif orientation (6) on
    // top would turn it back to 400x600.
    await expectVariantsDecode(result, IPHONE.width, IPHONE.height);
    expect(IPHONE.stored).toEqual({ width: IPHONE.height, height: IPHONE.width });
    expect(result.exif).toMatchObject(IPHONE.exif);
    // The right way round, not upside down: the thumb matches a JPEG of the scene shown by its EXIF orientation.
    expect(await difference(result.variants.preview.buffer, JPEG_ORIENTED, 'auto-orient-b')).toBeLessThan(12);
    const upsideDown = await sharp(result.variants.preview.buffer).rotate(180).toBuffer();
    expect(await difference(upsideDown, JPEG_ORIENTED, 'auto-orient-b')).toBeGreaterThan(30);
  });

  it('does not apply the Exif orientation of a HEIC without irot (HEIF shows items as transformed, no more)', async () => {
    const result = await processImage(read(HEIC_EXIF_ONLY), LIMITS, heifDecoder);
    await expectVariantsDecode(result, HEIC_EXIF_ONLY.stored.width, HEIC_EXIF_ONLY.stored.height);
    expect(result.exif).toMatchObject(HEIC_EXIF_ONLY.exif);
    // sharp's native libheif does the same with the AVIF of the same file, and browsers do.
    const avif = await processImage(read(AVIF_EXIF_ONLY), LIMITS, heifDecoder);
    expect({ width: avif.width, height: avif.height }).toEqual(AVIF_EXIF_ONLY.stored);
    expect(avif.exif).toMatchObject({ orientation: 6 });
  });

  it('processes the primary image of a HEIC with several, though it is not the first', async () => {
    const result = await processImage(read(PRIMARY_SECOND), LIMITS, heifDecoder);
    await expectVariantsDecode(result, PRIMARY_SECOND.width, PRIMARY_SECOND.height);
    expect(result.exif).toMatchObject(PRIMARY_SECOND.exif);
    expect(await difference(result.variants.preview.buffer, corpus.scene)).toBeLessThan(12);
    const first = await processImage(readFileSync(corpus.path(PRIMARY_SECOND.notPrimary!)), LIMITS, heifDecoder);
    expect(await difference(result.variants.preview.buffer, first.variants.preview.buffer)).toBeGreaterThan(30);
  });

  it('decodes AVIF with sharp itself, irot applied once, EXIF read', async () => {
    calls.length = 0;
    const result = await processImage(read(AVIF_IROT), LIMITS, heifDecoder);
    expect(calls).toEqual([]);
    await expectVariantsDecode(result, AVIF_IROT.width, AVIF_IROT.height);
    expect(AVIF_IROT.stored).toEqual({ width: AVIF_IROT.height, height: AVIF_IROT.width });
    expect(result.exif).toMatchObject(AVIF_IROT.exif);
    expect(await difference(result.variants.preview.buffer, JPEG_ORIENTED, 'auto-orient-b')).toBeLessThan(12);
  });

  it('fails a truncated HEIC permanently, as undecodable', async () => {
    const file = read(IPHONE);
    for (const fraction of [0.3, 0.7, 0.97]) {
      const failure = await failureOf(processImage(file.subarray(0, Math.floor(file.length * fraction)), LIMITS, heifDecoder));
      expect(failure, `cut at ${fraction}`).toMatchObject({ code: 'undecodable' });
    }
  });

  it('classifies what the WASM decoder refuses as permanent failures', async () => {
    const file = read(IPHONE);
    const refusal = (bytes: Buffer) => wasm.decodePrimary(bytes, LIMITS).then(() => undefined, classifyImageError);
    expect(await refusal(file.subarray(0, file.length - 100))).toMatchObject({ code: 'undecodable', reason: expect.stringMatching(/^The image is truncated/) });
    expect(await refusal(file.subarray(0, 30))).toMatchObject({ code: 'undecodable' });
    expect(await refusal(Buffer.from('not a HEIF file at all, though long enough to be read as one'))).toMatchObject({ code: 'undecodable' });
    expect(await wasm.decodePrimary(file, { maxPixels: 1000 }).then(() => undefined, classifyImageError)).toMatchObject({ code: 'too-many-pixels' });
  });

  it('refuses a HEIC over the pixel limit from its header, before decoding it', async () => {
    calls.length = 0;
    const bomb = Buffer.from(read(IPHONE));
    const at = bomb.indexOf('ispe');
    bomb.writeUInt32BE(30_000, at + 8);
    bomb.writeUInt32BE(30_000, at + 12);
    expect(await failureOf(processImage(bomb, LIMITS, heifDecoder))).toMatchObject({ code: 'too-many-pixels' });
    expect(await failureOf(processImage(read(IPHONE), { maxPixels: IPHONE.width * IPHONE.height - 1 }, heifDecoder))).toMatchObject({
      code: 'too-many-pixels',
    });
    expect(calls).toEqual([]);
  });

  it('fails HEVC as an unsupported compression when no HEIF decoder is given', async () => {
    expect(await failureOf(processImage(read(IPHONE), LIMITS))).toMatchObject({ code: 'unsupported-format' });
  });
});
