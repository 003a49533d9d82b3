/**
 * bench:processor — the processor pipeline against raw sharp doing the same work, in one process, one run.
 *
 * Compared (same photos, same PROCESSOR_CONCURRENCY, same libvips settings as services/processor/src/server.ts):
 *   sharp     lib/raw-sharp.ts: the plain sharp calls process-image.ts makes (header, one oriented decode to
 *             1600 px, thumb webp q75 @320, preview mozjpeg q80 @1600, 100 px RGBA, stats), photos in memory.
 *   pipeline  the real processor app: photo.uploaded on the memory bus -> original read from the filesystem
 *             store -> processImage -> variants put in the filesystem store -> photo.processed observed.
 * Rounds alternate A/B/B/A... Output, part 1: photos/s of each side (median of rounds) and the ratio
 * pipeline/sharp over all rounds (goal >= 0.90). Part 2, one photo at a time: POST /photos over HTTP to
 * the real upload app (same process, fs store, memory bus) until photo.processed is observed, minus the
 * raw sharp time of the same photo measured beside it (before/after in turn): what the platform adds (goal <= 150 ms).
 *
 * Part 3, HEIC (HEVC), one photo at a time: the same pictures as JPEG (raw sharp, processImage) and as HEIC
 * made by heif-enc (processImage, which decodes HEVC with the WebAssembly libheif since sharp's prebuilt
 * libvips has no HEVC decoder, then makes the same outputs with sharp; the WASM decode alone; and upload ->
 * photo.processed through the apps).
 *
 * Photos: the 15 sample JPEGs; `--webp` adds the 14 large WebPs; HEIC: lib/heic-photos.ts (3 samples and a
 * 12 MP iPhone-sized one). `--quick` runs fewer rounds.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { photoCatalogue, type PhotoUploaded } from '@photos/contracts';
import { createMemoryBus, MemoryBroker } from '@photos/event-bus';
import { createObjectStore } from '@photos/object-store';
import { createTokenSigner, loadConfig, startServices } from '@photos/service-kit';
import sharp from 'sharp';
import { createLibheifDecoder } from '../../services/processor/src/adapters/libheif-decoder.js';
import { processorConfigSchema } from '../../services/processor/src/config.js';
import { processImage } from '../../services/processor/src/domain/process-image.js';
import { configureSharp, PROCESSOR_SHARP_SETTINGS } from '../../services/processor/src/domain/sharp-settings.js';
import { processorService } from '../../services/processor/src/service.js';
import { uploadService } from '../../services/upload/src/service.js';
import { alternate, flag, fmt, machine, median, pool, quick, samplePhotos, sum, timed, verdict, type Sample } from './lib/bench-kit.js';
import { heicPhotos } from './lib/heic-photos.js';
import { rawSharp } from './lib/raw-sharp.js';

const CONCURRENCY = 2; // PROCESSOR_CONCURRENCY's default
const ROUNDS = quick ? 3 : 6;
const COPIES = quick ? 1 : 2; // each round processes the photo set this many times (dilutes the tail of a round)
const LATENCY_REPS = quick ? 1 : 3;
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

// photo.processed (or failed) observed by a group of our own, as any downstream consumer would see it
const seen = new Map<string, number>();
const waiting = new Map<string, (at: number) => void>();
const failures: string[] = [];
const observed = (id: string) => {
  const at = performance.now();
  seen.set(id, at);
  waiting.get(id)?.(at);
};
await newBus().subscribe({
  group: 'bench',
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

// --- part 1: throughput. The originals are stored once; every round publishes fresh photo.uploaded events.
const stored = await Promise.all(
  photos.map(async ({ name, bytes }) => {
    const objectKey = `originals/bench-${randomUUID()}`;
    await originals.put(objectKey, bytes, { contentType: name.endsWith('.webp') ? 'image/webp' : 'image/jpeg' });
    const { width, height } = await sharp(bytes).metadata();
    return { name, bytes, objectKey, width, height, sha256: createHash('sha256').update(bytes).digest('hex') };
  }),
);
const workload = Array.from({ length: COPIES }, () => stored).flat();

function uploadedEvent(photo: (typeof stored)[number]): PhotoUploaded {
  const photoId = randomUUID();
  const { objectKey, name: filename, sha256, width, height } = photo;
  const data = {
    photoId,
    ownerId: 'bench',
    objectKey,
    filename,
    contentType: filename.endsWith('.webp') ? 'image/webp' : 'image/jpeg',
    bytes: photo.bytes.length,
    sha256,
    width,
    height,
    uploadedAt: new Date().toISOString(),
  } as const;
  return photoCatalogue.create('photo.uploaded', photoId, data, { source: '/bench' });
}

const publisher = newBus();
const sharpRound = () => pool(workload, CONCURRENCY, (photo) => rawSharp(photo.bytes));
const pipelineRound = async () => {
  const events = workload.map(uploadedEvent);
  const done = events.map((event) => processedAt(event.subject));
  for (const event of events) await publisher.publish(event);
  await Promise.all(done);
};

console.log(
  `bench:processor  ${photos.length} photos (${flag('--webp') ? 'JPEG + WebP' : 'JPEG'}, ${(sum(photos.map((p) => p.bytes.length)) / 2 ** 20).toFixed(1)} MiB)` +
    ` x${COPIES} per round, ${ROUNDS} rounds per side, concurrency ${CONCURRENCY}, libvips threads ${libvips.concurrency}, ${quick ? 'quick' : 'full'}, ${machine()}`,
);
await sharpRound(); // warm-up: code paths, page cache, allocator
await pipelineRound();
const { a: sharpRuns, b: pipelineRuns } = await alternate(ROUNDS, sharpRound, pipelineRound);
const rate = (ms: number) => workload.length / (ms / 1000);
const cpu = (runs: Sample[]) => sum(runs.map((run) => run.cpuMs)) / (runs.length * workload.length);
const pairRatios = pipelineRuns.map((run, i) => sharpRuns[i]!.wallMs / run.wallMs);
sharpRuns.forEach((run, i) =>
  console.log(
    `  pair ${i + 1}: sharp ${fmt(rate(run.wallMs), 2)} photos/s   pipeline ${fmt(rate(pipelineRuns[i]!.wallMs), 2)} photos/s   ratio ${fmt(pairRatios[i]!, 3)}`,
  ),
);
const [sharpRate, pipelineRate] = [sharpRuns, pipelineRuns].map((runs) => rate(median(runs.map((run) => run.wallMs))));
const ratio = median(pairRatios);
console.log(`throughput (median of rounds)  sharp ${fmt(sharpRate!, 2)} photos/s   pipeline ${fmt(pipelineRate!, 2)} photos/s`);
console.log(`CPU per photo (all threads)    sharp ${fmt(cpu(sharpRuns), 0)} ms   pipeline ${fmt(cpu(pipelineRuns), 0)} ms`);
console.log(
  `ratio pipeline/sharp ${fmt(ratio, 3)} (median of pairs; all rounds pooled ${fmt(sum(sharpRuns.map((r) => r.wallMs)) / sum(pipelineRuns.map((r) => r.wallMs)), 3)})   goal >= 0.90  ${verdict(ratio >= 0.9)}`,
);

// --- part 2: latency, one photo at a time: POST /photos -> photo.processed, minus that photo's sharp time
async function uploadAndWait(photo: { name: string; bytes: Buffer }): Promise<{ acceptedMs: number; processedMs: number }> {
  const form = new FormData();
  form.append('file', new Blob([photo.bytes]), photo.name);
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

// --- part 3: HEIC, per photo, one at a time, beside the same picture as JPEG
const heic = heicPhotos();
const heifDecoder = createLibheifDecoder({ threads: 1 });
const LIMITS = { maxPixels: processorConfig.MAX_PIXELS };
const cpuTimed = async (fn: () => Promise<unknown>) => {
  const cpu = process.cpuUsage();
  const wall = await timed(fn);
  const { user, system } = process.cpuUsage(cpu); // all threads: libvips' and the WASM worker's
  return { wall, cpu: (user + system) / 1000 };
};
await processImage(heic[0]!.heic, LIMITS, heifDecoder); // warm-up: the worker compiles libheif
await uploadAndWait({ name: 'warm-up.heic', bytes: heic[0]!.heic }); // and the app's own decoder
console.log(`HEIC  the same picture as JPEG and as HEVC HEIC, one at a time, ${LATENCY_REPS} rep(s) (medians; ms wall / ms CPU), ${machine()}`);
const heicRatios: number[] = [];
for (const photo of heic) {
  const rows: Record<'sharp' | 'jpeg' | 'heic' | 'wasm' | 'e2e', { wall: number; cpu: number }>[] = [];
  for (let rep = 0; rep < LATENCY_REPS; rep++) {
    rows.push({
      sharp: await cpuTimed(() => rawSharp(photo.jpeg)),
      jpeg: await cpuTimed(() => processImage(photo.jpeg, LIMITS)),
      heic: await cpuTimed(() => processImage(photo.heic, LIMITS, heifDecoder)),
      wasm: await cpuTimed(() => heifDecoder.decodePrimary(photo.heic, LIMITS)),
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
await heifDecoder.close();
if (failures.length > 0) console.log(`WARNING: ${failures.length} photo(s) failed to process: ${failures[0]}`);

await services.stop();
await rm(dataDir, { recursive: true, force: true });
