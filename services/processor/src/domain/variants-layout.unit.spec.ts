import { describe, expect, it } from 'vitest';
import { variantsLayout } from './variants-layout.js';

const PHOTO_ID = '0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30';
const SHA = '9f2c6a1b0d8e7f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a';

describe('the variants bucket layout', () => {
  it("puts a photo's variants under its prefix, and its deletion mark outside it", () => {
    expect(variantsLayout.photoPrefix(PHOTO_ID)).toBe(`variants/${PHOTO_ID}/`);
    expect(variantsLayout.variant(PHOTO_ID, 'thumb', SHA).startsWith(variantsLayout.photoPrefix(PHOTO_ID))).toBe(true);
    expect(variantsLayout.deletedMarker(PHOTO_ID)).toBe(`deleted/${PHOTO_ID}`);
  });

  it('takes photo ids of 1 to 64 letters, digits and dashes', () => {
    expect(variantsLayout.photoPrefix('a')).toBe('variants/a/');
    expect(variantsLayout.deletedMarker('A-9'.repeat(21) + 'z')).toBe(`deleted/${'A-9'.repeat(21)}z`);
  });

  it.each([
    ['empty', ''],
    ['65 characters long', 'a'.repeat(65)],
    ['with a slash at the end', `${PHOTO_ID}/`],
    ['with a dot before', `.${PHOTO_ID}`],
    ['a parent directory', '..'],
  ])('refuses a photo id %s, wherever it is used', (_case, photoId) => {
    expect(() => variantsLayout.photoPrefix(photoId)).toThrow(new RangeError('photoId must be 1-64 letters, digits or dashes'));
    expect(() => variantsLayout.deletedMarker(photoId)).toThrow(RangeError);
    expect(() => variantsLayout.variant(photoId, 'thumb', SHA)).toThrow(RangeError);
  });

  it.each([
    ['65 hex digits', `${SHA}0`],
    ['a character before', `x${SHA}`],
    ['63 hex digits and a space', `${SHA.slice(1)} `],
  ])('refuses an original hash of %s', (_case, sha) => {
    expect(() => variantsLayout.variant(PHOTO_ID, 'thumb', sha)).toThrow(new RangeError('originalSha256 must be 64 hex digits'));
  });
});
