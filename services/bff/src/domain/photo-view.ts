import type { Photo, PhotoPage, StoredPhoto, StoredPhotoPage } from '@photos/api-contracts';

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

/**
 * What {@link pageJsonWithUrls} rewrites or looks for in metadata's page text: a variant's key
 * (`"thumb":{"key":"…"`, `"preview":{"key":"…"`), `"variants":null` or `{`, and `"originalKey":`. These
 * match only where the JSON has those keys: inside a string value every `"` is escaped, so `"…":` is a key.
 */
const PAGE_TOKENS = /"(thumb|preview)":\{"key":("(?:[^"\\]|\\.)*")|"variants":(null|\{)|"originalKey":/g;

/**
 * The public page's JSON from the text of metadata's page (StoredPhotoPage, compact JSON), without
 * parsing and serializing 50 photos again: the two shapes differ only in the variants (keys there, URLs
 * here; `null` there, `{}` here), so those are rewritten in the text, in one pass. The same answer as
 * {@link withUrls} on every item, field for field. Anything else (an `originalKey`, a variant whose key
 * does not come first) takes that slower path instead, and comes back as the page, for the serializer.
 */
export async function pageJsonWithUrls(stored: string, variantUrl: (key: string) => Promise<string>): Promise<string | PhotoPage> {
  // Text pieces, and in between the index of the URL that goes there.
  const out: (string | number)[] = [];
  const keys: string[] = [];
  let variantObjects = 0;
  let copied = 0;
  let plain = true;
  for (const match of stored.matchAll(PAGE_TOKENS)) {
    const [token, variant, key, variants] = match;
    if (variant !== undefined) {
      out.push(stored.slice(copied, match.index), `"${variant}":{"url":`, keys.length);
      keys.push(JSON.parse(key!) as string);
      copied = match.index + token.length;
    } else if (variants === 'null') {
      out.push(stored.slice(copied, match.index), '"variants":{}');
      copied = match.index + token.length;
    } else if (variants === '{') variantObjects++;
    else plain = false; // "originalKey":
  }
  if (!plain || keys.length !== 2 * variantObjects) {
    const page = JSON.parse(stored) as StoredPhotoPage;
    return { items: await Promise.all(page.items.map((photo) => withUrls(photo, variantUrl))), nextCursor: page.nextCursor };
  }
  out.push(stored.slice(copied));
  const urls = await Promise.all(keys.map(variantUrl));
  return out.map((part) => (typeof part === 'number' ? JSON.stringify(urls[part]) : part)).join('');
}
