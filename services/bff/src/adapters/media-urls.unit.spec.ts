import type { ObjectStore } from '@photos/object-store';
import { describe, expect, it } from 'vitest';
import { mediaUrls } from './media-urls.js';

const store = {} as ObjectStore;
const hour = 3600_000;

function parse(url: string) {
  const { pathname, searchParams } = new URL(url, 'http://bff');
  return { path: pathname.replace(/^\/media\//, ''), expires: Number(searchParams.get('expires')), signature: searchParams.get('signature') ?? '' };
}

describe('media URLs', () => {
  it('signs /media URLs that verify, stay the same within the hour and move on with it', async () => {
    let clock = Date.parse('2026-11-20T08:10:00.000Z');
    const media = mediaUrls({
      variants: store,
      originals: store,
      secret: 'media-test-secret-0123456789-0123456789',
      ttlSeconds: 3600,
      storeSigned: false,
      now: () => clock,
    });

    const first = await media.variant('variants/p1/thumb.webp');
    expect(await media.variant('variants/p1/thumb.webp')).toBe(first);
    const { path, expires, signature } = parse(first);
    expect(path).toBe('variants/variants/p1/thumb.webp');
    expect(media.verify(path, expires, signature)).toBe(true);
    expect(media.verify(path, expires + 3600, signature)).toBe(false);

    clock += hour;
    const next = parse(await media.variant('variants/p1/thumb.webp'));
    expect(next.expires).toBe(expires + 3600);
    expect(next.signature).not.toBe(signature);
    expect(media.verify(next.path, next.expires, next.signature)).toBe(true);
  });

  it('never hands out the URL of one bucket for the same key in the other', async () => {
    const media = mediaUrls({ variants: store, originals: store, secret: 'media-test-secret-0123456789-0123456789', ttlSeconds: 600, storeSigned: false });
    const original = parse(await media.original('originals/p1'));
    const variant = parse(await media.variant('originals/p1'));
    expect(original.path).toBe('originals/originals/p1');
    expect(variant.path).toBe('variants/originals/p1');
    expect(media.verify(original.path, original.expires, original.signature)).toBe(true);
    expect(media.verify(variant.path, variant.expires, variant.signature)).toBe(true);
    expect(variant.signature).not.toBe(original.signature);
  });
});
