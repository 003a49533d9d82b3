/**
 * bench:soak — memory over a long run: does RSS stay flat across thousands of photos?
 *
 * Part 1, multi-process (lib/soak-platforms.ts): upload, processor, metadata and BFF as separate Node processes
 * over RabbitMQ, Postgres, Redis and s3rver. Part 2, embedded: `npm start` (the four services in one process).
 * Each part pushes `--photos` real photos (the 15 sample JPEGs in turn; `--webp` adds the 14 WebPs) through
 * the BFF's public API as browsers would: a new account every cycle of the sample set (the upload service
 * dedupes per owner), one file per POST /api/photos, two uploads at a time, at most WINDOW photos not yet
 * ready, each user's gallery polled until its photos are ready.
 * At start, after warm-up (10% of the photos), in the middle and at the end, uploads pause until every
 * photo is ready, then each process' VmRSS (/proc/<pid>/status) is read 1 s later and once idle
 * (`--settle`, default 30 s: allocators and V8 give freed memory back on timers), with its V8 heap and
 * external memory from its /metrics (prom-client); RSS sampled every 250 ms gives the maximum under load
 * in between.
 * Goals: the processor's RSS grows <= 15% from warm-up to end; the embedded process ends under 500 MB.
 *   npm run bench:soak [-- --photos 2000] [--only multi|embedded] [--max-minutes 40] [--settle 30] [--webp]
 *                      [--allocator image|system] [--embedded-entry FILE]
 * `--max-minutes` bounds each part: when reached, uploads stop and the end is measured where it is.
 * `--embedded-entry FILE` runs `node --import tsx FILE` instead of `npm start` (to compare a variant).
 * `--allocator image` (default) runs the services as the Docker image does (jemalloc, when this machine
 * has it) and `npm start` as it chooses; `--allocator system` gives both glibc's defaults.
 */
import { fmt, machine, samplePhotos } from './lib/bench-kit.js';
import { chunked, postMultipart } from './lib/multipart.js';
import { memoryOf } from './lib/processes.js';
import { startEmbedded, startMultiProcess, type Platform, type ServiceProcess } from './lib/soak-platforms.js';

const option = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(name);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1]! : fallback;
};
const TOTAL = Number(option('--photos', '2000'));
const ONLY = option('--only', 'both');
const EMBEDDED_ENTRY = option('--embedded-entry', '');
const ALLOCATOR = option('--allocator', 'image');
const SETTLE_MS = Number(option('--settle', '30')) * 1000;
const MAX_MS = Number(option('--max-minutes', '40')) * 60_000;
const WARM_UP = Math.max(20, Math.round(TOTAL * 0.1));
const UPLOADERS = 2;
const WINDOW = 8;
const MiB = 2 ** 20;
const PROCESSOR_GROWTH_GOAL = 0.15;
const EMBEDDED_GOAL_BYTES = 500e6;
const photos = samplePhotos(process.argv.includes('--webp') ? /\.(jpe?g|webp)$/i : /\.jpe?g$/i);
const met = (ok: boolean): string => (ok ? 'MET' : 'MISS');
if (!Number.isInteger(TOTAL) || TOTAL < 20 || !['both', 'multi', 'embedded'].includes(ONLY) || (ALLOCATOR !== 'image' && ALLOCATOR !== 'system')) {
  console.error(
    'usage: npm run bench:soak -- [--photos N>=20] [--only multi|embedded] [--max-minutes M] [--settle S] [--webp]' +
      ' [--allocator image|system] [--embedded-entry FILE]',
  );
  process.exit(2);
}

interface Memory {
  /** Once idle: SETTLE_MS after the last photo was ready (allocators return freed pages on timers). */
  rss: number;
  /** One second after the last photo was ready. */
  rssAfter1s: number;
  /** The largest RSS sampled (every 250 ms) since the previous checkpoint, under load. */
  maxSinceLast: number;
  heapUsed: number;
  external: number;
}
interface Checkpoint {
  label: string;
  photos: number;
  memory: Map<string, Memory>;
}

async function memoryOfService(service: ServiceProcess, rssAfter1s: number, maxSinceLast: number): Promise<Memory> {
  const text = await fetch(service.metricsUrl).then(
    (r) => r.text(),
    () => '',
  );
  const metric = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
  const { rss } = memoryOf(service.pid);
  return {
    rss,
    rssAfter1s,
    maxSinceLast: Math.max(rssAfter1s, maxSinceLast),
    heapUsed: metric('nodejs_heap_size_used_bytes'),
    external: metric('nodejs_external_memory_bytes'),
  };
}

