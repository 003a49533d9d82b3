/**
 * HTTP load from a process of its own (the autocannon CLI), so the load generator's CPU is never
 * counted with, nor taken from, the processes measured; and CPU time per process from /proc.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './bench-kit.js';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on every Linux port we run on). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, all threads) a process has used so far, in microseconds, from /proc/<pid>/stat. */
export function cpuMicrosOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces, in parentheses): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / TICKS_PER_SECOND;
}

/** One run of the load generator, and the CPU each watched process spent during it. */
export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** CPU microseconds per request of each watched process (by the name given), and of the load generator. */
  cpuPerRequest: Record<string, number>;
}

/**
 * Runs `autocannon` as a child process against `url` for `seconds` with `connections`, reading the CPU
 * time of `watch` (name -> pid) right before it starts and right after it ends.
 */
export async function loadFromChild(options: {
  url: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
  /** Requests per second over all connections (autocannon -R); as fast as answered when absent. */
  rate?: number;
  watch: Record<string, number>;
}): Promise<LoadResult> {
  const args = [join(ROOT, 'node_modules', 'autocannon', 'autocannon.js'), '-j', '-n', '-c', String(options.connections), '-d', String(options.seconds)];
  if (options.rate !== undefined) args.push('-R', String(options.rate));
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}=${value}`);
  args.push(options.url);
  const before = Object.fromEntries(Object.entries(options.watch).map(([name, pid]) => [name, cpuMicrosOf(pid)]));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // The generator's own CPU, read just before it exits (a reaped process has no /proc entry).
  let generatorCpu = 0;
  const sampler = setInterval(() => {
    try {
      generatorCpu = cpuMicrosOf(child.pid!);
    } catch {
      // exited between two samples: the last sample stands
    }
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(sampler);
  const after = Object.fromEntries(Object.entries(options.watch).map(([name, pid]) => [name, cpuMicrosOf(pid)]));
  if (code !== 0) throw new Error(`autocannon exited with ${code}: ${stderr.slice(-2000)}`);
  const result = JSON.parse(stdout) as {
    requests: { total: number; average: number };
    latency: { p50: number; p90: number; p99: number };
    non2xx: number;
    errors: number;
  };
  const requests = Math.max(result.requests.total, 1);
  const cpuPerRequest: Record<string, number> = {};
  for (const name of Object.keys(options.watch)) cpuPerRequest[name] = (after[name]! - before[name]!) / requests;
  cpuPerRequest['load generator'] = generatorCpu / requests;
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    cpuPerRequest,
  };
}
