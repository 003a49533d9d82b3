/**
 * bench:upload — ingest through the upload service against a direct PUT of the same bytes to the same S3.
 *
 * Three processes, as in production: s3rver (lib/s3rver-child.ts), the real upload service
 * (services/upload/src/server.ts, NODE_ENV=production, memory bus, S3 store on that s3rver) and this
 * client, the load generator. Compared, on all 29 sample photos (15 JPEG + 14 WebP), CONCURRENCY
 * requests at a time, the sides' order rotating from round to round:
 *   direct   createS3ObjectStore(...).put(key, <the file as a 64 KiB-chunk stream>) from this process;
 *   service  POST /photos (multipart over loopback HTTP, one file per request, a fresh owner per round so
 *            dedupe never short-cuts) answered 202: the original stored, its record and outbox entry too.
 *   forwarder POST /photos to scripts/bench/upload-forwarder.ts, a bare Fastify app that streams each file
 *            to S3 with the same adapter and nothing else: what receiving and forwarding a file costs on its
 *            own, the most any upload service can reach on this machine (printed as a reference).
 * Output: MB/s of each side (median of rounds) and the ratio service/direct (median of pairs; goal >= 0.85);
 * the CPU time per upload of each process (/proc/<pid>/stat: steadier than wall time on a shared
 * machine), the ratios those imply (a core per process; all on shared cores) and the S3 requests per
 * upload by kind (s3rver counts them). Both sides go through the same
 * s3rver; the service's extra requests (outbox entry, dedupe claim, record, entry removal) are its
 * never-lose-a-photo protocol and are counted, not hidden.
 * Then a 1 GiB file (a sample JPEG followed by filler) is streamed to a fresh service process whose
 * /proc/<pid>/status is sampled every 50 ms: peak RSS minus RSS before the upload (goal < 64 MiB).
 *   npm run bench:upload [-- --quick] [--profile DIR]
 * `--quick`: fewer rounds (the 1 GiB upload stays: it is the point of the memory figure). `--profile DIR`:
 * the service of the throughput part runs with `--cpu-prof` (profile written to DIR when it stops) and the
 * functions with the most self time are printed.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { createS3ObjectStore } from '@photos/object-store';
import { createTokenSigner } from '@photos/service-kit';
import { fmt, machine, median, pool, quick, samplePhotos, sum, verdict } from './lib/bench-kit.js';
import { summarizeProfile } from './lib/cpu-profile.js';
import { cpuMicrosOf } from './lib/http-load.js';
import { chunked, postMultipart, type FilePart } from './lib/multipart.js';
import { firstJsonLine, freePort, memoryOf, sampleRss, spawnTs, stopChild, waitForOk } from './lib/processes.js';

const CONCURRENCY = 4;
const ROUNDS = quick ? 3 : 6;
const BIG = 1024 ** 3;
const MiB = 1024 * 1024;
const MB = 1e6;
const JWT_SECRET = 'bench-secret-0123456789-0123456789-0123456789';
const sign = createTokenSigner({ secret: JWT_SECRET, issuer: 'photo-platform', audience: 'photo-platform', expiresInSeconds: 3600 });
const profileAt = process.argv.indexOf('--profile');
const profileDir = profileAt === -1 ? undefined : resolve(process.argv[profileAt + 1] ?? '.cache/profiles/upload');
const photos = samplePhotos(/\.(jpe?g|webp)$/i);
const totalBytes = sum(photos.map((photo) => photo.bytes.length));

const s3rver = spawnTs('scripts/bench/lib/s3rver-child.ts');
const { endpoint } = await firstJsonLine<{ endpoint: string }>(s3rver);

async function startUploadService(options: { profile?: string } = {}) {
  const port = await freePort();
  const child = spawnTs(
    'services/upload/src/server.ts',
    {
      NODE_ENV: 'production',
      JWT_SECRET,
      S3_ENDPOINT: endpoint,
      S3_ACCESS_KEY: 'S3RVER',
      S3_SECRET_KEY: 'S3RVER',
      MAX_UPLOAD_BYTES: String(2 * BIG),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    options.profile ? ['--cpu-prof', `--cpu-prof-dir=${options.profile}`] : [],
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForOk(`${url}/health/ready`);
  return { child, url, pid: child.pid! };
}

async function post(url: string, owner: string, file: FilePart): Promise<void> {
  const { status, body } = await postMultipart(`${url}/photos`, sign({ sub: owner }), file);
  if (status !== 202) throw new Error(`POST /photos answered ${status}: ${body.slice(0, 300)}`);
}

// --- part 1: throughput, sample photos
if (profileDir) mkdirSync(profileDir, { recursive: true });
const profilesBefore = new Set(profileDir ? readdirSync(profileDir) : []);
if (profileDir) mkdirSync(join(profileDir, 'forwarder'), { recursive: true });
const forwarderProfilesBefore = new Set(profileDir ? readdirSync(join(profileDir, 'forwarder')) : []);
let service = await startUploadService(profileDir ? { profile: profileDir } : {});
const forwarderChild = spawnTs(
  'scripts/bench/upload-forwarder.ts',
  { S3_ENDPOINT: endpoint },
  profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, 'forwarder')}`] : [],
);
const forwarder = { child: forwarderChild, pid: forwarderChild.pid!, ...(await firstJsonLine<{ url: string }>(forwarderChild)) };
const endpointUrl = new URL(endpoint);
const direct = createS3ObjectStore({
  endPoint: endpointUrl.hostname,
  port: Number(endpointUrl.port),
  useSSL: false,
  accessKey: 'S3RVER',
  secretKey: 'S3RVER',
  bucket: 'originals', // the service's bucket, made by the service at start
});
const s3Requests = async (): Promise<Record<string, number>> => (await fetch(`${endpoint}/__bench/requests`)).json() as Promise<Record<string, number>>;

/** One round of one side: wall time, and CPU time of each process (ms); S3 requests by kind. */
interface Round {
  wallMs: number;
  clientCpuMs: number;
  /** The process between client and S3: the upload service, or the forwarder (0 for a direct PUT). */
  serviceCpuMs: number;
  s3rverCpuMs: number;
  requests: Record<string, number>;
}

