import type { StoredPhoto } from '@photos/api-contracts';
import { describe, expect, it } from 'vitest';
import { pageJsonWithUrls, withUrls } from './photo-view.js';

const stored = (overrides: Partial<StoredPhoto> = {}): StoredPhoto => ({
  id: '5f0c6a52-5d0e-4f55-9a43-8d7f1c1e2b3a',
  status: 'ready',
  filename: 'cat.jpg',
  contentType: 'image/jpeg',
  bytes: 1234,
  sha256: 'ab'.repeat(32),
  width: 640,
  height: 480,
  takenAt: null,
  uploadedAt: '2030-01-01T00:00:00.000Z',
  placeholder: null,
  dominantColor: '#112233',
  variants: { thumb: { key: 'variants/p/thumb.webp', width: 250, height: 188 }, preview: { key: 'variants/p/preview.jpeg', width: 1440, height: 1080 } },
  ...overrides,
});
const signed = async (key: string) => `https://media.example/${key}?sig=1`;

describe('withUrls', () => {
  it('replaces each variant key by its signed URL and keeps every other field', async () => {
    const { variants: _, ...fields } = stored();
    expect(await withUrls(stored(), signed)).toEqual({
      ...fields,
      variants: {
        thumb: { url: 'https://media.example/variants/p/thumb.webp?sig=1', width: 250, height: 188 },
        preview: { url: 'https://media.example/variants/p/preview.jpeg?sig=1', width: 1440, height: 1080 },
      },
    });
  });

  it('shows no variants before processing, and never the original key; the detail view gets its URL', async () => {
    const photo = stored({ status: 'processing', variants: null, originalKey: 'originals/secret-key' });
    const listed = await withUrls(photo, signed);
    expect(listed.variants).toEqual({});
    expect(listed).not.toHaveProperty('originalKey');
    expect(listed).not.toHaveProperty('originalUrl');
    const detail = await withUrls(photo, signed, async () => 'https://media.example/original?sig=2');
    expect(detail.originalUrl).toBe('https://media.example/original?sig=2');
    expect(detail).not.toHaveProperty('originalKey');
  });
});

describe('pageJsonWithUrls', () => {
  const page = (items: StoredPhoto[], nextCursor: string | null = 'next-page') => JSON.stringify({ items, nextCursor });
  /** What the route answered before: the parsed page, each item through withUrls, serialized again. */
  const parsedPath = async (text: string) => {
    const { items, nextCursor } = JSON.parse(text) as { items: StoredPhoto[]; nextCursor: string | null };
    return JSON.stringify({ items: await Promise.all(items.map((photo) => withUrls(photo, signed))), nextCursor });
  };

  it('answers the text withUrls would, field for field and in order, for ready, processing and failed photos', async () => {
    const text = page([
      stored(),
      stored({ id: '6a1d0c52-5d0e-4f55-9a43-8d7f1c1e2b3a', status: 'processing', variants: null, width: null, height: null }),
      stored({ id: '7b2e1d63-5d0e-4f55-9a43-8d7f1c1e2b3a', status: 'failed', variants: null, failure: { code: 'undecodable', reason: 'not an image' } }),
    ]);
    const answer = await pageJsonWithUrls(text, signed);
    expect(typeof answer).toBe('string');
    expect(answer).toBe(await parsedPath(text));
  });

  it('is not fooled by file names that look like the JSON it rewrites', async () => {
    const tricky = ['"variants":null', '"thumb":{"key":"originals/secret"', 'a\\"b\\\\', '"originalKey":"x"', 'ünïcødé 📷 \u2028'].map((filename, n) =>
      stored({ id: `00000000-0000-4000-8000-00000000000${n}`, filename }),
    );
    const text = page(tricky, null);
    const answer = await pageJsonWithUrls(text, signed);
    expect(answer).toBe(await parsedPath(text));
    expect(JSON.parse(answer as string).items.map((p: { filename: string }) => p.filename)).toEqual(tricky.map((p) => p.filename));
  });

  it('signs keys written with JSON escapes as the keys they are', async () => {
    const text = page([stored()]).replace('variants/p/thumb.webp', 'variants\\/p\\/thumb.webp');
    expect(JSON.parse((await pageJsonWithUrls(text, signed)) as string).items[0].variants.thumb.url).toBe('https://media.example/variants/p/thumb.webp?sig=1');
  });

  it('never passes an original key on: a page that carries one takes the parsed path, which drops it', async () => {
    const text = page([stored({ originalKey: 'originals/secret-key' })]);
    const answer = await pageJsonWithUrls(text, signed);
    expect(typeof answer).toBe('object');
    expect(JSON.stringify(answer)).not.toContain('secret-key');
    expect(answer).toEqual(JSON.parse(await parsedPath(text)));
  });

  it('takes the parsed path when a variant does not start with its key', async () => {
    const text = page([stored()]).replace(
      '{"key":"variants/p/thumb.webp","width":250,"height":188}',
      '{"width":250,"height":188,"key":"variants/p/thumb.webp"}',
    );
    const answer = await pageJsonWithUrls(text, signed);
    expect(typeof answer).toBe('object');
    expect(answer).toEqual(JSON.parse(await parsedPath(text)));
  });
});
