/**
 * bench:bff — the gallery page of the public API (GET /api/photos?limit=50, warm metadata cache) at 64
 * connections, in a fair harness: the BFF and the metadata service each in a process of their own, as
 * production runs them (test/support/processes.ts starts them as `npm start -w` does, NODE_ENV=production),
 * on this machine's Postgres (databases of the run's own), Redis (a key prefix of its own) and RabbitMQ (a
 * vhost of its own); the load generator (the autocannon CLI) in a third process. The baseline is a bare
 * Fastify route in its own process serving the very same JSON text.
 *
 * Prints req/s, latency p50/p99 and the CPU time per request of each process (/proc/<pid>/stat, user +
 * system, read before and after each run), and the goals: BFF + metadata CPU per request <= 2.5x the
 * bare route's, p99 <= 30 ms at 64 connections. On a shared machine CPU per request is the steady figure;
 * latency depends on what else runs.
 *
 * CPU per request depends on the rate (batching), so the goal's ratio is taken with both loaded at the
 * same rate (`--rate`, default 100 req/s); the ratio at 64 connections is printed too.
 *
 *   npm run bench:bff [-- --quick] [--seconds N] [--rate N] [--log-level info] [--profile DIR]
 *
 * `--profile DIR` profiles the BFF and metadata as `--cpu-prof` does (lib/cpu-profiler-preload.mjs; written
 * to DIR when they stop; one more BFF run at the end, the only one profiled) and prints the functions with the most self time of each (scripts/bench/lib/cpu-profile.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { photoCatalogue } from '@photos/contracts';
import { createRabbitMqBus } from '@photos/event-bus';
import { createTestVhost } from '@photos/event-bus/test-support/rabbitmq-vhost';
import { createTokenSigner } from '@photos/service-kit';
import pg from 'pg';
import { processed, uploaded } from '../../services/metadata/src/test-support/photo-events.js';
import { deleteCacheKeys } from '../../services/metadata/src/test-support/test-app.js';
import { startService, type ServiceProcess } from '../../test/support/processes.js';
import { fmt, machine, quick, ROOT } from './lib/bench-kit.js';
import { summarizeProfile } from './lib/cpu-profile.js';
import { cpuMicrosOf, loadFromChild, type LoadResult } from './lib/http-load.js';
import { firstJsonLine, spawnTs, stopChild } from './lib/processes.js';

const argument = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
};
const seconds = Number(argument('--seconds') ?? (quick ? 5 : 15));
const logLevel = argument('--log-level') ?? 'warn';
const profileDir = argument('--profile') === undefined ? undefined : resolve(argument('--profile')!);
const connections = 64;
// CPU per request depends on the rate: a process answering thousands a second batches its wake-ups and
// writes, one answering a hundred does not. So both are also measured at one same, moderate rate.
const rate = Number(argument('--rate') ?? 100);
const GOAL_CPU_RATIO = 2.5;
const GOAL_P99_MS = 30;

const suffix = randomUUID().slice(0, 8);
const databases = { metadata: `bench_bff_metadata_${suffix}`, accounts: `bench_bff_accounts_${suffix}` };
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
const dir = mkdtempSync(join(tmpdir(), 'bench-bff-'));
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const cachePrefix = `bench-bff-${suffix}:`;
const services: ServiceProcess[] = [];
let bare: ReturnType<typeof spawnTs> | undefined;
let vhost: Awaited<ReturnType<typeof createTestVhost>> | undefined;
let bus: Awaited<ReturnType<typeof createRabbitMqBus>> | undefined;

/** metadata_cache_requests_total{kind="page"} by result (hit, miss, error, bypass), from metadata's /metrics. */
async function pageLookups(metricsUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const [, result, value] of text.matchAll(/^metadata_cache_requests_total\{(?=[^}]*kind="page")[^}]*result="(\w+)"[^}]*\} (\d+)/gm))
    counts[result!] = Number(value);
  return counts;
}

async function cleanUp() {
  if (bare) await stopChild(bare);
  // SIGTERM: a graceful stop, which is also when --cpu-prof writes its profile.
  await Promise.all(services.map((s) => s.stop()));
  await bus?.close().catch(() => undefined);
  for (const name of Object.values(databases)) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  await admin.end().catch(() => undefined);
  await vhost?.remove().catch(() => undefined);
  await deleteCacheKeys(cachePrefix, redisUrl).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}

