/**
 * bench:bff — the gallery page of the public API (GET /api/photos, 50 items, warm metadata cache) at 64
 * connections, against a bare Fastify route serving the same JSON, in the same run and process.
 * The BFF path is real: JWT check, HTTP call to the metadata service (real Postgres + Redis cache),
 * signed variant URLs. Read: req/s and p99 of each, and the ratio BFF / bare (1.0 = no overhead).
 * `--split` also loads the metadata service alone (the BFF's upstream call), to split the cost.
 *   npm run bench:bff [-- --quick] [--split]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import pg from 'pg';
import { photoCatalogue } from '@photos/contracts';
import { createMemoryBus, MemoryBroker } from '@photos/event-bus';
import { createTokenSigner, startServices } from '@photos/service-kit';
import { bffService } from '../../services/bff/src/service.js';
import { metadataService } from '../../services/metadata/src/service.js';
import { processed, uploaded } from '../../services/metadata/src/test-support/photo-events.js';

const quick = process.argv.includes('--quick');
const split = process.argv.includes('--split');
const seconds = quick ? 5 : 15;
const connections = 64;
const suffix = randomUUID().slice(0, 8);
const database = `bench_bff_${suffix}`;
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
const dir = mkdtempSync(join(tmpdir(), 'bench-bff-'));
const env = {
  JWT_SECRET: 'bench-secret-0123456789-0123456789-0123456789',
  LOG_LEVEL: 'silent',
  DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
  REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  CACHE_PREFIX: `bench-${suffix}:`,
  DATA_DIR: dir,
};

await admin.connect();
await admin.query(`CREATE DATABASE ${database}`);
const broker = new MemoryBroker();
// As the embedded mode runs them (one memory broker), metadata on Postgres with its Redis cache.
const services = await startServices(
  [
    { definition: metadataService, env: { MIGRATE_ON_START: 'true' }, listen: { port: 0, host: '127.0.0.1' } },
    {
      definition: bffService,
      // No REDIS_URL: the BFF's limits in the shared Redis would count other runs too; accounts in PGlite.
      env: (urls) => ({ METADATA_URL: urls['metadata'], WEB_DIST_DIR: join(dir, 'none'), REDIS_URL: '' }),
      listen: { port: 0, host: '127.0.0.1' },
    },
  ],
  { env, memoryBroker: broker },
);
const bffUrl = services.services['bff']!.url!;
const metadataUrl = services.services['metadata']!.url!;

// 60 ready photos for one owner, projected from real events.
const owner = `bench-owner-${suffix}`;
const publisher = createMemoryBus({ broker, catalogue: photoCatalogue });
for (let i = 0; i < 60; i++) {
  const id = randomUUID();
  await publisher.publish(uploaded(id, owner));
  await publisher.publish(processed(id, owner));
}
const token = createTokenSigner({ secret: env.JWT_SECRET, issuer: 'photo-platform', audience: 'photo-platform', expiresInSeconds: 3600 })({ sub: owner });
const headers = { authorization: `Bearer ${token}` };
const path = '/api/photos?limit=50';
let body = '';
for (let tries = 0; tries < 100; tries++) {
  body = await (await fetch(bffUrl + path, { headers })).text();
  if ((JSON.parse(body) as { items: { status: string }[] }).items.filter((p) => p.status === 'ready').length === 50) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}

const bare = Fastify();
bare.get('/api/photos', (_request, reply) => reply.type('application/json').send(body));
const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });

async function load(url: string, route = path) {
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({ url: url + route, connections, duration: seconds, headers });
  const cpu = process.cpuUsage(cpuBefore);
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  // CPU time of the whole process (autocannon included) per request: steadier than req/s on a busy machine.
  const cpuUs = (cpu.user + cpu.system) / Math.max(result.requests.total, 1);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuUs };
}

await load(bffUrl); // warm-up: JIT, connection pools, cache
const measured = await load(bffUrl);
const baseline = await load(bareUrl);
// The metadata service alone (the BFF's upstream call), to split the BFF's cost.
const upstream = split ? await load(metadataUrl, '/photos?limit=50') : undefined;
console.log(`gallery page: ${Buffer.byteLength(body)} bytes, 50 items, ${connections} connections, ${seconds} s each`);
console.log(
  `bare Fastify (same JSON): ${baseline.rps.toFixed(0)} req/s, p50 ${baseline.p50} ms, p99 ${baseline.p99} ms, ${baseline.cpuUs.toFixed(0)} µs CPU/req`,
);
console.log(
  `BFF gallery page        : ${measured.rps.toFixed(0)} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms, ${measured.cpuUs.toFixed(0)} µs CPU/req`,
);
if (upstream)
  console.log(
    `metadata alone (upstream): ${upstream.rps.toFixed(0)} req/s, p50 ${upstream.p50} ms, p99 ${upstream.p99} ms, ${upstream.cpuUs.toFixed(0)} µs CPU/req`,
  );
console.log(
  `ratio BFF / bare: throughput ${(measured.rps / baseline.rps).toFixed(2)}, p99 ${(measured.p99 / Math.max(baseline.p99, 1)).toFixed(1)}x (goal: p99 < 30 ms)`,
);

await bare.close();
await services.stop();
await admin.query(`DROP DATABASE ${database} WITH (FORCE)`);
await admin.end();
rmSync(dir, { recursive: true, force: true });
