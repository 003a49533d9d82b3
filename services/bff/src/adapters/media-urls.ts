import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ObjectStore } from '@photos/object-store';

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

  function local(bucket: 'variants' | 'originals', objectKey: string): string {
    const hour = 3600;
    const expires = Math.ceil((now() / 1000 + options.ttlSeconds) / hour) * hour;
    const path = `${bucket}/${objectKey}`;
    return `/media/${path}?expires=${expires}&signature=${sign(path, expires)}`;
  }

  return {
    async variant(objectKey: string): Promise<string> {
      const signed = options.storeSigned ? await options.variants.signedUrl(objectKey, options.ttlSeconds) : undefined;
      return signed ?? local('variants', objectKey);
    },
    async original(photoId: string): Promise<string> {
      const objectKey = `originals/${photoId}`;
      const signed = options.storeSigned ? await options.originals.signedUrl(objectKey, Math.min(options.ttlSeconds, 600)) : undefined;
      return signed ?? local('originals', objectKey);
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