/** Runs one round, timed; then lets the service finish its work after the answers and counts what the round cost. */
async function costed(round: () => Promise<unknown>, middle?: { pid: number }): Promise<Round> {
  const [serviceBefore, s3rverBefore, requestsBefore] = [middle ? cpuMicrosOf(middle.pid) : 0, cpuMicrosOf(s3rver.pid!), await s3Requests()];
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  await round();
  const wallMs = performance.now() - started;
  // The service removes the uploads' outbox entries after answering, in batches (every 200 ms at most): let the last ones land.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const client = process.cpuUsage(clientBefore);
  const requests = Object.fromEntries(Object.entries(await s3Requests()).map(([kind, count]) => [kind, count - (requestsBefore[kind] ?? 0)]));
  return {
    wallMs,
    clientCpuMs: (client.user + client.system) / 1000,
    serviceCpuMs: middle ? (cpuMicrosOf(middle.pid) - serviceBefore) / 1000 : 0,
    s3rverCpuMs: (cpuMicrosOf(s3rver.pid!) - s3rverBefore) / 1000,
    requests,
  };
}
const directRound = () =>
  costed(() => pool(photos, CONCURRENCY, (photo) => direct.put(`direct/${randomUUID()}`, Readable.from(chunked(photo.bytes)), { contentType: 'image/jpeg' })));
const postRound = (to: { url: string; pid: number }) => {
  const owner = `bench-${randomUUID()}`;
  return costed(
    () => pool(photos, CONCURRENCY, (photo) => post(to.url, owner, { name: photo.name, size: photo.bytes.length, chunks: () => chunked(photo.bytes) })),
    to,
  );
};
const serviceRound = () => postRound(service);
const forwarderRound = () => postRound(forwarder);

