import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import sharp from 'sharp';
import { rgbaToThumbHash as reference } from 'thumbhash';
import { describe, expect, it } from 'vitest';
import { samplePhotos } from './test-support/sample-photos.js';
import { rgbaToThumbHash } from './thumbhash.js';

/** A reproducible pseudo-random RGBA image: smooth gradients plus noise, opaque or with varying alpha. */
function syntheticImage(w: number, h: number, seed: number, alpha: 'opaque' | 'varying' | 'clear'): Uint8Array {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      rgba[i] = ((x * 255) / w + random() / 4) & 255;
      rgba[i + 1] = ((y * 255) / h + random() / 4) & 255;
      rgba[i + 2] = random();
      rgba[i + 3] = alpha === 'opaque' ? 255 : alpha === 'clear' ? 0 : (x * 7 + y * 3 + random()) & 255;
    }
  }
  return rgba;
}

describe('rgbaToThumbHash', () => {
  it.each([
    [100, 75],
    [75, 100],
    [100, 100],
    [1, 1],
    [3, 100],
    [100, 2],
    [37, 61],
  ])('writes the reference package bytes for synthetic %ix%i images, opaque and with alpha', (w, h) => {
    for (const alpha of ['opaque', 'varying', 'clear'] as const) {
      for (let seed = 1; seed <= 5; seed++) {
        const rgba = syntheticImage(w, h, seed * 7919 + w * h, alpha);
        expect(Buffer.from(rgbaToThumbHash(w, h, rgba)).toString('hex'), `${alpha} seed ${seed}`).toBe(Buffer.from(reference(w, h, rgba)).toString('hex'));
      }
    }
  });

  it.each(samplePhotos().map((path) => [basename(path), path]))('writes the reference package bytes for %s', async (_name, path) => {
    const { data, info } = await sharp(readFileSync(path)).resize(100, 100, { fit: 'inside' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    expect(Buffer.from(rgbaToThumbHash(info.width, info.height, data)).toString('hex')).toBe(
      Buffer.from(reference(info.width, info.height, data)).toString('hex'),
    );
  });

  it('refuses an image larger than 100x100, as the reference does', () => {
    expect(() => rgbaToThumbHash(101, 10, new Uint8Array(101 * 10 * 4))).toThrow("101x10 doesn't fit in 100x100");
  });
});