try {
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  await admin.connect();
  for (const name of Object.values(databases)) await admin.query(`CREATE DATABASE ${name}`);
  vhost = await createTestVhost('bench-bff');
  const env = {
    JWT_SECRET: 'bench-secret-0123456789-0123456789-0123456789',
    LOG_LEVEL: logLevel,
    REDIS_URL: redisUrl,
    CACHE_PREFIX: cachePrefix,
    AMQP_URL: vhost.url,
    KAFKA_BROKERS: '',
    // Buckets on disk: variant URLs are the BFF's own signed /media URLs (as `npm start`, or an S3 store browsers cannot reach).
    DATA_DIR: dir,
  };
  // Node refuses --cpu-prof in NODE_OPTIONS: a preload does the same through the inspector.
  const profiled = (name: string): Record<string, string> =>
    profileDir
      ? {
          NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import=${pathToFileURL(join(ROOT, 'scripts/bench/lib/cpu-profiler-preload.mjs'))}`.trim(),
          CPU_PROFILE_DIR: profileDir,
          CPU_PROFILE_NAME: name,
        }
      : {};
  const metadata = await startService('metadata', 'metadata', {
    ...env,
    ...profiled('metadata'),
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${databases.metadata}`,
    MIGRATE_ON_START: 'true',
  });
  services.push(metadata);
  const bff = await startService('bff', 'bff', {
    ...env,
    ...profiled('bff'),
    METADATA_URL: metadata.url,
    ACCOUNTS_DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${databases.accounts}`,
  });
  services.push(bff);

  // 60 ready photos for one owner, projected by metadata from real events on the broker.
  const owner = `bench-owner-${suffix}`;
  bus = await createRabbitMqBus({ url: vhost.url, catalogue: photoCatalogue });
  for (let i = 0; i < 60; i++) {
    const id = randomUUID();
    await bus.publish(uploaded(id, owner));
    await bus.publish(processed(id, owner));
  }
  const token = createTokenSigner({ secret: env.JWT_SECRET, issuer: 'photo-platform', audience: 'photo-platform', expiresInSeconds: 3600 })({ sub: owner });
  const headers = { authorization: `Bearer ${token}` };
  const path = '/api/photos?limit=50';
  let body = '';
  for (let tries = 0; ; tries++) {
    body = await (await fetch(bff.url + path, { headers })).text();
    const page = JSON.parse(body) as { items?: { status: string }[] };
    if (page.items?.filter((p) => p.status === 'ready').length === 50) break;
    if (tries > 300) throw new Error(`the gallery never showed 50 ready photos: ${body.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  const bodyFile = join(dir, 'page.json');
  writeFileSync(bodyFile, body);
  bare = spawnTs('scripts/bench/lib/bare-json-route.ts', { BENCH_BODY_FILE: bodyFile });
  const { url: bareUrl } = await firstJsonLine<{ url: string }>(bare);

  const pids = { bff: bff.child.pid!, metadata: metadata.child.pid!, bare: bare.pid! };
  const run = (url: string, watch: Record<string, number>) => loadFromChild({ url, connections, seconds, headers, watch });
  const check = (name: string, result: LoadResult) => {
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors of ${result.requests}`);
    return result;
  };

  console.log(`bench:bff ${new Date().toISOString()}, ${machine()}, node ${process.version}, LOG_LEVEL=${logLevel}`);
  // What each process spends with no request at all (timers, the bus, the pools' keep-alives): at a low
  // request rate it weighs on the CPU per request.
  const idleBefore = { bff: cpuMicrosOf(pids.bff), metadata: cpuMicrosOf(pids.metadata), bare: cpuMicrosOf(pids.bare) };
  await new Promise((r) => setTimeout(r, 5_000));
  const idle = (name: keyof typeof idleBefore) => fmt((cpuMicrosOf(pids[name]) - idleBefore[name]) / 5_000, 1);
  console.log(`idle CPU: BFF ${idle('bff')} ms/s, metadata ${idle('metadata')} ms/s, bare ${idle('bare')} ms/s`);
  // Warm-up of every path (JIT, connection pools, cache), shorter than a measured run.
  const warm = { url: '', connections, seconds: Math.min(seconds, 5), headers, watch: {} };
  await loadFromChild({ ...warm, url: bff.url + path });
  await loadFromChild({ ...warm, url: bareUrl + path });
  // Bare, BFF, bare: the baseline around the measured run, so drift on the machine shows.
  const bareBefore = check('bare', await run(bareUrl + path, { bare: pids.bare }));
  const lookupsBefore = await pageLookups(metadata.metricsUrl);
  const gallery = check('bff', await run(bff.url + path, { bff: pids.bff, metadata: pids.metadata }));
  const lookups = Object.fromEntries(Object.entries(await pageLookups(metadata.metricsUrl)).map(([result, n]) => [result, n - (lookupsBefore[result] ?? 0)]));
  const bareAfter = check('bare', await run(bareUrl + path, { bare: pids.bare }));
  const upstream = check('metadata', await run(`${metadata.url}/photos?limit=50`, { metadata: pids.metadata }));
  // What the BFF asks metadata on a warm page: the same, with the ETag of the page it already made (304, no body).
  const etag = (await fetch(`${metadata.url}/photos?limit=50`, { headers })).headers.get('etag') ?? '';
  const upstreamConditional = await loadFromChild({
    url: `${metadata.url}/photos?limit=50`,
    connections,
    seconds,
    headers: { ...headers, 'if-none-match': etag },
    watch: { metadata: pids.metadata },
  });
  if (upstreamConditional.errors > 0 || !etag) throw new Error(`metadata (conditional): ${upstreamConditional.errors} errors, ETag ${etag || 'none'}`);
  const atRate = (url: string, watch: Record<string, number>) => loadFromChild({ url, connections: 16, seconds, headers, rate, watch });
  const bareAtRate = check('bare', await atRate(bareUrl + path, { bare: pids.bare }));
  const galleryAtRate = check('bff', await atRate(bff.url + path, { bff: pids.bff, metadata: pids.metadata }));

  const bareCpu = (bareBefore.cpuPerRequest['bare']! + bareAfter.cpuPerRequest['bare']!) / 2;
  const galleryCpu = gallery.cpuPerRequest['bff']! + gallery.cpuPerRequest['metadata']!;
  const line = (name: string, r: LoadResult, cpu: string) =>
    console.log(
      `${name.padEnd(26)} ${fmt(r.rps, 0).padStart(6)} req/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(4)} ms  ${cpu}  (generator ${fmt(r.cpuPerRequest['load generator']!, 0)} µs/req)`,
    );
  console.log(`gallery page: ${Buffer.byteLength(body)} bytes, 50 items, ${connections} connections, ${seconds} s per run`);
  line('bare Fastify (before)', bareBefore, `CPU ${fmt(bareBefore.cpuPerRequest['bare']!, 0)} µs/req`);
  line(
    'BFF gallery page',
    gallery,
    `CPU ${fmt(galleryCpu, 0)} µs/req = BFF ${fmt(gallery.cpuPerRequest['bff']!, 0)} + metadata ${fmt(gallery.cpuPerRequest['metadata']!, 0)}`,
  );
  // A page read from the database instead of the cache (Redis slow or out of reach) costs several times more.
  console.log(
    `  metadata page cache during the BFF run: ${
      Object.entries(lookups)
        .map(([result, n]) => `${result} ${n}`)
        .join(', ') || 'no lookups'
    }`,
  );
  line('bare Fastify (after)', bareAfter, `CPU ${fmt(bareAfter.cpuPerRequest['bare']!, 0)} µs/req`);
  line('metadata alone (upstream)', upstream, `CPU ${fmt(upstream.cpuPerRequest['metadata']!, 0)} µs/req`);
  line('metadata alone, 304', upstreamConditional, `CPU ${fmt(upstreamConditional.cpuPerRequest['metadata']!, 0)} µs/req`);
  console.log(`at ${rate} req/s for both (16 connections):`);
  line('bare Fastify', bareAtRate, `CPU ${fmt(bareAtRate.cpuPerRequest['bare']!, 0)} µs/req`);
  const galleryCpuAtRate = galleryAtRate.cpuPerRequest['bff']! + galleryAtRate.cpuPerRequest['metadata']!;
  line(
    'BFF gallery page',
    galleryAtRate,
    `CPU ${fmt(galleryCpuAtRate, 0)} µs/req = BFF ${fmt(galleryAtRate.cpuPerRequest['bff']!, 0)} + metadata ${fmt(galleryAtRate.cpuPerRequest['metadata']!, 0)}`,
  );
  console.log(`CPU/request ratio BFF + metadata / bare at ${connections} connections: ${fmt(galleryCpu / bareCpu, 1)}x`);
  const ratio = galleryCpuAtRate / bareAtRate.cpuPerRequest['bare']!;
  const bareRps = (bareBefore.rps + bareAfter.rps) / 2;
  console.log(`throughput BFF / bare: ${fmt(gallery.rps / bareRps, 2)}`);
  console.log(
    `goal CPU/request (BFF + metadata) <= ${GOAL_CPU_RATIO}x bare, at ${rate} req/s each: ${fmt(ratio, 2)}x -> ${ratio <= GOAL_CPU_RATIO ? 'MET' : 'MISS'}`,
  );
  console.log(
    `goal p99 <= ${GOAL_P99_MS} ms at ${connections} connections: ${gallery.p99} ms -> ${gallery.p99 <= GOAL_P99_MS ? 'MET' : 'MISS'} (machine ${machine()}; bare p99 ${bareBefore.p99}/${bareAfter.p99} ms)`,
  );
  if (profileDir) {
    // One more BFF run, the only one profiled (profiling starts at SIGWINCH and ends with the process).
    for (const pid of [pids.bff, pids.metadata]) process.kill(pid, 'SIGWINCH');
    const profiled = check('bff', await run(bff.url + path, { bff: pids.bff, metadata: pids.metadata }));
    console.log(
      `profiled BFF run: ${fmt(profiled.rps, 0)} req/s, CPU BFF ${fmt(profiled.cpuPerRequest['bff']!, 0)} + metadata ${fmt(profiled.cpuPerRequest['metadata']!, 0)} µs/req`,
    );
  }
} catch (error) {
  for (const s of services) console.error(`--- ${s.name} (exit ${s.child.exitCode ?? s.child.signalCode})\n${s.output().slice(-3000)}`);
  throw error;
} finally {
  await cleanUp();
}

if (profileDir) {
  for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))) {
    console.log(`\n${join(profileDir, file)}`);
    console.log(summarizeProfile(join(profileDir, file)));
  }
}
