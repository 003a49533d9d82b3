import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ObjectStore } from '@photos/object-store';

/**
 * What a /media URL this module signs looks like; anything else is refused (400) before any lookup.
 * Keys: segments of letters, digits, `.`, `_`, `-` (ids, hashes, variant names), never `.` or `..`, no
 * empty segment, no NUL or other byte a store could read as a path. Signatures: a base64url HMAC-SHA256.
 * Expiries: seconds since 1970, up to the year 2286.
 */
export const MEDIA_KEY_PATTERN = String.raw`^(?!(.*/)?\.{1,2}(/|$))[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$`;
export const MEDIA_KEY_MAX_LENGTH = 512;
export const MEDIA_SIGNATURE_PATTERN = '^[A-Za-z0-9_-]{43}$';
export const MEDIA_EXPIRES_MAX = 9_999_999_999;

/** How many signed /media URLs of the current expiry are kept per bucket (about 300 bytes each). */
const SIGNED_URLS_REMEMBERED = 20_000;

/**
 * URLs an <img> can load without an Authorization header. When browsers can reach the S3 store they are
 * its presigned URLs; otherwise (the filesystem, or an S3 store inside a private network) they point at
 * the BFF's /media route, signed here with
 * HMAC and an expiry rounded to the hour, so one URL stays the same (and cacheable) for a while.
 */
export function mediaUrls(options: {
  variants: ObjectStore;
  originals: ObjectStore;
  secret: string;
  ttlSeconds: number;
  /** Hand out the store's own signed URLs; only when browsers can reach the store (S3_PUBLIC_ENDPOINT). */
  storeSigned: boolean;
  now?: () => number;
}) {
  const now = options.now ?? Date.now;
  const key = createHmac('sha256', options.secret).update('media-urls').digest();
  const sign = (path: string, expires: number) => createHmac('sha256', key).update(`${path}\n${expires}`).digest('base64url');

  // A URL is the same for a whole hour, and a gallery page shows the same ones again and again: the
  // URLs of the current expiry are remembered (bounded), so an HMAC is computed once per key and hour.
  let rememberedExpires = 0;
  const remembered = { variants: new Map<string, string>(), originals: new Map<string, string>() };

  const hour = 3600;
  const currentExpires = () => Math.ceil((now() / 1000 + options.ttlSeconds) / hour) * hour;

  function local(bucket: 'variants' | 'originals', objectKey: string): string {
    const expires = currentExpires();
    const urls = remembered[bucket];
    if (expires !== rememberedExpires) {
      remembered.variants.clear();
      remembered.originals.clear();
      rememberedExpires = expires;
    } else if (urls.size >= SIGNED_URLS_REMEMBERED) urls.clear();
    let url = urls.get(objectKey);
    if (url === undefined) {
      const path = `${bucket}/${objectKey}`;
      url = `/media/${path}?expires=${expires}&signature=${sign(path, expires)}`;
      urls.set(objectKey, url);
    }
    return url;
  }

  return {
    async variant(objectKey: string): Promise<string> {
      const signed = options.storeSigned ? await options.variants.signedUrl(objectKey, options.ttlSeconds) : undefined;
      return signed ?? local('variants', objectKey);
    },
    /** `objectKey` as photo.uploaded named it (metadata keeps it): the originals bucket's layout is the upload service's. */
    async original(objectKey: string): Promise<string> {
      const signed = options.storeSigned ? await options.originals.signedUrl(objectKey, Math.min(options.ttlSeconds, 600)) : undefined;
      return signed ?? local('originals', objectKey);
    },
    /**
     * Changes when variant URLs signed earlier may no longer be handed out: text holding them (a gallery
     * page kept by the BFF) is reused only while this is the same. /media URLs: their hour-rounded expiry,
     * so what is reused is exactly what signing again would give. The store's own URLs expire TTL after
     * signing: reused for half their lifetime, so a page handed out still has at least half of it left.
     */
    variantsVersion(): number {
      return options.storeSigned ? Math.floor(now() / ((options.ttlSeconds * 1000) / 2)) : currentExpires();
    },
    /** True when a /media URL is genuine and not expired. */
    verify(path: string, expires: number, signature: string): boolean {
      if (!Number.isInteger(expires) || expires * 1000 < now()) return false;
      const expected = Buffer.from(sign(path, expires));
      const given = Buffer.from(signature);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}

export type MediaUrls = ReturnType<typeof mediaUrls>;
