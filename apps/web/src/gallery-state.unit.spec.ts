import { describe, expect, it } from 'vitest';
import { galleryReducer, initialGallery, type GalleryAction, type GalleryState } from './gallery-state';
import type { Photo } from './types';

const photo = (id: string, uploadedAt: string, extra: Partial<Photo> = {}): Photo => ({
  id,
  status: 'ready',
  filename: `${id}.jpg`,
  contentType: 'image/jpeg',
  bytes: 1000,
  sha256: `sha-${id}`,
  width: 400,
  height: 300,
  takenAt: null,
  uploadedAt,
  placeholder: null,
  dominantColor: null,
  variants: { thumb: { url: `/t/${id}`, width: 400, height: 300 } },
  ...extra,
});

const run = (...actions: GalleryAction[]): GalleryState => actions.reduce(galleryReducer, initialGallery);
const ids = (state: GalleryState) => state.items.map((p) => p.id);

describe('gallery state', () => {
  it('appends pages and keeps the cursor; a first-page refresh keeps the cursor we are at', () => {
    const first = { items: [photo('c', '2024-01-03T00:00:00Z'), photo('b', '2024-01-02T00:00:00Z')], nextCursor: 'p2' };
    const second = { items: [photo('a', '2024-01-01T00:00:00Z')], nextCursor: null };
    let state = run({ type: 'loaded', page: first, cursor: null }, { type: 'loaded', page: second, cursor: 'p2' });
    expect(ids(state)).toEqual(['c', 'b', 'a']);
    expect(state.nextCursor).toBeNull();
    state = galleryReducer(state, { type: 'loaded', page: { items: [photo('d', '2024-01-04T00:00:00Z'), first.items[0]!], nextCursor: 'x' }, cursor: null });
    expect(ids(state)).toEqual(['d', 'c', 'b', 'a']);
    expect(state.nextCursor).toBeNull();
  });

  it('puts an upload at the top as processing, then applies the live result without going back', () => {
    const uploaded = photo('n', '2024-02-01T00:00:00Z', { status: 'processing', variants: {} });
    let state = run(
      { type: 'loaded', page: { items: [photo('a', '2024-01-01T00:00:00Z')], nextCursor: null }, cursor: null },
      { type: 'upsert', photo: uploaded, insert: true },
    );
    expect(ids(state)).toEqual(['n', 'a']);
    expect(state.items[0]!.status).toBe('processing');
    state = galleryReducer(state, {
      type: 'upsert',
      photo: { id: 'n', status: 'ready', placeholder: 'abc', variants: { thumb: { url: '/t/n', width: 4, height: 3 } } },
      insert: false,
    });
    // A lagging list page still says processing: the live result stands.
    state = galleryReducer(state, { type: 'loaded', page: { items: [uploaded], nextCursor: null }, cursor: null });
    expect(state.items[0]).toMatchObject({ id: 'n', status: 'ready', placeholder: 'abc', filename: 'n.jpg', variants: { thumb: { url: '/t/n' } } });
  });

  it('keeps a live change that beat the upload answer, and applies it when the photo arrives', () => {
    const state = run(
      { type: 'upsert', photo: { id: 'n', status: 'failed', failure: { code: 'undecodable', reason: 'corrupt' } }, insert: false },
      { type: 'upsert', photo: photo('n', '2024-02-01T00:00:00Z', { status: 'processing', variants: {} }), insert: true },
    );
    expect(state.items).toHaveLength(1);
    expect(state.items[0]).toMatchObject({ status: 'failed', failure: { reason: 'corrupt' } });
    expect(state.pending).toEqual({});
  });

  it('removes deleted photos for good, unless uploaded again', () => {
    const a = photo('a', '2024-01-01T00:00:00Z');
    let state = run({ type: 'loaded', page: { items: [a], nextCursor: null }, cursor: null }, { type: 'remove', id: 'a' });
    expect(state.items).toEqual([]);
    state = galleryReducer(state, { type: 'loaded', page: { items: [a], nextCursor: null }, cursor: null });
    state = galleryReducer(state, { type: 'upsert', photo: { id: 'a', status: 'ready' }, insert: false });
    expect(state.items).toEqual([]);
    state = galleryReducer(state, { type: 'upsert', photo: a, insert: true, revive: true });
    expect(ids(state)).toEqual(['a']);
  });
});