/** Drives one platform through TOTAL photos, pausing at the checkpoints to read every process' memory. */
async function soak(title: string, platform: Platform): Promise<Checkpoint[]> {
  const pending = new Map<string, string>(); // photo id -> its owner's token
  let uploaded = 0;
  let ready = 0;
  let failed = 0;
  const owners = new Map<number, Promise<string>>(); // cycle of the sample set -> its owner's token
  let failure: unknown;
  const started = performance.now();
  const elapsed = () => performance.now() - started;

  const register = async (cycle: number): Promise<string> => {
    // Register answers no token (and the same for a taken email): log in next.
    const credentials = JSON.stringify({ email: `soak-${cycle}-${Date.now()}@example.com`, password: 'a soak test password' });
    const send = (path: string) => fetch(`${platform.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: credentials });
    const registered = await send('/api/auth/register');
    if (registered.status !== 202) throw new Error(`register answered ${registered.status}: ${await registered.text()}`);
    const response = await send('/api/auth/login');
    if (response.status !== 200) throw new Error(`login answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { accessToken: string }).accessToken;
  };
  const ownerOf = (cycle: number): Promise<string> => {
    if (!owners.has(cycle)) owners.set(cycle, register(cycle));
    return owners.get(cycle)!;
  };

  // Every 200 ms, each owner with photos in flight reads its newest page, as a gallery would.
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const owners = new Set(pending.values());
      for (const owner of owners) {
        const response = await fetch(`${platform.url}/api/photos?limit=50`, { headers: { authorization: `Bearer ${owner}` } });
        if (!response.ok) throw new Error(`GET /api/photos answered ${response.status}`);
        for (const item of ((await response.json()) as { items: { id: string; status: string }[] }).items) {
          if (!pending.has(item.id) || item.status === 'processing') continue;
          pending.delete(item.id);
          if (item.status === 'ready') ready++;
          else failed++;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })().catch((error: unknown) => (failure = error));

  const uploadUntil = async (target: number) => {
    const worker = async () => {
      while (uploaded < target && elapsed() < MAX_MS && failure === undefined) {
        if (pending.size >= WINDOW) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          continue;
        }
        const index = uploaded++;
        const photo = photos[index % photos.length]!;
        const token = await ownerOf(Math.floor(index / photos.length));
        const { status, body } = await postMultipart(`${platform.url}/api/photos`, token, {
          name: photo.name,
          size: photo.bytes.length,
          chunks: () => chunked(photo.bytes),
        });
        if (status !== 202) throw new Error(`POST /api/photos answered ${status}: ${body.slice(0, 300)}`);
        pending.set((JSON.parse(body) as { photos: { id: string }[] }).photos[0]!.id, token);
        if (Math.floor(((index + 1) * 20) / TOTAL) !== Math.floor((index * 20) / TOTAL)) void progress();
      }
    };
    await Promise.all(Array.from({ length: UPLOADERS }, worker)).catch((error: unknown) => (failure ??= error));
  };

  const quiesce = async () => {
    const deadline = performance.now() + 300_000;
    while (pending.size > 0 && failure === undefined && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    if (pending.size > 0) throw new Error(`${pending.size} photo(s) not ready after 5 minutes`);
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const maxima = new Map(platform.processes.map((p) => [p.name, 0]));
  const sampler = setInterval(() => {
    for (const p of platform.processes) maxima.set(p.name, Math.max(maxima.get(p.name)!, memoryOf(p.pid).rss));
  }, 250);
  const checkpoints: Checkpoint[] = [];
  const measure = async (label: string) => {
    await quiesce();
    if (failure) throw failure;
    await sleep(1000);
    const after1s = new Map(platform.processes.map((p) => [p.name, memoryOf(p.pid).rss]));
    await sleep(Math.max(0, SETTLE_MS - 1000));
    const memory = new Map(
      await Promise.all(platform.processes.map(async (p) => [p.name, await memoryOfService(p, after1s.get(p.name)!, maxima.get(p.name)!)] as const)),
    );
    for (const name of maxima.keys()) maxima.set(name, 0);
    checkpoints.push({ label, photos: ready + failed, memory });
    const row = [...memory].map(
      ([name, m]) =>
        `${name} ${fmt(m.rss / MiB, 0)} MiB (1 s: ${fmt(m.rssAfter1s / MiB, 0)}, max ${fmt(m.maxSinceLast / MiB, 0)};` +
        ` heap ${fmt(m.heapUsed / MiB, 0)}, external ${fmt(m.external / MiB, 0)})`,
    );
    console.log(`  ${label.padEnd(13)} ${String(ready + failed).padStart(5)} photos   ${row.join('   ')}`);
  };
  const progress = () => {
    const rss = platform.processes.map((p) => `${p.name} ${fmt(memoryOf(p.pid).rss / MiB, 0)}`).join(', ');
    const rate = (ready + failed) / (elapsed() / 1000);
    const minutes = fmt(elapsed() / 60_000, 1);
    const done = `${ready + failed} done, ${fmt(rate, 2)} photos/s, ${minutes} min`;
    console.log(`    ${String(uploaded).padStart(5)}/${TOTAL} uploaded, ${done}   RSS MiB: ${rss}`);
  };

  console.log(
    `${title}: ${TOTAL} photos (${photos.length} sample photos in turn), ${UPLOADERS} uploads at a time,` + ` at most ${WINDOW} in flight, ${machine()}`,
  );
  console.log(`  allocator: ${platform.allocator}`);
  await new Promise((resolve) => setTimeout(resolve, 2000)); // start-up garbage collected before "start"
  await measure('start');
  for (const [label, target] of [
    ['after warm-up', WARM_UP],
    ['middle', Math.round(TOTAL / 2)],
    ['end', TOTAL],
  ] as const) {
    await uploadUntil(target);
    if (failure) throw failure;
    await measure(label);
    if (elapsed() >= MAX_MS) {
      console.log(`  time bound (--max-minutes ${MAX_MS / 60_000}) reached after ${uploaded} photos: the last checkpoint stands for the end`);
      if (label !== 'end') checkpoints.push({ ...checkpoints.at(-1)!, label: 'end' });
      break;
    }
  }
  polling = false;
  clearInterval(sampler);
  await poller;
  const seconds = elapsed() / 1000;
  console.log(`  ${ready} ready, ${failed} failed, in ${fmt(seconds / 60, 1)} min (${fmt((ready + failed) / seconds, 2)} photos/s)`);
  return checkpoints;
}

/** The largest RSS sampled under load after warm-up (start-up and warm-up are not the steady state). */
function peakOf(checkpoints: Checkpoint[], name: string): number {
  return Math.max(...checkpoints.filter((c) => c.label === 'middle' || c.label === 'end').map((c) => c.memory.get(name)!.maxSinceLast));
}

if (ONLY !== 'embedded') {
  const platform = await startMultiProcess(ALLOCATOR);
  try {
    const checkpoints = await soak('multi-process (RabbitMQ, Postgres, Redis, s3rver)', platform);
    const at = (label: string) => checkpoints.find((c) => c.label === label)!;
    for (const { name } of platform.processes) {
      const [warm, end] = [at('after warm-up'), at('end')].map((c) => c.memory.get(name)!.rss);
      const growth = (end! - warm!) / warm!;
      const goal = name.startsWith('processor') ? `   goal <= ${PROCESSOR_GROWTH_GOAL * 100}%  ${met(growth <= PROCESSOR_GROWTH_GOAL)}` : '';
      const change = `${growth >= 0 ? '+' : ''}${fmt(growth * 100)}%`;
      console.log(
        `  ${name.padEnd(9)} RSS after warm-up ${fmt(warm! / MiB, 0)} MiB -> end ${fmt(end! / MiB, 0)} MiB: ${change}` +
          ` (max under load after warm-up ${fmt(peakOf(checkpoints, name) / MiB, 0)} MiB)${goal}`,
      );
    }
  } finally {
    await platform.stop();
  }
}

if (ONLY !== 'multi') {
  const platform = await startEmbedded(ALLOCATOR, EMBEDDED_ENTRY || undefined);
  try {
    const checkpoints = await soak('embedded (npm start: one process, PGlite, files, memory bus)', platform);
    const end = checkpoints.find((c) => c.label === 'end')!.memory.get('embedded')!;
    const max = fmt(peakOf(checkpoints, 'embedded') / MiB, 0);
    console.log(
      `  embedded RSS at the end ${fmt(end.rss / 1e6, 0)} MB (${fmt(end.rss / MiB, 0)} MiB; max under load after warm-up ${max} MiB)` +
        `   goal < 500 MB  ${met(end.rss < EMBEDDED_GOAL_BYTES)}`,
    );
  } finally {
    await platform.stop();
  }
}
process.exit(0); // keep-alive sockets of the client agent would otherwise hold the loop
