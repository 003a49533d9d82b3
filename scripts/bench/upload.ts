/**
 * bench:upload — ingest through the upload service against a direct PUT of the same bytes to the same S3.
 *
 * Three processes: s3rver (lib/s3rver-child.ts), the real upload service (services/upload/src/server.ts, memory
 * bus, S3 store on that s3rver) and this client. Compared, on all 29 sample photos (15 JPEG + 14 WebP),
 * CONCURRENCY requests at a time, rounds alternating A/B/B/A...:
 *   direct   createS3ObjectStore(...).put(key, <the file as a 64 KiB-chunk stream>) from this process;
 *   service  POST /photos (multipart over loopback HTTP, one file per request, a fresh owner per round so
 *            dedupe never short-cuts) answered 202: the original stored, its record and outbox entry too.
 * Output: MB/s of each side (median of rounds) and the ratio service/direct (median of pairs; goal >= 0.85).
 * Both go through the same s3rver, which is the slow part; the ratio is what the service costs on top.
 * Then a 1 GiB file (a sample JPEG followed by filler) is streamed to a fresh service process whose
 * /proc/<pid>/status is sampled every 50 ms: peak RSS minus RSS before the upload (goal < 64 MiB).
 * `--quick`: fewer rounds (the 1 GiB upload stays: it is the point of the memory figure).
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { createS3ObjectStore } from '@photos/object-store';
import { createTokenSigner } from '@photos/service-kit';
import { alternate, fmt, machine, median, pool, quick, samplePhotos, sum, verdict } from './lib/bench-kit.js';
import { chunked, postMultipart, type FilePart } from './lib/multipart.js';
import { firstJsonLine, freePort, memoryOf, sampleRss, spawnTs, stopChild, waitForOk } from './lib/processes.js';

const CONCURRENCY = 4;
const ROUNDS = quick ? 3 : 6;
const BIG = 1024 ** 3;
const MiB = 1024 * 1024;
const MB = 1e6;
const JWT_SECRET = 'bench-secret-0123456789-0123456789-0123456789';
const sign = createTokenSigner({ secret: JWT_SECRET, issuer: 'photo-platform', audience: 'photo-platform', expiresInSeconds: 3600 });
const photos = samplePhotos(/\.(jpe?g|webp)$/i);
const totalBytes = sum(photos.map((photo) => photo.bytes.length));

const s3rver = spawnTs('scripts/bench/lib/s3rver-child.ts');
const { endpoint } = await firstJsonLine<{ endpoint: string }>(s3rver);

async function startUploadService() {
  const port = await freePort();
  const child = spawnTs('services/upload/src/server.ts', {
    JWT_SECRET,
    S3_ENDPOINT: endpoint,
    S3_ACCESS_KEY: 'S3RVER',
    S3_SECRET_KEY: 'S3RVER',
    MAX_UPLOAD_BYTES: String(2 * BIG),
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForOk(`${url}/health/ready`);
  return { child, url, pid: child.pid! };
}

async function post(url: string, owner: string, file: FilePart): Promise<void> {
  const { status, body } = await postMultipart(`${url}/photos`, sign({ sub: owner }), file);
  if (status !== 202) throw new Error(`POST /photos answered ${status}: ${body.slice(0, 300)}`);
}

// --- part 1: throughput, sample photos
let service = await startUploadService();
const endpointUrl = new URL(endpoint);
const direct = createS3ObjectStore({
  endPoint: endpointUrl.hostname,
  port: Number(endpointUrl.port),
  useSSL: false,
  accessKey: 'S3RVER',
  secretKey: 'S3RVER',
  bucket: 'originals', // the service's bucket, made by the service at start
});
const directRound = () =>
  pool(photos, CONCURRENCY, (photo) => direct.put(`direct/${randomUUID()}`, Readable.from(chunked(photo.bytes)), { contentType: 'image/jpeg' }));
const serviceRound = () => {
  const owner = `bench-${randomUUID()}`;
  return pool(photos, CONCURRENCY, (photo) => post(service.url, owner, { name: photo.name, size: photo.bytes.length, chunks: () => chunked(photo.bytes) }));
};

console.log(
  `bench:upload  ${photos.length} photos (${fmt(totalBytes / MB)} MB: JPEG + WebP) per round, ${ROUNDS} rounds per side, concurrency ${CONCURRENCY}, s3rver ${endpoint}, ${quick ? 'quick' : 'full'}, ${machine()}`,
);
await directRound(); // warm-up: connections, JIT, s3rver's directories
await serviceRound();
const { a: directRuns, b: serviceRuns } = await alternate(ROUNDS, directRound, serviceRound);
const mbps = (ms: number) => totalBytes / MB / (ms / 1000);
const pairRatios = serviceRuns.map((run, i) => directRuns[i]!.wallMs / run.wallMs);
directRuns.forEach((run, i) =>
  console.log(`  pair ${i + 1}: direct ${fmt(mbps(run.wallMs))} MB/s   service ${fmt(mbps(serviceRuns[i]!.wallMs))} MB/s   ratio ${fmt(pairRatios[i]!, 3)}`),
);
const [directRate, serviceRate] = [directRuns, serviceRuns].map((runs) => mbps(median(runs.map((run) => run.wallMs))));
const ratio = median(pairRatios);
console.log(`throughput (median of rounds)  direct PUT ${fmt(directRate!)} MB/s   upload service ${fmt(serviceRate!)} MB/s`);
console.log(
  `ratio service/direct ${fmt(ratio, 3)} (median of pairs; all rounds pooled ${fmt(sum(directRuns.map((r) => r.wallMs)) / sum(serviceRuns.map((r) => r.wallMs)), 3)})   goal >= 0.85  ${verdict(ratio >= 0.85)}`,
);

// --- part 2: memory of the service process during one 1 GiB upload, on a fresh process
await stopChild(service.child);
service = await startUploadService();
const header = photos.find((photo) => photo.name.endsWith('.jpg'))!;
await post(service.url, 'bench-warm-up', { name: header.name, size: header.bytes.length, chunks: () => chunked(header.bytes) });
await new Promise((resolve) => setTimeout(resolve, 1000)); // let the warm-up's garbage settle
const before = memoryOf(service.pid);
const filler = Buffer.alloc(MiB, 0x5a);
function* big(): Generator<Buffer> {
  yield header.bytes;
  for (let left = BIG - header.bytes.length; left > 0; left -= filler.length) yield filler.subarray(0, Math.min(left, filler.length));
}
const sampler = sampleRss(service.pid, 50);
const started = performance.now();
await post(service.url, 'bench-big', { name: 'big.jpg', size: BIG, chunks: big });
const bigMs = performance.now() - started;
const { peak, hwmReset, samples } = sampler.stop();
const growth = peak - before.rss;
console.log(
  `1 GiB upload: ${fmt(bigMs / 1000)} s (${fmt(BIG / MB / (bigMs / 1000))} MB/s), service RSS before ${fmt(before.rss / MiB)} MiB, peak ${fmt(peak / MiB)} MiB` +
    ` (${samples} samples${hwmReset ? ' + VmHWM reset at the start' : ''})`,
);
console.log(`  (${machine()})`);
console.log(`RSS growth during the 1 GiB upload ${fmt(growth / MiB)} MiB   goal < 64 MiB  ${verdict(growth < 64 * MiB)}`);

await stopChild(service.child);
await stopChild(s3rver);
process.exit(0); // keep-alive sockets of the client agent would otherwise hold the loop
