import { describe, expect, it } from 'vitest';
import { arrowTarget, groupByMonth, justifyRows, monthLabel, monthOf, timelineRows, type LayoutPhoto } from './gallery-layout';

const photo = (id: string, uploadedAt: string, takenAt: string | null = null, width = 400, height = 300): LayoutPhoto => ({
  id,
  uploadedAt,
  takenAt,
  width,
  height,
  variants: {},
});

describe('monthOf', () => {
  it('takes the month of the capture time on the camera’s wall clock, whatever its offset', () => {
    // 23:30 on 31 March in Tokyo is 14:30 UTC: still March, and still March for a viewer anywhere.
    expect(monthOf({ takenAt: '2024-03-31T23:30:00+09:00', uploadedAt: '2025-01-05T10:00:00Z' })).toBe('2024-03');
    expect(monthOf({ takenAt: '2024-04-01T00:10:00-07:00', uploadedAt: '2025-01-05T10:00:00Z' })).toBe('2024-04');
    expect(monthOf({ takenAt: '2019-12-24T18:00:00', uploadedAt: '2025-01-05T10:00:00Z' })).toBe('2019-12');
  });

  it('falls back to the upload time when there is no capture time or it is no date', () => {
    const uploaded = new Date(2025, 0, 15, 12).toISOString(); // mid-month: the same month in any zone
    expect(monthOf({ takenAt: null, uploadedAt: uploaded })).toBe('2025-01');
    expect(monthOf({ takenAt: '2026-02-30T10:00:00', uploadedAt: uploaded })).toBe('2025-01');
    expect(monthOf({ takenAt: '2026-13-01T10:00:00', uploadedAt: uploaded })).toBe('2025-01');
    expect(monthOf({ takenAt: '0000:00:00 00:00:00', uploadedAt: uploaded })).toBe('2025-01');
    expect(monthOf({ takenAt: null, uploadedAt: '' })).toBeNull();
    expect(monthOf({ takenAt: null, uploadedAt: 'soon' })).toBeNull();
  });
});

describe('monthLabel', () => {
  it('names the month and year', () => {
    expect(monthLabel('2024-03', 'en-US')).toBe('March 2024');
    expect(monthLabel('1999-12', 'en-US')).toBe('December 1999');
    expect(monthLabel(null, 'en-US')).toBe('Date unknown');
  });
});

describe('groupByMonth', () => {
  it('groups runs of consecutive photos of one month, in list order; a month split by another gets a header per run', () => {
    const list = [
      photo('a', '2025-05-04T10:00:00Z', '2024-03-02T10:00:00'),
      photo('b', '2025-05-03T10:00:00Z', '2024-03-01T10:00:00'),
      photo('c', '2025-05-02T10:00:00Z', '2019-07-01T10:00:00'), // an old photo uploaded late
      photo('d', '2025-05-01T10:00:00Z', '2024-03-01T09:00:00'),
      photo('e', '2025-04-30T10:00:00Z', '2024-02-28T09:00:00'),
    ];
    const groups = groupByMonth(list);
    expect(groups.map((group) => [group.month, group.photos.map((p) => p.id), group.start])).toEqual([
      ['2024-03', ['a', 'b'], 0],
      ['2019-07', ['c'], 2],
      ['2024-03', ['d'], 3],
      ['2024-02', ['e'], 4],
    ]);
    expect(groupByMonth([])).toEqual([]);
  });
});

describe('justifyRows', () => {
  it('fills each full row to the width at a height at most the target, and leaves the last row at the target', () => {
    // Ratios 1.5 at width 1000, gap 10, target 200: 3 tiles need (1000-20)/4.5 = 217.8 > 200, 4 tiles (1000-30)/6 = 161.7.
    const rows = justifyRows([1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1], 1000, 200, 10);
    expect(rows.map((row) => [row.start, row.end, row.height, row.full])).toEqual([
      [0, 4, 161, true],
      [4, 8, 161, true],
      [8, 9, 200, false],
    ]);
    expect(rows[0]!.widths).toEqual([242, 242, 242, 242]);
    expect(rows[2]!.widths).toEqual([200]);
  });

  it('puts a panorama alone on a narrow screen, and handles nothing', () => {
    expect(justifyRows([2, 0.5], 300, 200, 4).map((row) => [row.start, row.end, row.height])).toEqual([
      [0, 1, 150],
      [1, 2, 200],
    ]);
    expect(justifyRows([], 1000, 200, 4)).toEqual([]);
  });
});

