import { describe, expect, it } from 'vitest';
import { at, deleted, newPhotoId, processed, processingFailed, uploaded } from '../test-support/photo-events.js';
import { projectEvent, type ProjectedEvent, type StoredPhoto } from './photo-projection.js';

const t0 = new Date('2026-11-22T10:00:00.000Z');
const empty: StoredPhoto = { record: undefined, tombstone: undefined };

/** Applies events in order, as the store does, and returns what is stored at the end. */
function replay(events: ProjectedEvent[], start: StoredPhoto = empty): StoredPhoto {
  return events.reduce<StoredPhoto>((stored, event) => {
    const projection = projectEvent(stored, event);
    if (projection.kind === 'save') return { record: projection.record, tombstone: undefined };
    if (projection.kind === 'delete') return { record: undefined, tombstone: projection.tombstone };
    return stored;
  }, start);
}

describe('photo projection', () => {
  const id = newPhotoId();
  const up = uploaded(id, 'alice', { uploadedAt: t0.toISOString(), filename: 'beach.jpg' }, { time: t0 });
  const done = processed(id, 'alice', {}, { time: at(t0, 5) });
  const failed = processingFailed(id, 'alice', { time: at(t0, 5) });

  it('uploaded makes a processing record; processed makes it ready with all its data', () => {
    const afterUpload = replay([up]).record!;
    expect(afterUpload).toMatchObject({
      id,
      ownerId: 'alice',
      status: 'processing',
      filename: 'beach.jpg',
      originalKey: `originals/${id}`,
      uploadedAt: t0,
      width: null,
      variants: null,
    });
    const ready = replay([up, done]).record!;
    expect(ready).toMatchObject({
      status: 'ready',
      filename: 'beach.jpg',
      width: 3024,
      height: 4032,
      placeholder: '1QcSHQRnh493V4dIh4eXh1h4kJUI',
      dominantColor: '#6a7f4c',
      takenAt: '2026-08-14T18:02:11+02:00',
      takenAtLocal: new Date('2026-08-14T18:02:11.000Z'),
      statusEventId: done.id,
    });
    expect(ready.variants?.thumb.key).toBe(done.data.variants.thumb.key);
  });

  it('processing-failed makes it failed with the reason', () => {
    expect(replay([up, failed]).record).toMatchObject({ status: 'failed', failureCode: 'undecodable', failureReason: 'The file is a truncated JPEG.' });
  });

  it('ends ready when processed arrives before uploaded, with the upload facts filled in later', () => {
    const early = replay([done]).record!;
    expect(early).toMatchObject({ status: 'ready', uploadedAt: null, filename: null });
    expect(replay([done, up]).record).toEqual(replay([up, done]).record);
  });

  it('changes nothing when the same event comes twice', () => {
    for (const event of [up, done, failed]) {
      const once = replay([event]);
      expect(projectEvent(once, event)).toEqual({ kind: 'skip', reason: 'duplicate' });
    }
    const gone = replay([up, deleted(id, 'alice')]);
    expect(projectEvent(gone, deleted(id, 'alice'))).toEqual({ kind: 'skip', reason: 'duplicate' });
  });

  it('never lets an older status event overwrite a newer one, whatever the arrival order', () => {
    const olderFailure = processingFailed(id, 'alice', { time: at(t0, 2) });
    const newerSuccess = processed(id, 'alice', {}, { time: at(t0, 9) });
    expect(replay([up, newerSuccess, olderFailure]).record?.status).toBe('ready');
    expect(replay([up, olderFailure, newerSuccess]).record?.status).toBe('ready');
    expect(projectEvent(replay([up, newerSuccess]), olderFailure)).toEqual({ kind: 'skip', reason: 'stale' });
    // A re-published uploaded (outbox retry) after processing never takes the photo back to processing.
    const again = uploaded(id, 'alice', { uploadedAt: t0.toISOString() }, { time: at(t0, 60) });
    expect(replay([up, newerSuccess, again]).record?.status).toBe('ready');
  });

  it('breaks a tie of equal times by event id, the same way on every replica', () => {
    const a = processed(id, 'alice', {}, { time: at(t0, 3), id: 'a-event' });
    const b = processingFailed(id, 'alice', { time: at(t0, 3), id: 'b-event' });
    expect(replay([up, a, b]).record?.status).toBe('failed');
    expect(replay([up, b, a]).record?.status).toBe('failed');
    expect(projectEvent(replay([up, b]), a)).toEqual({ kind: 'skip', reason: 'stale' });
  });

  it('refuses an event type it has no projection for, loudly', () => {
    const renamed = { ...up, type: 'photo.renamed.v1' } as unknown as ProjectedEvent;
    expect(() => projectEvent(replay([up]), renamed)).toThrow('no projection for photo.renamed.v1');
  });

  it('keeps a deleted photo deleted when late events arrive', () => {
    const gone = replay([up, deleted(id, 'alice', { time: at(t0, 1) })]);
    expect(gone).toMatchObject({ record: undefined, tombstone: { photoId: id, ownerId: 'alice' } });
    for (const late of [up, done, failed]) expect(projectEvent(gone, late)).toEqual({ kind: 'skip', reason: 'deleted' });
    // Deleted before anything else arrived: the tombstone still wins.
    expect(replay([deleted(id, 'alice'), up, done])).toMatchObject({ record: undefined, tombstone: { photoId: id } });
  });

  it("ignores an event that names another owner than the stored photo's", () => {
    const stored = replay([up]);
    expect(projectEvent(stored, processed(id, 'mallory'))).toEqual({ kind: 'skip', reason: 'owner-mismatch' });
    expect(projectEvent(stored, deleted(id, 'mallory'))).toEqual({ kind: 'skip', reason: 'owner-mismatch' });
  });

  it('stores no wall-clock time for an unparsable EXIF time but keeps the text', () => {
    const odd = processed(id, 'alice', { exif: { takenAt: '2026-02-30T10:00:00' } }, { time: at(t0, 5) });
    expect(replay([up, odd]).record).toMatchObject({ takenAt: '2026-02-30T10:00:00', takenAtLocal: null });
  });
});
