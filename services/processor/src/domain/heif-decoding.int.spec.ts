/**
 * HEIC (HEVC) and AVIF through processImage, on files made by real encoders (heif-enc, libheif's API):
 * sharp's prebuilt libvips decodes AVIF itself but has no HEVC decoder, so HEIC goes to the WASM libheif.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createLibheifDecoder } from '../adapters/libheif-decoder.js';
import type { HeifDecoder } from './decode-image.js';
import { classifyImageError } from './image-errors.js';
import { processImage, type ProcessedImage } from './process-image.js';
import { heifSamples } from './test-support/heif-samples.js';

const made = heifSamples();
if ('missing' in made) console.warn(`SKIPPED HEIC/AVIF processing tests: ${made.missing}`);
const LIMITS = { maxPixels: 50_000_000 };
// What scripts/heif-samples.sh wrote into the EXIF of every sample.
const EXIF = {
  takenAt: '2024-05-06T07:08:09',
  cameraMake: 'Apple',
  cameraModel: 'iPhone 15',
  gps: { latitude: 48.8566, longitude: 2.3522 },
  orientation: 6,
};

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

describe.skipIf('missing' in made)('HEIC and AVIF processing', () => {
  const samples = 'samples' in made ? made.samples : ({} as never);
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
    const result = await processImage(readFileSync(samples['irot6.heic']), LIMITS, heifDecoder);
    expect(calls).toHaveLength(1); // sharp's own libheif cannot decode HEVC: the WASM one did
    expect(result.format).toBe('heif');
    // Stored 800x500 with irot 90° clockwise: displayed 500x800. Applying the Exif orientation (6) on top
    // would turn it back to 800x500.
    await expectVariantsDecode(result, 500, 800);
    expect(result.exif).toMatchObject(EXIF);
    // The right way round, not upside down: the thumb matches the source JPEG shown by its EXIF orientation.
    expect(await difference(result.variants.preview.buffer, samples['exif.jpg'], 'auto-orient-b')).toBeLessThan(12);
    const upsideDown = await sharp(result.variants.preview.buffer).rotate(180).toBuffer();
    expect(await difference(upsideDown, samples['exif.jpg'], 'auto-orient-b')).toBeGreaterThan(30);
  });

  it('does not apply the Exif orientation of a HEIC without irot (HEIF shows items as transformed, no more)', async () => {
    const result = await processImage(readFileSync(samples['exif-o6.heic']), LIMITS, heifDecoder);
    await expectVariantsDecode(result, 800, 500);
    expect(result.exif).toMatchObject(EXIF);
    // sharp's native libheif does the same with the AVIF of the same file, and browsers do.
    const avif = await processImage(readFileSync(samples['plain.avif']), LIMITS, heifDecoder);
    expect({ width: avif.width, height: avif.height }).toEqual({ width: 800, height: 500 });
  });

  it('processes the primary image of a HEIC with several, though it is not the first', async () => {
    const result = await processImage(readFileSync(samples['multi-primary-last.heic']), LIMITS, heifDecoder);
    await expectVariantsDecode(result, 800, 500);
    expect(result.exif).toMatchObject(EXIF);
    expect(await difference(result.variants.preview.buffer, samples['exif.jpg'])).toBeLessThan(12);
    const first = await processImage(readFileSync(samples['other.heic']), LIMITS, heifDecoder);
    expect(await difference(result.variants.preview.buffer, first.variants.preview.buffer)).toBeGreaterThan(30);
  });

  it('decodes AVIF with sharp itself, irot applied once, EXIF read', async () => {
    calls.length = 0;
    const result = await processImage(readFileSync(samples['irot6.avif']), LIMITS, heifDecoder);
    expect(calls).toEqual([]);
    await expectVariantsDecode(result, 500, 800);
    expect(result.exif).toMatchObject(EXIF);
    expect(await difference(result.variants.preview.buffer, samples['exif.jpg'], 'auto-orient-b')).toBeLessThan(12);
  });

  it('fails a truncated HEIC permanently, as undecodable', async () => {
    const file = readFileSync(samples['irot6.heic']);
    for (const fraction of [0.3, 0.7, 0.97]) {
      const failure = await failureOf(processImage(file.subarray(0, Math.floor(file.length * fraction)), LIMITS, heifDecoder));
      expect(failure, `cut at ${fraction}`).toMatchObject({ code: 'undecodable' });
    }
  });

  it('classifies what the WASM decoder refuses as permanent failures', async () => {
    const file = readFileSync(samples['irot6.heic']);
    const refusal = (bytes: Buffer) => wasm.decodePrimary(bytes, LIMITS).then(() => undefined, classifyImageError);
    expect(await refusal(file.subarray(0, file.length - 100))).toMatchObject({ code: 'undecodable', reason: expect.stringMatching(/^The image is truncated/) });
    expect(await refusal(file.subarray(0, 30))).toMatchObject({ code: 'undecodable' });
    expect(await refusal(Buffer.from('not a HEIF file at all, though long enough to be read as one'))).toMatchObject({ code: 'undecodable' });
    expect(await wasm.decodePrimary(file, { maxPixels: 1000 }).then(() => undefined, classifyImageError)).toMatchObject({ code: 'too-many-pixels' });
  });

  it('refuses a HEIC over the pixel limit from its header, before decoding it', async () => {
    calls.length = 0;
    const bomb = Buffer.from(readFileSync(samples['irot6.heic']));
    const at = bomb.indexOf('ispe');
    bomb.writeUInt32BE(30_000, at + 8);
    bomb.writeUInt32BE(30_000, at + 12);
    expect(await failureOf(processImage(bomb, LIMITS, heifDecoder))).toMatchObject({ code: 'too-many-pixels' });
    expect(await failureOf(processImage(readFileSync(samples['irot6.heic']), { maxPixels: 399_999 }, heifDecoder))).toMatchObject({
      code: 'too-many-pixels',
    });
    expect(calls).toEqual([]);
  });

  it('fails HEVC as an unsupported compression when no HEIF decoder is given', async () => {
    expect(await failureOf(processImage(readFileSync(samples['irot6.heic']), LIMITS))).toMatchObject({ code: 'unsupported-format' });
  });
});