describe('timelineRows', () => {
  const options = { width: 1000, targetHeight: 200, gap: 10, headerHeight: 48, locale: 'en-US' };

  it('puts a header before each month run, then its rows; tiles keep their list index; full rows end flush', () => {
    const list = [
      ...Array.from({ length: 5 }, (_, i) => photo(`m${i}`, `2025-05-0${9 - i}T10:00:00Z`, '2024-03-10T10:00:00', 600, 400)),
      ...Array.from({ length: 2 }, (_, i) => photo(`f${i}`, `2025-05-0${4 - i}T10:00:00Z`, '2024-02-10T10:00:00', 300, 300)),
    ];
    const rows = timelineRows(list, options);
    expect(rows.map((row) => (row.kind === 'month' ? row.label : row.tiles.map((tile) => tile.index)))).toEqual([
      'March 2024',
      [0, 1, 2, 3],
      [4],
      'February 2024',
      [5, 6],
    ]);
    const header = rows[0]!;
    const full = rows[1]!;
    const short = rows[2]!;
    expect(header).toMatchObject({ kind: 'month', month: '2024-03', height: 48 });
    // A row's height includes the gap below it; tiles of a full row plus the gaps are exactly the width.
    expect(full.height).toBe(161 + 10);
    if (full.kind !== 'photos' || short.kind !== 'photos') throw new Error('rows expected');
    expect(full.tiles.reduce((sum, tile) => sum + tile.width, 0) + 3 * 10).toBe(1000);
    expect(short.height).toBe(200 + 10);
    expect(short.tiles.map((tile) => tile.width)).toEqual([300]);
    expect(new Set(rows.map((row) => row.key)).size).toBe(rows.length);
  });

  it('lays out again for another width (fewer tiles per row on a phone)', () => {
    const list = Array.from({ length: 12 }, (_, i) => photo(`p${i}`, `2025-05-${String(20 - i).padStart(2, '0')}T10:00:00Z`, '2024-03-10T10:00:00', 400, 400));
    const wide = timelineRows(list, options).filter((row) => row.kind === 'photos');
    const narrow = timelineRows(list, { ...options, width: 360, targetHeight: 120 }).filter((row) => row.kind === 'photos');
    expect(wide.map((row) => row.kind === 'photos' && row.tiles.length)).toEqual([5, 5, 2]);
    expect(narrow.map((row) => row.kind === 'photos' && row.tiles.length)).toEqual([3, 3, 3, 3]);
    expect(timelineRows([], options)).toEqual([]);
  });
});

describe('arrowTarget', () => {
  const options = { width: 1000, targetHeight: 200, gap: 10, headerHeight: 48, locale: 'en-US' };
  // March: rows [0 1 2 3] [4]; February: [5 6] (see the timelineRows case above).
  const list = [
    ...Array.from({ length: 5 }, (_, i) => photo(`m${i}`, `2025-05-0${9 - i}T10:00:00Z`, '2024-03-10T10:00:00', 600, 400)),
    ...Array.from({ length: 2 }, (_, i) => photo(`f${i}`, `2025-05-0${4 - i}T10:00:00Z`, '2024-02-10T10:00:00', 300, 300)),
  ];
  const rows = timelineRows(list, options);

  it('moves to the previous or next photo, across rows and month headers', () => {
    expect(arrowTarget(rows, 1, 'ArrowRight', 10)).toEqual({ row: 1, index: 2 });
    expect(arrowTarget(rows, 3, 'ArrowRight', 10)).toEqual({ row: 2, index: 4 });
    expect(arrowTarget(rows, 4, 'ArrowRight', 10)).toEqual({ row: 4, index: 5 });
    expect(arrowTarget(rows, 5, 'ArrowLeft', 10)).toEqual({ row: 2, index: 4 });
    expect(arrowTarget(rows, 0, 'ArrowLeft', 10)).toBeUndefined();
    expect(arrowTarget(rows, 6, 'ArrowRight', 10)).toBeUndefined();
  });

  it('moves up and down to the nearest photo of the row above or below, skipping headers', () => {
    expect(arrowTarget(rows, 2, 'ArrowDown', 10)).toEqual({ row: 2, index: 4 });
    expect(arrowTarget(rows, 4, 'ArrowDown', 10)).toEqual({ row: 4, index: 5 });
    expect(arrowTarget(rows, 6, 'ArrowUp', 10)).toEqual({ row: 2, index: 4 });
    expect(arrowTarget(rows, 4, 'ArrowUp', 10)).toEqual({ row: 1, index: 0 });
    expect(arrowTarget(rows, 1, 'ArrowUp', 10)).toBeUndefined();
    expect(arrowTarget(rows, 99, 'ArrowUp', 10)).toBeUndefined();
    // Ten squares: two rows of five 192 px tiles; the one below the fourth is the ninth.
    const squares = timelineRows(
      Array.from({ length: 10 }, (_, i) => photo(`s${i}`, `2025-05-${String(20 - i).padStart(2, '0')}T10:00:00Z`, '2024-03-10T10:00:00', 300, 300)),
      options,
    );
    expect(arrowTarget(squares, 3, 'ArrowDown', 10)).toEqual({ row: 2, index: 8 });
    expect(arrowTarget(squares, 9, 'ArrowUp', 10)).toEqual({ row: 1, index: 4 });
  });
});
