import { describe, expect, it } from 'vitest';
import { LARGEST_VARIANT_EDGE, VARIANT_SPECS } from './variant-specs.js';
import { variantObjectKey } from './variants-layout.js';

const PHOTO_ID = '0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30';
const SHA = '9f2c6a1b0d8e7f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a';

describe('variant specs', () => {
  it('define a small WebP thumbnail and a screen-sized preview', () => {
    expect(VARIANT_SPECS.thumb).toMatchObject({ format: 'webp', longEdge: 320 });
    expect(['jpeg', 'webp']).toContain(VARIANT_SPECS.preview.format);
    expect(VARIANT_SPECS.preview.longEdge).toBeGreaterThanOrEqual(1440);
    expect(VARIANT_SPECS.preview.longEdge).toBeLessThanOrEqual(2048);
    expect(LARGEST_VARIANT_EDGE).toBe(VARIANT_SPECS.preview.longEdge);
  });
});

describe('variantObjectKey', () => {
  it('names a variant by photo, variant and the first 16 hex of the original hash', () => {
    expect(variantObjectKey(PHOTO_ID, 'thumb', SHA)).toBe(`variants/${PHOTO_ID}/thumb-9f2c6a1b0d8e7f3a.webp`);
    expect(variantObjectKey(PHOTO_ID, 'preview', SHA)).toBe(`variants/${PHOTO_ID}/preview-9f2c6a1b0d8e7f3a.${VARIANT_SPECS.preview.format}`);
  });

  it('gives the same key for the same original, whatever the hash case', () => {
    expect(variantObjectKey(PHOTO_ID, 'thumb', SHA.toUpperCase())).toBe(variantObjectKey(PHOTO_ID, 'thumb', SHA));
  });

  it('only produces keys the event contract accepts', () => {
    expect(variantObjectKey(PHOTO_ID, 'preview', SHA)).toMatch(/^[A-Za-z0-9._/-]+$/);
  });

  it.each([
    ['a photo id with a path in it', '../other', SHA],
    ['a photo id with a slash', 'a/b', SHA],
    ['an empty photo id', '', SHA],
    ['a short hash', PHOTO_ID, SHA.slice(0, 16)],
    ['a hash that is not hex', PHOTO_ID, 'z'.repeat(64)],
  ])('refuses %s', (_case, photoId, sha) => {
    expect(() => variantObjectKey(photoId, 'thumb', sha)).toThrow(RangeError);
  });
});
