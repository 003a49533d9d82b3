/** Small helpers shared by the benchmark scripts: flags, sample photos, timing, formatting. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const quick = process.argv.includes('--quick');
export const flag = (name: string): boolean => process.argv.includes(name);

/** Sample photos whose file name matches, as { name, bytes }, sorted by name (fetched on first use). */
export function samplePhotos(pattern: RegExp): { name: string; bytes: Buffer }[] {
  const dir = join(ROOT, '.cache', 'sample-photos');
  if (!existsSync(dir) || readdirSync(dir).length < 15) {
    execFileSync('bash', [join(ROOT, 'scripts', 'sample-photos.sh'), dir], { stdio: 'inherit' });
  }
  return readdirSync(dir)
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
}

/** Runs `fn` over `items` with at most `concurrency` at once, in order of the list. */
export async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Milliseconds `fn` takes. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Wall-clock and process CPU time (all threads: libvips works on libuv's pool) of one run, in ms. */
export interface Sample {
  wallMs: number;
  cpuMs: number;
}

async function sample(fn: () => Promise<unknown>): Promise<Sample> {
  const cpu = process.cpuUsage();
  const wallMs = await timed(fn);
  const { user, system } = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (user + system) / 1000 };
}

/**
 * A/B/B/A/A/B...: `rounds` pairs, the side that goes first alternating per pair, so drift (other tenants,
 * page cache, clock) hits both sides alike. Returns each side's samples, pair by pair.
 */
export async function alternate(rounds: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<{ a: Sample[]; b: Sample[] }> {
  const out = { a: [] as Sample[], b: [] as Sample[] };
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      out.a.push(await sample(a));
      out.b.push(await sample(b));
    } else {
      out.b.push(await sample(b));
      out.a.push(await sample(a));
    }
  }
  return out;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);
export const fmt = (value: number, digits = 1): string => value.toFixed(digits);
/** The machine's state, to judge the noise in a run: cores and the 1-minute load average right now. */
export const machine = (): string => `${availableParallelism()} cores, load ${loadavg()[0]!.toFixed(1)}`;
export const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
