import { VARIANT_SPECS, type VariantName } from './variant-specs.js';

const PHOTO_ID = /^[A-Za-z0-9-]{1,64}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

const checkedPhotoId = (photoId: string) => {
  if (!PHOTO_ID.test(photoId)) throw new RangeError('photoId must be 1-64 letters, digits or dashes');
  return photoId;
};

/**
 * The keys of the variants bucket: the one place they are built. Readers never rebuild them:
 * `photo.processed` carries each variant's key, and metadata keeps it.
 */
export const variantsLayout = {
  /**
   * A variant: `variants/<photoId>/<name>-<first 16 hex of the original's sha256>.<format>`. Built from
   * the content hash so reprocessing the same original writes the same keys (idempotent) and a new
   * original under the same photo id never collides with cached bytes of the old one.
   * @throws RangeError when `photoId` or `originalSha256` could smuggle path characters into the key.
   */
  variant(photoId: string, name: VariantName, originalSha256: string): string {
    const sha = originalSha256.toLowerCase();
    if (!SHA256_HEX.test(sha)) throw new RangeError('originalSha256 must be 64 hex digits');
    return `variants/${checkedPhotoId(photoId)}/${name}-${sha.slice(0, 16)}.${VARIANT_SPECS[name].format}`;
  },
  /** Every variant of one photo, and nothing else. */
  photoPrefix: (photoId: string) => `variants/${checkedPhotoId(photoId)}/`,
  /** Marks a deleted photo, outside its variants' prefix (which its deletion empties). */
  deletedMarker: (photoId: string) => `deleted/${checkedPhotoId(photoId)}`,
};

/** See {@link variantsLayout.variant}. */
export const variantObjectKey = variantsLayout.variant;
