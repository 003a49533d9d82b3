/**
 * bench:processor — the processor pipeline against raw sharp doing the same work, ratios measured in one run.
 *
 * Parts (all by default; `--only jpeg,heic,latency,replicas` picks some):
 *   jpeg      Throughput, in this process. sharp: lib/raw-sharp.ts, the plain sharp calls process-image.ts
 *             makes (header, one oriented decode to 1600 px, thumb webp q75 @320, preview mozjpeg q80 @1600,
 *             100 px RGBA, stats) on photos in memory, CONCURRENCY photos at once. pipeline: the real processor
 *             app (PROCESSOR_CONCURRENCY = CONCURRENCY): photo.uploaded on the memory bus -> original read from
 *             the filesystem store -> processImage -> variants written (fsynced) -> photo.processed observed.
 *             Same photos, same outputs, same libvips settings (PROCESSOR_SHARP_SETTINGS, set for the whole
 *             process). Rounds alternate A/B/B/A...; the ratio pipeline/sharp is the median of the pairs
 *             (goal >= 0.90). `--webp` adds the 14 large WebPs.
 *   heic      The same for HEVC HEIC files (lib/heic-photos.ts: 3 samples and a 12 MP iPhone-sized one). sharp's
 *             prebuilt libvips has no HEVC decoder, so the raw side is the header read + the WASM libheif
 *             decoder the processor uses (same adapter, CONCURRENCY workers) + the same sharp work from its
 *             pixels. Then, per photo: JPEG and HEIC of the same picture through processImage, the WASM decode
 *             alone, and upload -> photo.processed.
 *   latency   One photo at a time: POST /photos over HTTP to the real upload app (same process, fs store,
 *             memory bus) until photo.processed is observed, minus the raw sharp time of the same photo
 *             measured beside it: what the platform adds (goal <= 150 ms, median).
 *   replicas  Scaling out: processor processes (as `npm start -w services/processor` runs them) with
 *             PROCESSOR_CONCURRENCY=1 on one RabbitMQ group (a vhost of the local broker), originals in a
 *             shared directory store; this process publishes photo.uploaded and waits for photo.processed.
 *             One replica vs two, rounds alternating; photos/s ratio two/one (goal >= 1.6 on 2 cores), with
 *             the replicas' CPU per photo.
 *
 * `--quick` runs fewer rounds. `--profile DIR` writes V8 CPU profiles of this process' main thread during the
 * jpeg part (sharp rounds and pipeline rounds apart: DIR/sharp.cpuprofile, DIR/pipeline.cpuprofile) and
 * prints where the time went (lib/cpu-profile.ts). libvips' own threads are not in them: compare the
 * "CPU per photo" lines for those.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { photoCatalogue, type PhotoUploaded } from '@photos/contracts';
import { createMemoryBus, createRabbitMqBus, MemoryBroker, type EventBus } from '@photos/event-bus';
import { createTestVhost } from '@photos/event-bus/test-support/rabbitmq-vhost';
import { createObjectStore, type ObjectStore } from '@photos/object-store';
import { createTokenSigner, loadConfig, startServices } from '@photos/service-kit';
import sharp from 'sharp';
import { createLibheifDecoder } from '../../services/processor/src/adapters/libheif-decoder.js';
import { processorConfigSchema } from '../../services/processor/src/config.js';
import { processImage } from '../../services/processor/src/domain/process-image.js';
import { configureSharp, PROCESSOR_SHARP_SETTINGS } from '../../services/processor/src/domain/sharp-settings.js';
import { processorService } from '../../services/processor/src/service.js';
import { uploadService } from '../../services/upload/src/service.js';
import { startService, type ServiceProcess } from '../../test/support/processes.js';
import { summarizeProfile } from './lib/cpu-profile.js';
import { alternate, flag, fmt, machine, median, pool, quick, samplePhotos, sum, timed, verdict, type Sample } from './lib/bench-kit.js';
import { heicPhotos } from './lib/heic-photos.js';
import { cpuMicrosOf } from './lib/http-load.js';
import { rawSharp, rawSharpHeic } from './lib/raw-sharp.js';

const CONCURRENCY = 2; // PROCESSOR_CONCURRENCY's default
const ROUNDS = quick ? 3 : 6;
const COPIES = quick ? 1 : 2; // each round processes the photo set this many times (dilutes the tail of a round)
const LATENCY_REPS = quick ? 1 : 3;
const option = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
};
const PARTS = new Set((option('--only') ?? 'jpeg,heic,latency,replicas').split(','));
const profileDir = option('--profile') === undefined ? undefined : resolve(option('--profile')!);
const photos = samplePhotos(flag('--webp') ? /\.(jpe?g|webp)$/i : /\.jpe?g$/i);
const libvips = configureSharp(PROCESSOR_SHARP_SETTINGS); // as the processor's service does when it opens

// --- the services, wired as the embedded mode does: one memory broker, one bus per service, fs buckets
const dataDir = await mkdtemp(join(tmpdir(), 'bench-processor-'));
const secret = 'bench-secret-0123456789-0123456789-0123456789';
const env = { LOG_LEVEL: 'silent', DATA_DIR: dataDir, JWT_SECRET: secret, PROCESSOR_CONCURRENCY: String(CONCURRENCY) };
const processorConfig = loadConfig(processorConfigSchema, env);
const originals = createObjectStore(processorConfig, processorConfig.ORIGINALS_BUCKET);
const variants = createObjectStore(processorConfig, processorConfig.VARIANTS_BUCKET);
await Promise.all([originals.ensureBucket(), variants.ensureBucket()]);
const broker = new MemoryBroker(processorConfig.BUS_PARTITIONS);
const newBus = () => createMemoryBus({ broker, catalogue: photoCatalogue });
const services = await startServices([{ definition: processorService }, { definition: uploadService, listen: { port: 0, host: '127.0.0.1' } }], {
  env,
  memoryBroker: broker,
});
const uploadUrl = services.services['upload']!.url!;
const sign = createTokenSigner({ secret, issuer: 'photo-platform', audience: 'photo-platform', expiresInSeconds: 3600 });

/** photo.processed (or failed) observed by a group of our own on `bus`, as any downstream consumer would see it. */
async function observe(bus: EventBus, group: string) {
  const seen = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  const failures: string[] = [];
  const observed = (id: string) => {
    const at = performance.now();
    seen.set(id, at);
    waiting.get(id)?.(at);
  };
  await bus.subscribe({
    group,
    handlers: {
      'photo.processed': async (event) => observed(event.subject),
      'photo.processing-failed': async (event) => {
        failures.push(`${event.data.code}: ${event.data.reason}`);
        observed(event.subject);
      },
    },
  });
  const processedAt = (id: string): Promise<number> => {
    const at = seen.get(id);
    return at !== undefined ? Promise.resolve(at) : new Promise((resolve) => waiting.set(id, resolve));
  };
  return { processedAt, failures };
}
const memory = await observe(newBus(), 'bench');
const processedAt = memory.processedAt;

