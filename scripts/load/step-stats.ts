/** What a load run measured, per step: count, errors, latency percentiles, and the table it prints. */

/** The value at percentile `p` (0..100) of ascending `sorted` values, by the nearest-rank method. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (p <= 0) return sorted[0]!;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export interface StepSummary {
  step: string;
  count: number;
  /** Completed per second over the run's duration, errors included. */
  perSecond: number;
  errors: number;
  /** errors / count, 0..1. */
  errorRate: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Records each step's outcomes; steps are reported in the order they were first seen. */
export class StepStats {
  private readonly steps = new Map<string, { latencies: number[]; errors: number; reasons: Map<string, number> }>();

  /** One outcome of `step`: its latency in ms, and the reason when it failed (e.g. `HTTP 502`). */
  record(step: string, ms: number, error?: string): void {
    let entry = this.steps.get(step);
    if (!entry) this.steps.set(step, (entry = { latencies: [], errors: 0, reasons: new Map() }));
    entry.latencies.push(ms);
    if (error !== undefined) {
      entry.errors++;
      entry.reasons.set(error, (entry.reasons.get(error) ?? 0) + 1);
    }
  }

  summary(durationMs: number): StepSummary[] {
    return [...this.steps].map(([step, { latencies, errors }]) => {
      const sorted = [...latencies].sort((a, b) => a - b);
      return {
        step,
        count: sorted.length,
        perSecond: sorted.length / (durationMs / 1000),
        errors,
        errorRate: sorted.length ? errors / sorted.length : 0,
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
      };
    });
  }

  /** Each failing step's reasons, most frequent first. */
  errorReasons(): { step: string; reason: string; count: number }[] {
    return [...this.steps].flatMap(([step, { reasons }]) => [...reasons].sort((a, b) => b[1] - a[1]).map(([reason, count]) => ({ step, reason, count })));
  }
}

/** The summary as an aligned text table. */
export function formatTable(rows: StepSummary[]): string {
  const ms = (value: number) => (Number.isNaN(value) ? '-' : value < 10 ? value.toFixed(1) : Math.round(value).toString());
  const header = ['step', 'count', 'per s', 'errors', 'error %', 'p50 ms', 'p95 ms', 'p99 ms'];
  const lines = rows.map((row) => [
    row.step,
    String(row.count),
    row.perSecond.toFixed(2),
    String(row.errors),
    (100 * row.errorRate).toFixed(1),
    ms(row.p50),
    ms(row.p95),
    ms(row.p99),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const format = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [format(header), ...lines.map(format)].join('\n');
}
