/** The variants the processor makes of every photo. */
export type VariantName = 'thumb' | 'preview';

/** Encodings a variant may have; a subset of what `photo.processed.v1` allows. */
export type VariantFormat = 'webp' | 'jpeg';

/**
 * How one variant is made: fit inside a `longEdge` square, never enlarged, encoded as `format` at
 * `quality` (the encoder's 1-100 scale).
 */
export interface VariantSpec {
  readonly name: VariantName;
  readonly format: VariantFormat;
  readonly longEdge: number;
  readonly quality: number;
}

/**
 * The variant definitions. Changing one changes the bytes behind an existing key (see
 * {@link variantObjectKey}), so a change must come with a way to tell old keys from new ones.
 */
export const VARIANT_SPECS: { readonly [N in VariantName]: VariantSpec & { readonly name: N } } = {
  thumb: { name: 'thumb', format: 'webp', longEdge: 320, quality: 75 },
  preview: { name: 'preview', format: 'jpeg', longEdge: 1600, quality: 80 },
};

/** The longest edge any variant needs: the one size the original is decoded to. */
export const LARGEST_VARIANT_EDGE = Math.max(...Object.values(VARIANT_SPECS).map((spec) => spec.longEdge));

const PHOTO_ID = /^[A-Za-z0-9-]{1,64}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The object key of a variant in the variants bucket:
 * `variants/<photoId>/<name>-<first 16 hex of the original's sha256>.<format>`.
 * Built from the content hash so reprocessing the same original writes the same keys (idempotent) and a
 * new original under the same photo id never collides with cached bytes of the old one.
 * @throws RangeError when `photoId` or `originalSha256` could smuggle path characters into the key.
 */
export function variantObjectKey(photoId: string, name: VariantName, originalSha256: string): string {
  if (!PHOTO_ID.test(photoId)) throw new RangeError('photoId must be 1-64 letters, digits or dashes');
  const sha = originalSha256.toLowerCase();
  if (!SHA256_HEX.test(sha)) throw new RangeError('originalSha256 must be 64 hex digits');
  return `variants/${photoId}/${name}-${sha.slice(0, 16)}.${VARIANT_SPECS[name].format}`;
}
