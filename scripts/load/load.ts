/**
 * npm run load — a load test of the whole platform through its public API, against any deployment by
 * URL (`--url`), or, without one, against the embedded platform (`npm start`), which it starts on a free
 * port with a fresh data folder and stops at the end. It runs in a process of its own: what it measures
 * is the platform's answer, not its own work.
 *
 * Each virtual user registers (202), logs in (Bearer token), opens its event stream, then loops until
 * the duration is over: upload a photo; wait until it is processed (its `photo.processed` on the stream);
 * browse the gallery (`--pages` pages of 50); open one of its photos (detail, original through its
 * redirect, thumbnail and preview at their signed URLs); now and then delete one; with a think time
 * between steps. Printed per step: count, throughput, errors and error rate, latency p50/p95/p99
 * (`processed` is the time from the upload's answer to the event saying it is ready).
 *
 * Against a deployment of your own, mind its rate limits: register/login per address
 * (RATE_LIMIT_AUTH_PER_MINUTE, 20 by default) and uploads per user (RATE_LIMIT_UPLOADS_PER_MINUTE, 120); a
 * 429 counts as an error of its step. The embedded platform this script starts allows 10 000 auth
 * requests a minute, since every virtual user comes from one address.
 *   npm run load -- --help
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT, samplePhotos } from '../bench/lib/bench-kit.js';
import { freePort } from '../bench/lib/processes.js';
import { parseLoadOptions, USAGE, type LoadOptions } from './load-options.js';
import { HttpError, PlatformClient, type PhotoView } from './platform-client.js';
import { formatTable, StepStats } from './step-stats.js';

interface Photo {
  name: string;
  bytes: Buffer;
}

async function loadPhotos(options: LoadOptions): Promise<{ photos: Photo[]; source: string }> {
  const pattern = /\.(jpe?g|webp)$/i;
  if (options.photos) {
    const photos = readdirSync(options.photos)
      .filter((name) => pattern.test(name))
      .map((name) => ({ name, bytes: readFileSync(join(options.photos!, name)) }));
    if (photos.length === 0) throw new Error(`no .jpg/.jpeg/.webp file in ${options.photos}`);
    return { photos, source: options.photos };
  }
  try {
    return { photos: samplePhotos(pattern), source: 'the sample photos (scripts/sample-photos.sh)' };
  } catch {
    // No apt mirror: photos made here, noise so that they compress like photographs.
    const { default: sharp } = await import('sharp');
    const photos = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => ({
        name: `generated-${i}.jpg`,
        bytes: await sharp({ create: { width: 2000, height: 1500, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
          .jpeg({ quality: 85 })
          .toBuffer(),
      })),
    );
    return { photos, source: '6 JPEGs generated with sharp (2000x1500)' };
  }
}

/** The embedded platform (what `npm start` runs) in a child process, on a free port and a fresh data folder. */
async function startEmbedded(): Promise<{ url: string; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'photos-load-'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'apps', 'embedded', 'start.mjs')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, RATE_LIMIT_AUTH_PER_MINUTE: '10000', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stopChild = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stopChild().finally(() => process.exit(130)));
  for await (const line of createInterface({ input: child.stdout! })) {
    const url = /running at (\S+)/.exec(line)?.[1];
    if (url) return { url: url.replace(/\/+$/, ''), stop: stopChild };
  }
  await stopChild();
  throw new Error('the embedded platform exited before it was ready');
}

const reasonOf = (error: unknown): string =>
  error instanceof HttpError ? `HTTP ${error.status}` : error instanceof Error ? error.message.slice(0, 80) : String(error);

/** The status changes one user's event stream brought, and the uploads waiting for theirs. */
class LiveStatus {
  private readonly seen = new Map<string, { type: string; at: number }>();
  private readonly waiting = new Map<string, (change: { type: string; at: number }) => void>();

  onChange = (type: string, photo: PhotoView): void => {
    if (type !== 'photo.processed' && type !== 'photo.processing-failed') return;
    const change = { type, at: performance.now() };
    const waiter = this.waiting.get(photo.id);
    if (waiter) waiter(change);
    else this.seen.set(photo.id, change);
  };

  /** The change that ended `id`'s processing (it may have come before the upload's answer was read), or undefined after `timeoutMs`. */
  async next(id: string, timeoutMs: number): Promise<{ type: string; at: number } | undefined> {
    const early = this.seen.get(id);
    if (early) {
      this.seen.delete(id);
      return early;
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.waiting.set(id, (change) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(change);
      });
    });
  }
}

