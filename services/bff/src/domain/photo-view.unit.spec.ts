import type { StoredPhoto } from '@photos/api-contracts';
import { describe, expect, it } from 'vitest';
import { withUrls } from './photo-view.js';

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