console.log(
  `bench:upload  ${photos.length} photos (${fmt(totalBytes / MB)} MB: JPEG + WebP) per round, ${ROUNDS} rounds per side, concurrency ${CONCURRENCY}, s3rver ${endpoint}, ${quick ? 'quick' : 'full'}, ${machine()}`,
);
await directRound(); // warm-up: connections, JIT, s3rver's directories
await serviceRound();
await forwarderRound();
// The order of the sides rotates per round, so drift hits them alike.
const directRuns: Round[] = [];
const serviceRuns: Round[] = [];
const forwarderRuns: Round[] = [];
const sides = [
  { runs: directRuns, round: directRound },
  { runs: serviceRuns, round: serviceRound },
  { runs: forwarderRuns, round: forwarderRound },
];
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < sides.length; i++) {
    const side = sides[(round + i) % sides.length]!;
    side.runs.push(await side.round());
  }
}
const mbps = (ms: number) => totalBytes / MB / (ms / 1000);
const pairRatios = serviceRuns.map((run, i) => directRuns[i]!.wallMs / run.wallMs);
const forwarderRatios = forwarderRuns.map((run, i) => directRuns[i]!.wallMs / run.wallMs);
directRuns.forEach((run, i) =>
  console.log(
    `  round ${i + 1}: direct ${fmt(mbps(run.wallMs))} MB/s   service ${fmt(mbps(serviceRuns[i]!.wallMs))} MB/s   forwarder ${fmt(mbps(forwarderRuns[i]!.wallMs))} MB/s` +
      `   service/direct ${fmt(pairRatios[i]!, 3)}   forwarder/direct ${fmt(forwarderRatios[i]!, 3)}`,
  ),
);
const [directRate, serviceRate, forwarderRate] = [directRuns, serviceRuns, forwarderRuns].map((runs) => mbps(median(runs.map((run) => run.wallMs))));
const ratio = median(pairRatios);
const uploads = ROUNDS * photos.length;
const perUpload = (runs: Round[], field: 'clientCpuMs' | 'serviceCpuMs' | 's3rverCpuMs') => sum(runs.map((run) => run[field])) / uploads;
for (const [side, runs] of [
  ['direct PUT', directRuns],
  ['upload service', serviceRuns],
  ['forwarder', forwarderRuns],
] as const) {
  const requests: Record<string, number> = {};
  for (const run of runs) for (const [kind, count] of Object.entries(run.requests)) requests[kind] = (requests[kind] ?? 0) + count;
  const byKind = Object.entries(requests)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${kind} ${fmt(count / uploads, 2)}`)
    .join(', ');
  const [client, own, s3] = [perUpload(runs, 'clientCpuMs'), side === 'direct PUT' ? 0 : perUpload(runs, 'serviceCpuMs'), perUpload(runs, 's3rverCpuMs')];
  console.log(
    `${side.padEnd(14)} CPU per upload: client ${fmt(client, 2)} ms` +
      (side === 'direct PUT' ? '' : `, ${side} ${fmt(own, 2)} ms`) +
      `, s3rver ${fmt(s3, 2)} ms, all ${fmt(client + own + s3, 2)} ms;   S3 requests per upload ${fmt(sum(Object.values(requests)) / uploads, 2)} (${byKind})`,
  );
}
// What the CPU figures say about throughput, steadier than wall time on a shared machine. Not counting
// the client (the uploader's own work, a browser's in production): the direct side is s3rver's work,
// the service side the upload service's plus s3rver's. With a core per process (as in production, the
// store on machines of its own) the busiest process sets the pace; on a saturated machine, the sum.
const [directS3, serviceOwn, serviceS3] = [perUpload(directRuns, 's3rverCpuMs'), perUpload(serviceRuns, 'serviceCpuMs'), perUpload(serviceRuns, 's3rverCpuMs')];
console.log(
  `from CPU per upload, client not counted: a core per process ${fmt(directS3 / Math.max(serviceOwn, serviceS3), 3)} ` +
    `(s3rver ${fmt(directS3, 1)} ms vs the busier of service ${fmt(serviceOwn, 1)} / s3rver ${fmt(serviceS3, 1)} ms); ` +
    `all on shared cores ${fmt(directS3 / (serviceOwn + serviceS3), 3)}`,
);
const [forwarderOwn, forwarderS3] = [perUpload(forwarderRuns, 'serviceCpuMs'), perUpload(forwarderRuns, 's3rverCpuMs')];
console.log(
  `the forwarder (receive and forward only, the ceiling of any upload service here) from CPU per upload: a core per process ` +
    `${fmt(directS3 / Math.max(forwarderOwn, forwarderS3), 3)}, all on shared cores ${fmt(directS3 / (forwarderOwn + forwarderS3), 3)}; ` +
    `upload service / forwarder, all on shared cores ${fmt((forwarderOwn + forwarderS3) / (serviceOwn + serviceS3), 3)}`,
);
// What the service's own work costs on top of receiving and forwarding: its extra S3 requests (outbox
// entry, dedupe claim, record, entry removal) and everything else it does per upload.
const requestsPerUpload = (runs: Round[]) => sum(runs.flatMap((run) => Object.values(run.requests))) / uploads;
const extraRequests = requestsPerUpload(serviceRuns) - requestsPerUpload(forwarderRuns);
console.log(
  `upload service vs forwarder: +${fmt(extraRequests, 2)} S3 requests per upload, s3rver +${fmt(serviceS3 - forwarderS3, 1)} ms ` +
    `(${fmt((serviceS3 - forwarderS3) / extraRequests, 2)} ms per request), the process itself +${fmt(serviceOwn - forwarderOwn, 1)} ms per upload`,
);
console.log(
  `throughput (median of rounds)  direct PUT ${fmt(directRate!)} MB/s   upload service ${fmt(serviceRate!)} MB/s   forwarder ${fmt(forwarderRate!)} MB/s`,
);
console.log(
  `reference: forwarder/direct ${fmt(median(forwarderRatios), 3)}, upload service/forwarder ${fmt(median(serviceRuns.map((run, i) => forwarderRuns[i]!.wallMs / run.wallMs)), 3)} (medians of rounds)`,
);
console.log(
  `ratio service/direct ${fmt(ratio, 3)} (median of pairs; all rounds pooled ${fmt(sum(directRuns.map((r) => r.wallMs)) / sum(serviceRuns.map((r) => r.wallMs)), 3)})   goal >= 0.85  ${verdict(ratio >= 0.85)}`,
);

// --- part 2: memory of the service process during one 1 GiB upload, on a fresh process
await stopChild(service.child);
await stopChild(forwarder.child);
if (profileDir) {
  // The largest file of each process is its main thread's (the others are tsx's loader thread).
  const newest = (dir: string, before: Set<string>) =>
    readdirSync(dir)
      .filter((name) => name.endsWith('.cpuprofile') && !before.has(name))
      .map((name) => join(dir, name))
      .sort((a, b) => statSync(b).size - statSync(a).size)[0];
  for (const [of, file] of [
    ['the upload service', newest(profileDir, profilesBefore)],
    ['the forwarder', newest(join(profileDir, 'forwarder'), forwarderProfilesBefore)],
  ] as const) {
    if (file) console.log(`profile of ${of}: ${file}\n${summarizeProfile(file, 25)}`);
  }
}
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
