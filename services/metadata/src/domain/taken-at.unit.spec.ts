import { describe, expect, it } from 'vitest';
import { wallClockFilter, wallClockOf } from './taken-at.js';

describe('taken-at wall clock', () => {
  it('keeps the local fields of an EXIF time, with or without offset', () => {
    expect(wallClockOf('2026-08-14T18:02:11+02:00')).toEqual(new Date('2026-08-14T18:02:11.000Z'));
    expect(wallClockOf('2026-08-14T18:02:11')).toEqual(new Date('2026-08-14T18:02:11.000Z'));
    expect(wallClockOf('2026-08-14T18:02:11.5Z')).toEqual(new Date('2026-08-14T18:02:11.500Z'));
  });

  it('refuses times that do not exist', () => {
    expect(wallClockOf('2026-02-30T10:00:00')).toBeUndefined();
    expect(wallClockOf('0000-00-00T00:00:00')).toBeUndefined();
    expect(wallClockOf('2026-08-14T24:30:00')).toBeUndefined();
    expect(wallClockOf('yesterday')).toBeUndefined();
    expect(wallClockOf('2026-13-14T10:00:00')).toBeUndefined();
  });

  it('reads an EXIF time exactly, to the millisecond, and nothing around it', () => {
    expect(wallClockOf('2026-08-14T18:02:11.123456Z')).toEqual(new Date('2026-08-14T18:02:11.123Z'));
    expect(wallClockOf('x2026-08-14T18:02:11')).toBeUndefined();
    expect(wallClockOf('2026-08-14T18:02:11 or so')).toBeUndefined();
  });

  it('reads filter bounds as local dates or date-times', () => {
    expect(wallClockFilter('2026-08-01')).toEqual(new Date('2026-08-01T00:00:00.000Z'));
    expect(wallClockFilter('2026-08-01T18:30')).toEqual(new Date('2026-08-01T18:30:00.000Z'));
    expect(wallClockFilter('2026-08-01T18:30:15.250')).toEqual(new Date('2026-08-01T18:30:15.250Z'));
    expect(wallClockFilter('2026-08-01T18:30+02:00')).toBeUndefined();
    expect(wallClockFilter('2026-13-01')).toBeUndefined();
    expect(wallClockFilter('2026-08-01T18:30:15')).toEqual(new Date('2026-08-01T18:30:15.000Z'));
    // Valid EXIF times, but a filter bound has no offset, and no second date-time.
    expect(wallClockFilter('2026-08-01T18:30:15Z')).toBeUndefined();
    expect(wallClockFilter('2026-08-01T18:30:15T2026-08-01')).toBeUndefined();
  });
});