interface StoredOriginal {
  name: string;
  bytes: Buffer;
  objectKey: string;
  contentType: 'image/jpeg' | 'image/webp' | 'image/heic';
  width: number;
  height: number;
  sha256: string;
}

/** Puts the originals in `store` once; every round then publishes fresh photo.uploaded events for them. */
async function storeOriginals(store: ObjectStore, files: { name: string; bytes: Buffer }[]): Promise<StoredOriginal[]> {
  return Promise.all(
    files.map(async ({ name, bytes }) => {
      const contentType = name.endsWith('.webp') ? 'image/webp' : name.endsWith('.heic') ? 'image/heic' : 'image/jpeg';
      const objectKey = `originals/bench-${randomUUID()}`;
      await store.put(objectKey, bytes, { contentType });
      const { width, height } = await sharp(bytes).metadata();
      return { name, bytes, objectKey, contentType, width, height, sha256: createHash('sha256').update(bytes).digest('hex') };
    }),
  );
}

function uploadedEvent(photo: StoredOriginal): PhotoUploaded {
  const photoId = randomUUID();
  const { objectKey, name: filename, contentType, sha256, width, height } = photo;
  const data = {
    photoId,
    ownerId: 'bench',
    objectKey,
    filename,
    contentType,
    bytes: photo.bytes.length,
    sha256,
    width,
    height,
    uploadedAt: new Date().toISOString(),
  };
  return photoCatalogue.create('photo.uploaded', photoId, data, { source: '/bench' });
}

