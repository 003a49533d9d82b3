/** Child processes for the benchmarks (each on its own cores' share), and sampling their memory. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { ROOT } from './bench-kit.js';

/** `node --conditions=@photos/source --import tsx [nodeArgs] <file>`, run from the repository root. */
export function spawnTs(file: string, env: Record<string, string> = {}, nodeArgs: string[] = []): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=@photos/source', '--import', 'tsx', ...nodeArgs, file], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.once('exit', () => child.kill());
  return child;
}

/** The first line the child prints on stdout, parsed as JSON. */
export async function firstJsonLine<T>(child: ChildProcess): Promise<T> {
  for await (const line of createInterface({ input: child.stdout! })) return JSON.parse(line) as T;
  throw new Error('the child exited before printing anything');
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `url` until it answers 200 (or gives up after `timeoutMs`). */
export async function waitForOk(url: string, timeoutMs = 30_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`);
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Resident and peak-resident set size of a process, in bytes, from /proc/<pid>/status. */
export function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

/**
 * Samples a process' VmRSS every `everyMs` until stopped; the peak is the larger of the samples and VmHWM,
 * whose mark is reset at the start when the kernel lets us (`5 > /proc/<pid>/clear_refs`).
 */
export function sampleRss(pid: number, everyMs = 50): { stop(): { peak: number; hwmReset: boolean; samples: number } } {
  let hwmReset = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    hwmReset = false;
  }
  let peak = memoryOf(pid).rss;
  let samples = 1;
  const timer = setInterval(() => {
    peak = Math.max(peak, memoryOf(pid).rss);
    samples++;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const { rss, hwm } = memoryOf(pid);
      return { peak: Math.max(peak, rss, hwmReset ? hwm : 0), hwmReset, samples };
    },
  };
}
