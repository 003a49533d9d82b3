import { describe, expect, it } from 'vitest';
import { formatTable, percentile, StepStats } from './step-stats.js';

describe('load report: percentiles and the per-step summary', () => {
  it('takes percentiles by nearest rank', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect([50, 95, 99, 100].map((p) => percentile(hundred, p))).toEqual([50, 95, 99, 100]);
    const ten = [10, 20, 30, 40, 50, 60, 70, 80, 90, 1000];
    // p50 of 10 values is the 5th; p95 and p99 both round up to the 10th: the outlier shows.
    expect([percentile(ten, 50), percentile(ten, 95), percentile(ten, 99)]).toEqual([50, 1000, 1000]);
    // 0.95 x 11 = 10.45: the rank rounds up, to the 11th (rounding to the nearest would say the 10th).
    expect(
      percentile(
        Array.from({ length: 11 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(11);
    expect([percentile([7], 50), percentile([7], 99), percentile([3, 9], 0)]).toEqual([7, 7, 3]);
    expect(percentile([], 50)).toBeNaN();
  });

  it('sums each step: count, rate over the run, errors and their share, percentiles of every outcome', () => {
    const stats = new StepStats();
    for (let ms = 1; ms <= 20; ms++) stats.record('upload', ms * 10, ms % 10 === 0 ? 'HTTP 502' : undefined);
    stats.record('login', 300);
    const [upload, login] = stats.summary(4000);
    expect(upload).toEqual({ step: 'upload', count: 20, perSecond: 5, errors: 2, errorRate: 0.1, p50: 100, p95: 190, p99: 200 });
    expect(login).toMatchObject({ step: 'login', count: 1, errors: 0, errorRate: 0, p50: 300, p99: 300 });
    expect(stats.errorReasons()).toEqual([{ step: 'upload', reason: 'HTTP 502', count: 2 }]);
  });

  it('prints an aligned table, steps in the order first seen', () => {
    const stats = new StepStats();
    stats.record('register', 1234.4);
    stats.record('gallery page', 5.25, 'HTTP 500');
    const lines = formatTable(stats.summary(1000)).split('\n');
    expect(lines[0]).toMatch(/^step\s+count\s+per s\s+errors\s+error %\s+p50 ms\s+p95 ms\s+p99 ms$/);
    expect(lines[1]).toMatch(/^register\s+1\s+1\.00\s+0\s+0\.0\s+1234\s+1234\s+1234$/);
    expect(lines[2]).toMatch(/^gallery page\s+1\s+1\.00\s+1\s+100\.0\s+5\.3\s+5\.3\s+5\.3$/);
    expect(new Set(lines.map((line) => line.length)).size).toBe(1);
  });
});
