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
  });

  it('reads filter bounds as local dates or date-times', () => {
    expect(wallClockFilter('2026-08-01')).toEqual(new Date('2026-08-01T00:00:00.000Z'));
    expect(wallClockFilter('2026-08-01T18:30')).toEqual(new Date('2026-08-01T18:30:00.000Z'));
    expect(wallClockFilter('2026-08-01T18:30:15.250')).toEqual(new Date('2026-08-01T18:30:15.250Z'));
    expect(wallClockFilter('2026-08-01T18:30+02:00')).toBeUndefined();
    expect(wallClockFilter('2026-13-01')).toBeUndefined();
  });
});