async function main(): Promise<void> {
  const options = parseLoadOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const { photos, source } = await loadPhotos(options);
  const embedded = options.url ? undefined : await startEmbedded();
  const baseUrl = options.url ?? embedded!.url;
  const stats = new StepStats();
  const runId = randomUUID().slice(0, 8);
  const started = performance.now();
  const deadline = started + options.durationMs;
  const running = () => performance.now() < deadline;
  const think = () => new Promise((resolve) => setTimeout(resolve, options.thinkMs * (0.5 + Math.random())));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

  async function step<T>(name: string, fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    const start = performance.now();
    try {
      const value = await fn();
      stats.record(name, performance.now() - start);
      return { ok: true, value };
    } catch (error) {
      stats.record(name, performance.now() - start, reasonOf(error));
      return { ok: false };
    }
  }

  async function virtualUser(index: number): Promise<void> {
    const client = new PlatformClient(baseUrl, `load-${runId}-${index}@example.com`, `load ${runId} password ${index}`);
    if (!(await step('register', () => client.register())).ok) return;
    if (!(await step('login', () => client.login())).ok) return;
    const live = new LiveStatus();
    const abort = new AbortController();
    const stream = await step('open events', () => client.events(live.onChange, abort.signal));
    if (!stream.ok) return;
    const mine: string[] = [];
    // Each user uploads the photos in an order of its own, each once until all were: the same bytes
    // again would be a duplicate (the platform answers the photo the user has, and processes nothing).
    const order = [...photos];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let turn = 0; running(); turn++) {
      const photo = order[turn % order.length]!;
      const uploaded = await step('upload', () => client.upload(photo.name, photo.bytes));
      if (uploaded.ok && uploaded.value.duplicate) stats.record('upload was a duplicate', 0);
      else if (uploaded.ok) {
        const { id } = uploaded.value;
        const answeredAt = performance.now();
        const change = await live.next(id, options.processingTimeoutMs);
        const ms = change ? Math.max(0, change.at - answeredAt) : options.processingTimeoutMs;
        if (change?.type === 'photo.processed') {
          stats.record('processed', ms);
          mine.push(id);
        } else stats.record('processed', ms, change ? 'processing failed' : 'no event before the timeout');
      }
      await think();
      if (!running()) break;

      let cursor: string | undefined;
      for (let page = 0; page < options.pages; page++) {
        const answer = await step('gallery page', () => client.page(cursor));
        if (!answer.ok || !answer.value.nextCursor) break;
        cursor = answer.value.nextCursor;
      }
      await think();
      if (!running()) break;

      if (mine.length > 0) {
        const id = pick(mine);
        const detail = await step('photo detail', () => client.photo(id));
        await step('original', () => client.original(id));
        if (detail.ok) {
          const { thumb, preview } = detail.value.variants ?? {};
          if (thumb?.url) await step('thumbnail', () => client.variant(thumb.url));
          if (preview?.url) await step('preview', () => client.variant(preview.url));
        }
        await think();
      }

      if (mine.length > 0 && Math.random() < options.deleteRatio && running()) {
        const [victim] = mine.splice(Math.floor(Math.random() * mine.length), 1);
        await step('delete', () => client.delete(victim!));
        await think();
      }
    }
    abort.abort();
    await stream.value.closed;
  }

  const target = embedded ? `the embedded platform at ${baseUrl} (started by this script)` : baseUrl;
  console.log(
    `load: ${options.users} users for ${options.durationMs / 1000} s, think ${options.thinkMs} ms, ${options.pages} gallery pages per browse, ` +
      `delete ratio ${options.deleteRatio}; against ${target}; ${photos.length} photos from ${source}`,
  );
  try {
    await Promise.all(Array.from({ length: options.users }, (_, i) => virtualUser(i)));
  } finally {
    await embedded?.stop();
  }
  const elapsedMs = performance.now() - started;
  console.log(
    `${new Date().toISOString()}, ${(elapsedMs / 1000).toFixed(1)} s, ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), load ${loadavg()[0]!.toFixed(1)}`,
  );
  console.log(formatTable(stats.summary(elapsedMs)));
  const reasons = stats.errorReasons();
  if (reasons.length > 0) console.log(`errors: ${reasons.map(({ step, reason, count }) => `${step} ${reason} x${count}`).join('; ')}`);
  process.exitCode = reasons.length > 0 ? 1 : 0;
}

await main();
