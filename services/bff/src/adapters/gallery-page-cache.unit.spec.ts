import type { ObjectStore } from '@photos/object-store';
import { describe, expect, it } from 'vitest';
import { galleryPageCache } from './gallery-page-cache.js';
import { mediaUrls } from './media-urls.js';

const page = (text: string) => Buffer.from(text);
const minute = 60_000;

describe('gallery page cache', () => {
  it('keeps a page per subject and query, and hands it out only while its URLs are current', () => {
    let version = 1;
    const pages = galleryPageCache({ maxBytes: 1024, variantsVersion: () => version });
    const alice = pages.keyOf('alice', 'limit=50');
    pages.set(alice, '"e1"', page('alice page'), pages.version());
    expect(pages.get(alice)).toEqual({ etag: '"e1"', body: page('alice page'), version: 1 });
    // Another subject or another query: nothing kept.
    expect(pages.get(pages.keyOf('bob', 'limit=50'))).toBeUndefined();
    expect(pages.get(pages.keyOf('alice', 'limit=20'))).toBeUndefined();

    // The URLs moved on (the next hour's expiry): the page is dropped, not handed out.
    version = 2;
    expect(pages.get(alice)).toBeUndefined();
    version = 1;
    expect(pages.get(alice)).toBeUndefined();
    expect(pages.size).toBe(0);
  });

  it('bounds its bytes, the least recently used going first', () => {
    const pages = galleryPageCache({ maxBytes: 30, variantsVersion: () => 1 });
    pages.set('a', '"a"', page('a'.repeat(10)), 1);
    pages.set('b', '"b"', page('b'.repeat(10)), 1);
    pages.get('a');
    pages.set('c', '"c"', page('c'.repeat(15)), 1);
    expect(pages.get('b')).toBeUndefined();
    expect(pages.get('a')?.etag).toBe('"a"');
    expect(pages.get('c')?.etag).toBe('"c"');
    // Larger than the whole cache: not kept.
    pages.set('d', '"d"', page('d'.repeat(31)), 1);
    expect(pages.get('d')).toBeUndefined();
    // Kept again under the same key: replaced, counted once.
    pages.set('a', '"a2"', page('a'.repeat(10)), 1);
    expect(pages.get('a')?.etag).toBe('"a2"');
    expect(pages.size).toBe(2);
  });
});

describe('variantsVersion of media URLs', () => {
  const store = { signedUrl: async (key: string) => `https://s3.example/${key}?sig=1` } as unknown as ObjectStore;
  const options = { variants: store, originals: store, secret: 'media-test-secret-0123456789-0123456789', ttlSeconds: 3600 };

  it('moves exactly when signing again would give other /media URLs', async () => {
    let clock = Date.parse('2026-11-20T08:10:00.000Z');
    const media = mediaUrls({ ...options, storeSigned: false, now: () => clock });
    const version = media.variantsVersion();
    const url = await media.variant('variants/p1/thumb.webp');
    clock += 49 * minute;
    expect(media.variantsVersion()).toBe(version);
    expect(await media.variant('variants/p1/thumb.webp')).toBe(url);
    clock += 2 * minute;
    expect(media.variantsVersion()).not.toBe(version);
    expect(await media.variant('variants/p1/thumb.webp')).not.toBe(url);
  });

  it("moves every half TTL with the store's own URLs, so a page handed out has half their lifetime left at least", () => {
    let clock = Date.parse('2026-11-20T08:00:00.000Z');
    const media = mediaUrls({ ...options, storeSigned: true, now: () => clock });
    const version = media.variantsVersion();
    clock += 29 * minute;
    expect(media.variantsVersion()).toBe(version);
    clock += 2 * minute;
    expect(media.variantsVersion()).not.toBe(version);
  });
});
