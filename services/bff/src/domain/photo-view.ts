import type { Photo, StoredPhoto } from '@photos/api-contracts';

/**
 * The public Photo of a metadata photo: the same fields (metadata answers the shape the API shows), with
 * URLs for its variants, and the original's URL on the detail view. Nothing else is mapped here.
 */
export async function withUrls(photo: StoredPhoto, variantUrl: (key: string) => Promise<string>, originalUrl?: () => Promise<string>): Promise<Photo> {
  const variants: Photo['variants'] = {};
  if (photo.variants) {
    const { thumb, preview } = photo.variants;
    [variants.thumb, variants.preview] = await Promise.all(
      [thumb, preview].map(async ({ key, width, height }) => ({ url: await variantUrl(key), width, height })),
    );
  }
  // The original's key is the store's business: the public Photo gets a URL at most.
  const { originalKey: _key, ...shown } = photo;
  return { ...shown, variants, ...(originalUrl ? { originalUrl: await originalUrl() } : {}) };
}