/** Publishes one photo.uploaded per photo of `workload` at once, and waits until each is processed. */
async function publishAndWait(bus: EventBus, waitFor: (id: string) => Promise<number>, workload: readonly StoredOriginal[]): Promise<void> {
  const events = workload.map(uploadedEvent);
  const done = events.map((event) => waitFor(event.subject));
  for (const event of events) await bus.publish(event);
  await Promise.all(done);
}

const rate = (count: number, ms: number) => count / (ms / 1000);
const cpuPerPhoto = (runs: Sample[], count: number) => sum(runs.map((run) => run.cpuMs)) / (runs.length * count);

/** Main-thread CPU profile of `fn` (inspector), written to DIR/<name>.cpuprofile and summarized, when --profile is on. */
async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (!profileDir) return fn();
  mkdirSync(profileDir, { recursive: true });
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    const file = join(profileDir, `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    console.log(`profile of the ${name} rounds (main thread), ${file}:\n${summarizeProfile(file, 15)}`);
  }
}

/** The throughput comparison of part jpeg and part heic: raw vs the pipeline, alternating rounds. */
async function throughput(label: string, workload: readonly StoredOriginal[], raw: (photo: StoredOriginal) => Promise<unknown>): Promise<number> {
  const publisher = newBus();
  const rawRound = () => pool(workload, CONCURRENCY, raw);
  const pipelineRound = () => publishAndWait(publisher, processedAt, workload);
  await rawRound(); // warm-up: code paths, page cache, allocator, decoder workers
  await pipelineRound();
  const rounds = profileDir
    ? {
        a: await profiled(`${label}-sharp`, async () => (await alternate(ROUNDS, rawRound, async () => undefined)).a),
        b: await profiled(`${label}-pipeline`, async () => (await alternate(ROUNDS, async () => undefined, pipelineRound)).b),
      }
    : await alternate(ROUNDS, rawRound, pipelineRound);
  const { a: sharpRuns, b: pipelineRuns } = rounds;
  const pairRatios = pipelineRuns.map((run, i) => sharpRuns[i]!.wallMs / run.wallMs);
  sharpRuns.forEach((run, i) =>
    console.log(
      `  pair ${i + 1}: sharp ${fmt(rate(workload.length, run.wallMs), 2)} photos/s   pipeline ${fmt(rate(workload.length, pipelineRuns[i]!.wallMs), 2)} photos/s   ratio ${fmt(pairRatios[i]!, 3)}`,
    ),
  );
  const [sharpRate, pipelineRate] = [sharpRuns, pipelineRuns].map((runs) => rate(workload.length, median(runs.map((run) => run.wallMs))));
  const ratio = median(pairRatios);
  console.log(`${label} throughput (median of rounds)  sharp ${fmt(sharpRate!, 2)} photos/s   pipeline ${fmt(pipelineRate!, 2)} photos/s`);
  console.log(
    `${label} CPU per photo (all threads)    sharp ${fmt(cpuPerPhoto(sharpRuns, workload.length), 0)} ms   pipeline ${fmt(cpuPerPhoto(pipelineRuns, workload.length), 0)} ms`,
  );
  console.log(
    `${label} ratio pipeline/sharp ${fmt(ratio, 3)} (median of pairs; all rounds pooled ${fmt(sum(sharpRuns.map((r) => r.wallMs)) / sum(pipelineRuns.map((r) => r.wallMs)), 3)})   goal >= 0.90  ${verdict(ratio >= 0.9)}   ${machine()}`,
  );
  return ratio;
}

async function uploadAndWait(photo: { name: string; bytes: Buffer }): Promise<{ acceptedMs: number; processedMs: number }> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(photo.bytes)]), photo.name);
  const start = performance.now();
  const headers = { authorization: `Bearer ${sign({ sub: `bench-${randomUUID()}` })}` }; // fresh owner: no dedupe
  const response = await fetch(`${uploadUrl}/photos`, { method: 'POST', body: form, headers });
  if (response.status !== 202) throw new Error(`POST /photos answered ${response.status}: ${await response.text()}`);
  const accepted = performance.now();
  const {
    photos: [created],
  } = (await response.json()) as { photos: { id: string }[] };
  return { acceptedMs: accepted - start, processedMs: (await processedAt(created!.id)) - start };
}

const cpuTimed = async (fn: () => Promise<unknown>) => {
  const cpu = process.cpuUsage();
  const wall = await timed(fn);
  const { user, system } = process.cpuUsage(cpu); // all threads: libvips' and the WASM workers'
  return { wall, cpu: (user + system) / 1000 };
};

// --- part jpeg: throughput on the JPEG (and --webp) samples
async function jpegPart(): Promise<void> {
  const stored = await storeOriginals(originals, photos);
  const workload = Array.from({ length: COPIES }, () => stored).flat();
  console.log(
    `jpeg  ${photos.length} photos (${flag('--webp') ? 'JPEG + WebP' : 'JPEG'}, ${(sum(photos.map((p) => p.bytes.length)) / 2 ** 20).toFixed(1)} MiB)` +
      ` x${COPIES} per round, ${ROUNDS} rounds per side, concurrency ${CONCURRENCY}, libvips threads ${libvips.concurrency}, ${quick ? 'quick' : 'full'}, ${machine()}`,
  );
  await throughput('jpeg', workload, (photo) => rawSharp(photo.bytes));
}

// --- part latency: one photo at a time, POST /photos -> photo.processed, minus that photo's sharp time
async function latencyPart(): Promise<void> {
  console.log(`latency  upload -> photo.processed, one photo at a time, ${LATENCY_REPS} rep(s) per photo (medians, ms), ${machine()}`);
  await uploadAndWait(photos[0]!); // warm-up of the HTTP path
  const added: number[] = [];
  for (const photo of photos) {
    const rows: { sharp: number; accepted: number; processed: number; added: number }[] = [];
    for (let rep = 0; rep < LATENCY_REPS; rep++) {
      const first = rep % 2 === 0 ? await timed(() => rawSharp(photo.bytes)) : undefined;
      const { acceptedMs, processedMs } = await uploadAndWait(photo);
      const sharpMsOne = first ?? (await timed(() => rawSharp(photo.bytes)));
      rows.push({ sharp: sharpMsOne, accepted: acceptedMs, processed: processedMs, added: processedMs - sharpMsOne });
    }
    const m = (key: keyof (typeof rows)[number]) => median(rows.map((row) => row[key]));
    added.push(m('added'));
    console.log(
      `  ${photo.name.padEnd(24)} sharp ${fmt(m('sharp'), 0).padStart(5)}   202 after ${fmt(m('accepted'), 0).padStart(4)}   processed after ${fmt(m('processed'), 0).padStart(5)}   added ${fmt(m('added'), 0).padStart(4)}`,
    );
  }
  const typical = median(added);
  console.log(
    `added latency over sharp, per photo: median ${fmt(typical, 0)} ms, worst ${fmt(Math.max(...added), 0)} ms   goal <= 150 ms (median)  ${verdict(typical <= 150)}`,
  );
}

// --- part heic: throughput on HEVC HEIC files, then per photo beside the same picture as JPEG
async function heicPart(): Promise<void> {
  const heic = heicPhotos();
  const LIMITS = { maxPixels: processorConfig.MAX_PIXELS };
  const decoder = createLibheifDecoder({ threads: CONCURRENCY }); // as the processor app makes its own
  try {
    const stored = await storeOriginals(
      originals,
      heic.map((photo) => ({ name: `${photo.name}.heic`, bytes: photo.heic })),
    );
    const heicCopies = quick ? 2 : 3;
    const workload = Array.from({ length: heicCopies }, () => stored).flat();
    console.log(
      `heic  ${heic.length} HEVC HEIC photos (${heic.map((photo) => photo.name).join(', ')}) x${heicCopies} per round, ${ROUNDS} rounds per side, concurrency ${CONCURRENCY}, ${machine()}`,
    );
    await throughput('heic', workload, (photo) => rawSharpHeic(photo.bytes, (file) => decoder.decodePrimary(file, LIMITS)));

    await processImage(heic[0]!.heic, LIMITS, decoder); // warm-up: the worker compiles libheif
    await uploadAndWait({ name: 'warm-up.heic', bytes: heic[0]!.heic }); // and the app's own decoder
    console.log(`heic per photo: the same picture as JPEG and as HEVC HEIC, one at a time, ${LATENCY_REPS} rep(s) (medians; ms wall / ms CPU), ${machine()}`);
    const heicRatios: number[] = [];
    for (const photo of heic) {
      const rows: Record<'sharp' | 'jpeg' | 'heic' | 'wasm' | 'e2e', { wall: number; cpu: number }>[] = [];
      for (let rep = 0; rep < LATENCY_REPS; rep++) {
        rows.push({
          sharp: await cpuTimed(() => rawSharp(photo.jpeg)),
          jpeg: await cpuTimed(() => processImage(photo.jpeg, LIMITS)),
          heic: await cpuTimed(() => processImage(photo.heic, LIMITS, decoder)),
          wasm: await cpuTimed(() => decoder.decodePrimary(photo.heic, LIMITS)),
          e2e: await cpuTimed(async () => uploadAndWait({ name: `${photo.name}.heic`, bytes: photo.heic })),
        });
      }
      const m = (key: keyof (typeof rows)[number], part: 'wall' | 'cpu') => median(rows.map((row) => row[key][part]));
      const cell = (key: keyof (typeof rows)[number]) => `${fmt(m(key, 'wall'), 0).padStart(5)} /${fmt(m(key, 'cpu'), 0).padStart(5)}`;
      const { width, height } = await sharp(photo.jpeg).metadata();
      heicRatios.push(m('heic', 'wall') / m('jpeg', 'wall'));
      console.log(
        `  ${`${photo.name} ${width}x${height}`.padEnd(26)} JPEG: sharp ${cell('sharp')}  processImage ${cell('jpeg')}   HEIC: processImage ${cell('heic')}` +
          `  of which WASM decode ${cell('wasm')}  upload->processed ${fmt(m('e2e', 'wall'), 0).padStart(5)}   HEIC/JPEG ${fmt(m('heic', 'wall') / m('jpeg', 'wall'), 1)}x`,
      );
    }
    console.log(`HEIC costs ${fmt(median(heicRatios), 1)}x the JPEG of the same picture (median over photos; processImage wall time)`);
  } finally {
    await decoder.close();
  }
}

// --- part replicas: one processor process vs two, PROCESSOR_CONCURRENCY=1 each, one RabbitMQ group
async function replicasPart(): Promise<void> {
  const vhost = await createTestVhost('bench-processor');
  const replicas: ServiceProcess[] = [];
  let bus: EventBus | undefined;
  const dir = join(dataDir, 'replicas');
  const replicaEnv = { AMQP_URL: vhost.url, KAFKA_BROKERS: '', DATA_DIR: dir, LOG_LEVEL: 'warn', PROCESSOR_CONCURRENCY: '1' };
  try {
    const config = loadConfig(processorConfigSchema, replicaEnv);
    const store = createObjectStore(config, config.ORIGINALS_BUCKET);
    await store.ensureBucket();
    const stored = await storeOriginals(store, photos);
    const copies = quick ? 2 : 3;
    const workload = Array.from({ length: copies }, () => stored).flat();
    bus = await createRabbitMqBus({ url: vhost.url, catalogue: photoCatalogue });
    const rabbit = await observe(bus, 'bench');
    const scaleTo = async (count: number) => {
      while (replicas.length > count) await replicas.pop()!.stop();
      while (replicas.length < count) {
        replicas.push(await startService(`processor-${replicas.length + 1}`, 'processor', replicaEnv));
        await publishAndWait(bus!, rabbit.processedAt, stored.slice(0, 4)); // warm-up of the new replica (and its neighbour)
      }
    };
    const round = async (count: number) => {
      await scaleTo(count);
      const pids = replicas.map((replica) => replica.child.pid!);
      const cpuBefore = sum(pids.map(cpuMicrosOf));
      const wallMs = await timed(() => publishAndWait(bus!, rabbit.processedAt, workload));
      return { wallMs, cpuMs: (sum(pids.map(cpuMicrosOf)) - cpuBefore) / 1000 };
    };
    console.log(
      `replicas  processor processes, PROCESSOR_CONCURRENCY=1 each, one RabbitMQ group; ${photos.length} JPEGs x${copies} per round, ${quick ? 2 : 3} pairs of rounds, ${machine()}`,
    );
    const ones: Sample[] = [];
    const twos: Sample[] = [];
    for (let pair = 0; pair < (quick ? 2 : 3); pair++) {
      for (const count of pair % 2 === 0 ? [1, 2] : [2, 1]) (count === 1 ? ones : twos).push(await round(count));
      console.log(
        `  pair ${pair + 1}: one replica ${fmt(rate(workload.length, ones[pair]!.wallMs), 2)} photos/s   two ${fmt(rate(workload.length, twos[pair]!.wallMs), 2)} photos/s` +
          `   ratio ${fmt(ones[pair]!.wallMs / twos[pair]!.wallMs, 2)}   ${machine()}`,
      );
    }
    const ratio = median(ones.map((one, i) => one.wallMs / twos[i]!.wallMs));
    console.log(
      `replicas CPU per photo (replica processes)   one ${fmt(cpuPerPhoto(ones, workload.length), 0)} ms   two ${fmt(cpuPerPhoto(twos, workload.length), 0)} ms`,
    );
    console.log(`replicas ratio two/one ${fmt(ratio, 2)} (median of pairs)   goal >= 1.6 on 2 cores  ${verdict(ratio >= 1.6)}   ${machine()}`);
    if (rabbit.failures.length > 0) console.log(`WARNING: ${rabbit.failures.length} photo(s) failed to process: ${rabbit.failures[0]}`);
  } finally {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await bus?.close().catch(() => undefined);
    await vhost.remove().catch(() => undefined);
  }
}

try {
  console.log(`bench:processor ${new Date().toISOString()}, node ${process.version}, ${machine()}, parts ${[...PARTS].join(',')}`);
  if (PARTS.has('jpeg')) await jpegPart();
  if (PARTS.has('latency')) await latencyPart();
  if (PARTS.has('heic')) await heicPart();
  if (PARTS.has('replicas')) await replicasPart();
  if (memory.failures.length > 0) console.log(`WARNING: ${memory.failures.length} photo(s) failed to process: ${memory.failures[0]}`);
} finally {
  await services.stop();
  await rm(dataDir, { recursive: true, force: true });
}
