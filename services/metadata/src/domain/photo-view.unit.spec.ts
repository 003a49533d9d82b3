import { describe, expect, it } from 'vitest';
import { decodeCursor } from './page-cursor.js';
import { toPage } from './photo-page.js';
import { isVisible, PHOTO_STATUSES, type PhotoRecord, type VisiblePhoto } from './photo-record.js';
import { toPhotoDetail, toPhotoView } from './photo-view.js';

const variants = {
  thumb: { key: 'variants/p/thumb-aaaa.webp', width: 240, height: 320, bytes: 9_000, format: 'webp' as const },
  preview: { key: 'variants/p/preview-aaaa.jpeg', width: 1080, height: 1440, bytes: 200_000, format: 'jpeg' as const },
};

/** A visible record (its upload projected), ready unless told otherwise. */
const record = (overrides: Partial<PhotoRecord> = {}): VisiblePhoto =>
  ({
    id: '0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30',
    ownerId: 'alice',
    status: 'ready',
    filename: 'beach.jpg',
    contentType: 'image/jpeg',
    bytes: 123_456,
    sha256: 'a'.repeat(64),
    originalKey: 'originals/0b6c1f5e',
    width: 3024,
    height: 4032,
    takenAt: '2026-08-14T18:02:11+02:00',
    takenAtLocal: new Date('2026-08-14T18:02:11Z'),
    uploadedAt: new Date('2026-11-22T10:00:00.000Z'),
    placeholder: 'hash',
    dominantColor: '#6a7f4c',
    exif: { takenAt: '2026-08-14T18:02:11+02:00', cameraMake: 'Apple' },
    variants,
    failureCode: null,
    failureReason: null,
    statusEventTime: new Date('2026-11-22T10:00:05.000Z'),
    statusEventId: 'event-1',
    ...overrides,
  }) as VisiblePhoto;

describe('the API view of a photo', () => {
  it('shows the upload and processing facts, each variant by key and size, and nothing internal', () => {
    expect(toPhotoView(record())).toStrictEqual({
      id: '0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d30',
      status: 'ready',
      filename: 'beach.jpg',
      contentType: 'image/jpeg',
      bytes: 123_456,
      sha256: 'a'.repeat(64),
      width: 3024,
      height: 4032,
      takenAt: '2026-08-14T18:02:11+02:00',
      uploadedAt: '2026-11-22T10:00:00.000Z',
      placeholder: 'hash',
      dominantColor: '#6a7f4c',
      variants: {
        thumb: { key: 'variants/p/thumb-aaaa.webp', width: 240, height: 320 },
        preview: { key: 'variants/p/preview-aaaa.jpeg', width: 1080, height: 1440 },
      },
    });
  });

  it('shows no variants while processing, and why a failed photo failed', () => {
    expect(toPhotoView(record({ status: 'processing', variants: null }))).toMatchObject({ status: 'processing', variants: null });
    expect(toPhotoView(record({ status: 'processing' }))).not.toHaveProperty('failure');
    expect(toPhotoView(record({ status: 'failed', variants: null, failureCode: 'undecodable', failureReason: 'Truncated.' })).failure).toEqual({
      code: 'undecodable',
      reason: 'Truncated.',
    });
    expect(toPhotoView(record({ status: 'failed', variants: null })).failure).toEqual({ code: 'unknown', reason: '' });
  });

  it('adds the EXIF summary and the original key on the detail view only', () => {
    const detail = toPhotoDetail(record());
    expect(detail).toStrictEqual({ ...toPhotoView(record()), exif: record().exif, originalKey: 'originals/0b6c1f5e' });
    expect(toPhotoView(record())).not.toHaveProperty('exif');
    expect(toPhotoDetail(record({ originalKey: null, exif: null }))).toStrictEqual({ ...toPhotoView(record()), exif: null });
  });
});

describe('a page of photos', () => {
  const rows = ['1', '2', '3', '4'].map((n) => record({ id: `0b6c1f5e-8a3d-4d2e-9f71-2c4b8e6a1d3${n}`, uploadedAt: new Date(`2026-11-22T10:00:0${n}.000Z`) }));

  it('shows `limit` rows and points the next page right after the last one shown when the store found more', () => {
    const page = toPage(rows, 3);
    expect(page.items.map((photo) => photo.id)).toEqual([rows[0]!.id, rows[1]!.id, rows[2]!.id]);
    expect(page.items[0]).toStrictEqual(toPhotoView(rows[0]!));
    expect(decodeCursor(page.nextCursor!)).toEqual({ uploadedAt: rows[2]!.uploadedAt, id: rows[2]!.id });
  });

  it('has no next page when the store found no more than `limit` rows', () => {
    expect(toPage(rows, 4)).toEqual({ items: rows.map(toPhotoView), nextCursor: null });
    expect(toPage(rows.slice(0, 2), 3).nextCursor).toBeNull();
    expect(toPage([], 3)).toEqual({ items: [], nextCursor: null });
  });
});

describe('photo records', () => {
  it('are visible once every upload fact is known', () => {
    expect(isVisible(record())).toBe(true);
    for (const missing of ['uploadedAt', 'filename', 'contentType', 'bytes', 'sha256'] as const) {
      expect(isVisible(record({ [missing]: null })), missing).toBe(false);
    }
  });

  it('count every status, in a fixed order', () => {
    expect(PHOTO_STATUSES).toEqual(['processing', 'ready', 'failed']);
  });
});
