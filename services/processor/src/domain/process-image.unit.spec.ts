import { createReadStream, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import sharp from 'sharp';
import { thumbHashToApproximateAspectRatio, thumbHashToRGBA } from 'thumbhash';
import { describe, expect, it } from 'vitest';
import { processImage, type ProcessedImage } from './process-image.js';
import { samplePhoto, samplePhotos } from './test-support/sample-photos.js';
import { VARIANT_SPECS } from './variant-specs.js';

const LIMITS = { maxPixels: 50_000_000 };

/** Mean absolute difference per channel of two same-sized raw images, 0-255. */
function meanDifference(a: Buffer, b: Buffer): number {
  let total = 0;
  for (let index = 0; index < a.length; index++) total += Math.abs(a[index]! - b[index]!);
  return total / a.length;
}

async function rgb(image: Buffer): Promise<Buffer> {
  return sharp(image).removeAlpha().raw().toBuffer();
}

async function expectPromisedVariants(result: ProcessedImage): Promise<void> {
  const originalLong = Math.max(result.width, result.height);
  for (const spec of Object.values(VARIANT_SPECS)) {
    const variant = result.variants[spec.name];
    const decoded = await sharp(variant.buffer).metadata();
    expect(decoded, spec.name).toMatchObject({ format: spec.format, width: variant.width, height: variant.height });
    expect(variant).toMatchObject({ format: spec.format, bytes: variant.buffer.length });
    const longEdge = Math.min(spec.longEdge, originalLong);
    expect(Math.max(decoded.width, decoded.height), spec.name).toBe(longEdge);
    const scale = longEdge / originalLong;
    expect(Math.abs(decoded.width - result.width * scale), `${spec.name} width`).toBeLessThanOrEqual(1);
    expect(Math.abs(decoded.height - result.height * scale), `${spec.name} height`).toBeLessThanOrEqual(1);
  }
}

describe('processImage', () => {
  it.each(samplePhotos().map((path) => [basename(path), path]))('turns %s into the promised variants', async (_name, path) => {
    const original = readFileSync(path);
    const stored = await sharp(original).metadata();
    const result = await processImage(original, LIMITS);

    expect(result).toMatchObject({ width: stored.autoOrient.width, height: stored.autoOrient.height, format: stored.format });
    await expectPromisedVariants(result);
    expect(result.dominantColor).toMatch(/^#[0-9a-f]{6}$/);
    expect(result.placeholder.algorithm).toBe('thumbhash');
    const hash = Buffer.from(result.placeholder.hash, 'base64');
    const placeholder = thumbHashToRGBA(hash);
    expect(placeholder.w).toBeLessThanOrEqual(32);
    expect(placeholder.h).toBeLessThanOrEqual(32);
    expect(placeholder.rgba).toHaveLength(placeholder.w * placeholder.h * 4);
    expect(thumbHashToApproximateAspectRatio(hash)).toBeCloseTo(result.width / result.height, 0);
  });

  it('reads a stream like a buffer', async () => {
    const path = samplePhoto('Storm.jpg');
    const fromStream = await processImage(createReadStream(path), LIMITS);
    const fromBuffer = await processImage(readFileSync(path), LIMITS);
    expect(fromStream.placeholder).toEqual(fromBuffer.placeholder);
    expect(fromStream.variants.thumb.buffer.equals(fromBuffer.variants.thumb.buffer)).toBe(true);
  });

  it('never enlarges a small image', async () => {
    const small = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    const result = await processImage(small, LIMITS);
    expect(result.variants.thumb).toMatchObject({ width: 200, height: 100 });
    expect(result.variants.preview).toMatchObject({ width: 200, height: 100 });
    expect(result.dominantColor).toBe('#386898');
  });

  it('puts a transparent image on white in the JPEG preview', async () => {
    const clear = await sharp({ create: { width: 64, height: 64, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer();
    const { variants } = await processImage(clear, LIMITS);
    const [r, g, b] = await rgb(variants.preview.buffer);
    expect([r, g, b]).toEqual([255, 255, 255]);
  });

  it('turns a photo stored sideways (EXIF orientation 6) upright', async () => {
    const landscape = readFileSync(samplePhoto('Storm.jpg'));
    // Stored pixels turned a quarter left, with the tag that tells viewers to turn them back right.
    const sideways = await sharp(landscape).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    const stored = await sharp(sideways).metadata();
    expect(stored).toMatchObject({ width: 1280, height: 1920, orientation: 6 });

    const result = await processImage(sideways, LIMITS);
    const reference = await processImage(landscape, LIMITS);

    expect(result).toMatchObject({ width: stored.height, height: stored.width });
    expect(result.exif.orientation).toBe(6);
    await expectPromisedVariants(result);
    const thumb = await rgb(result.variants.thumb.buffer);
    const upright = await rgb(reference.variants.thumb.buffer);
    const upsideDown = await sharp(reference.variants.thumb.buffer).rotate(180).removeAlpha().raw().toBuffer();
    expect(thumb).toHaveLength(upright.length);
    expect(meanDifference(thumb, upright)).toBeLessThan(4);
    expect(meanDifference(thumb, upsideDown)).toBeGreaterThan(4 * meanDifference(thumb, upright));
  });

  it('reads only the first frame of an animated GIF', async () => {
    const colours = ['#ff0000', ...Array.from({ length: 59 }, (_, index) => `#00${(40 + index * 3).toString(16)}ff`)];
    const frames = await Promise.all(
      colours.map((background) =>
        sharp({ create: { width: 400, height: 300, channels: 3, background } })
          .png()
          .toBuffer(),
      ),
    );
    const gif = await sharp(frames, { join: { animated: true } })
      .gif()
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBeGreaterThan(1);

    const started = performance.now();
    const result = await processImage(gif, LIMITS);
    const elapsed = performance.now() - started;

    expect(result).toMatchObject({ width: 400, height: 300, format: 'gif' });
    expect(result.variants.thumb).toMatchObject({ width: 320, height: 240 });
    expect((await sharp(result.variants.thumb.buffer).metadata()).pages ?? 1).toBe(1);
    expect(result.dominantColor).toMatch(/^#[c-f][0-9a-f]0[0-9a-f]0[0-9a-f]$/);
    expect(elapsed).toBeLessThan(2_000);
  });
});
