/**
 * bench:metadata — one owner's gallery pages, newest first, with 100 000 photos, in one process, one run.
 *
 * Compared, on the same 201 pages of 50 (the first page and 200 cursors spread over the whole gallery):
 *   raw pg        a `pg` pool running the page's keyset SQL (prepared), rows returned: the physical limit.
 *   prisma        the service's page query through Prisma + @prisma/adapter-pg, mapped to the API view.
 *   service miss  GET /photos through the whole app (auth, validation, serialization), every lookup a
 *                 cache miss (the Redis round trips and the write-back included), so the database answers.
 *   service hit   the same with the pages in Redis.
 * For each: latency p50/p99 one request at a time, then throughput with 16 requests in flight. Modes run
 * in turn over several rounds so that drift hits them alike. Requests go through `app.inject` (no socket):
 * the figures are the service's own cost, not the network's.
 *
 *   npm run bench:metadata [-- --quick]     (PostgreSQL and Redis of BENCH_POSTGRES_URL / REDIS_URL)
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { photoCatalogue } from '@photos/contracts';
import { createMemoryBus, MemoryBroker } from '@photos/event-bus';
import { createTokenSigner, loadConfig, type ServiceApp } from '@photos/service-kit';
import pg from 'pg';
import type { CacheStore } from '../src/adapters/cache-store.js';
import { openDatabase } from '../src/adapters/database.js';
import { createPhotoQueries } from '../src/adapters/photo-queries.js';
import { createRedisCacheStore } from '../src/adapters/redis-cache-store.js';
import { buildMetadataApp } from '../src/app.js';
import { metadataConfigSchema } from '../src/config.js';
import { encodeCursor, type PagePosition } from '../src/domain/page-cursor.js';
import { toPage } from '../src/domain/photo-page.js';
import { deleteCacheKeys } from '../src/test-support/test-app.js';

const quick = process.argv.includes('--quick');
const PHOTOS = 100_000;
const LIMIT = 50;
const ROUNDS = quick ? 2 : 4;
const SEQUENTIAL = quick ? 300 : 1_000; // requests per mode and round, one at a time
const CONCURRENT = quick ? 600 : 2_000; // requests per mode and round, IN_FLIGHT at once
const IN_FLIGHT = 16;
const OWNER = 'bench-owner';

// --- a database of its own, 100 000 photos of one owner among 100 000 of 100 others
const server = new URL(process.env['BENCH_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
const dbName = `metadata_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const admin = async (sql: string) => {
  const client = new pg.Client({ connectionString: server.toString() });
  await client.connect();
  await client.query(sql).finally(() => client.end());
};
await admin(`CREATE DATABASE ${dbName}`);
const dbUrl = new URL(server);
dbUrl.pathname = `/${dbName}`;
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `metadata-bench:${randomUUID().slice(0, 8)}:`;

const database = openDatabase({ url: dbUrl.toString() });
const rawPool = new pg.Pool({ connectionString: dbUrl.toString(), max: 10 });
const apps: ServiceApp[] = [];
const stores: CacheStore[] = [];
try {
  await database.migrate();
  console.log(`metadata bench: ${availableParallelism()} cores, load ${loadavg()[0]!.toFixed(1)}; filling ${dbName}...`);
  // In SQL (a bulk import); the owner is an SQL expression, so that one statement can spread rows over owners.
  const fill = (ownerExpr: string, count: number) =>
    database.prisma.$executeRawUnsafe(`
    INSERT INTO photos (id, owner_id, status, filename, content_type, bytes, sha256, width, height, taken_at, taken_at_local,
                        uploaded_at, placeholder, dominant_color, exif, variants, status_event_time, status_event_id, updated_at)
    SELECT id, ${ownerExpr}, 'ready', 'IMG_' || i || '.jpg', 'image/jpeg', 2483112, repeat('9', 64), 3024, 4032,
           '2026-08-14T18:02:11+02:00', '2026-08-14 18:02:11', timestamptz '2026-01-01' + i * interval '1 second',
           '1QcSHQRnh493V4dIh4eXh1h4kJUI', '#6a7f4c', '{"iso": 64, "cameraMake": "Apple", "cameraModel": "iPhone 15"}',
           jsonb_build_object(
             'thumb', jsonb_build_object('key', 'variants/' || id || '/thumb-9f2c6a1b.webp', 'width', 240, 'height', 320, 'bytes', 14210, 'format', 'webp'),
             'preview', jsonb_build_object('key', 'variants/' || id || '/preview-9f2c6a1b.jpeg', 'width', 1080, 'height', 1440, 'bytes', 212004, 'format', 'jpeg')),
           now(), 'bench', now()
    FROM (SELECT gen_random_uuid() AS id, i FROM generate_series(1, ${count}) AS i) AS g`);
  await fill(`'${OWNER}'`, PHOTOS);
  await fill(`'other-' || (i % 100)`, PHOTOS);
  await database.prisma.$executeRaw`VACUUM ANALYZE photos`;

  // --- the pages: the first one and 200 cursors spread over the gallery
  const positions = await database.prisma.$queryRaw<PagePosition[]>`
    SELECT "uploadedAt", id FROM (
      SELECT uploaded_at AS "uploadedAt", id::text AS id, row_number() OVER (ORDER BY uploaded_at DESC, id DESC) AS n
      FROM photos WHERE owner_id = ${OWNER}) AS ordered
    WHERE n % ${PHOTOS / 200} = 1`;
  const pages: (PagePosition | undefined)[] = [undefined, ...positions];
  const urls = pages.map((after) => `/photos?limit=${LIMIT}${after ? `&cursor=${encodeCursor(after)}` : ''}`);

  // --- the four ways of reading a page
  const secret = 'bench-secret-0123456789-0123456789-0123456789';
  const headers = {
    authorization: `Bearer ${createTokenSigner({ secret, issuer: 'photo-platform', audience: 'photo-platform', expiresInSeconds: 3600 })({ sub: OWNER })}`,
  };
  const config = loadConfig(metadataConfigSchema, {
    JWT_SECRET: secret,
    LOG_LEVEL: 'silent',
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: redisUrl,
    CACHE_PREFIX: prefix,
  });
  const bus = createMemoryBus({ broker: new MemoryBroker(), catalogue: photoCatalogue });
  const appWith = async (cacheStore: CacheStore) => {
    const app = await buildMetadataApp({ config, database, bus, cacheStore });
    await app.ready();
    apps.push(app);
    return app;
  };
  const hitStore = createRedisCacheStore({ url: redisUrl });
  // Counters pass; cached values are never found (but still written back), as on a miss.
  const missStore = createRedisCacheStore({ url: redisUrl });
  const alwaysMiss: CacheStore = {
    get usable() {
      return missStore.usable;
    },
    get: async (keys) => (await missStore.get(keys)).map((value, i) => (keys[i]!.startsWith(`${prefix}page:`) ? undefined : value)),
    getVersioned: async (counterKeys, head, tail) => {
      const found = await missStore.getVersioned(counterKeys, head, tail);
      return head.startsWith(`${prefix}page:`) ? { key: found.key } : found;
    },
    getVersionedUnlessPrefixed: async (counterKeys, head, tail, valuePrefix) => {
      const found = await missStore.getVersionedUnlessPrefixed(counterKeys, head, tail, valuePrefix);
      return head.startsWith(`${prefix}page:`) ? { key: found.key } : found;
    },
    set: (key, value, ttlSeconds) => missStore.set(key, value, ttlSeconds),
    increment: (keys) => missStore.increment(keys),
    onLostIncrements: (listener) => missStore.onLostIncrements(listener),
    close: () => missStore.close(),
  };
  stores.push(hitStore, missStore);
  const hitApp = await appWith(hitStore);
  const missApp = await appWith(alwaysMiss);
  while (!hitStore.usable || !missStore.usable) await new Promise((resolve) => setTimeout(resolve, 20));

  const get = (app: ServiceApp) => async (i: number) => {
    const response = await app.inject({ method: 'GET', url: urls[i % urls.length]!, headers });
    if (response.statusCode !== 200) throw new Error(`GET ${urls[i % urls.length]} -> ${response.statusCode} ${response.body}`);
    return response.body.length;
  };
  const queries = createPhotoQueries(database.prisma);
  const columns = `id, owner_id, status, filename, content_type, bytes, sha256, width, height, taken_at, taken_at_local, uploaded_at,
                   placeholder, dominant_color, variants, failure_code, failure_reason, status_event_time, status_event_id`;
  const modes: Record<string, (i: number) => Promise<unknown>> = {
    'raw pg': async (i) => {
      const after = pages[i % pages.length];
      const { rows } = after
        ? await rawPool.query({
            name: 'page-after',
            text: `SELECT ${columns} FROM photos WHERE owner_id = $1 AND (uploaded_at, id) < ($2, $3) ORDER BY uploaded_at DESC, id DESC LIMIT ${LIMIT + 1}`,
            values: [OWNER, after.uploadedAt, after.id],
          })
        : await rawPool.query({
            name: 'page-first',
            text: `SELECT ${columns} FROM photos WHERE owner_id = $1 ORDER BY uploaded_at DESC, id DESC LIMIT ${LIMIT + 1}`,
            values: [OWNER],
          });
      if (rows.length === 0) throw new Error('empty page');
    },
    prisma: async (i) => {
      const after = pages[i % pages.length];
      const page = toPage(await queries.page(OWNER, { limit: LIMIT, ...(after ? { after } : {}) }), LIMIT);
      if (page.items.length === 0) throw new Error('empty page');
    },
    'service miss': get(missApp),
    'service hit': get(hitApp),
  };

  // Warm up every path (JIT, prepared statements, pools) and fill the cache with every page.
  for (const run of Object.values(modes)) for (let i = 0; i < urls.length; i++) await run(i);
  await new Promise((resolve) => setTimeout(resolve, 200));
  // Numbers, not the registry's objects: prom-client updates those in place.
  const pageLookups = async (result: string) =>
    (await hitApp.metrics.getSingleMetric('metadata_cache_requests_total')!.get()).values.find(
      (v) => v.labels['kind'] === 'page' && v.labels['result'] === result,
    )?.value ?? 0;
  const [hitsBefore, missesBefore] = [await pageLookups('hit'), await pageLookups('miss')];

  const latencies: Record<string, number[]> = {};
  const throughputs: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(modes)) {
      const offset = Math.floor(Math.random() * urls.length);
      const samples = (latencies[name] ??= []);
      for (let i = 0; i < SEQUENTIAL; i++) {
        const start = performance.now();
        await run(offset + i);
        samples.push(performance.now() - start);
      }
      let next = 0;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next < CONCURRENT) await run(offset + next++);
        }),
      );
      (throughputs[name] ??= []).push(CONCURRENT / ((performance.now() - start) / 1000));
    }
  }

  const hits = (await pageLookups('hit')) - hitsBefore;
  const hitRate = hits / (hits + (await pageLookups('miss')) - missesBefore);

  const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;
  const median = (values: number[]) => percentile(values, 50);
  const row = (name: string) => ({ p50: percentile(latencies[name]!, 50), p99: percentile(latencies[name]!, 99), rps: median(throughputs[name]!) });
  console.log(`\n${PHOTOS} photos for one owner (+${PHOTOS} of 100 others), pages of ${LIMIT} over ${urls.length} positions; ${ROUNDS} rounds`);
  console.log(`${'mode'.padEnd(14)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${`req/s @${IN_FLIGHT}`.padStart(11)}`);
  for (const name of Object.keys(modes)) {
    const { p50, p99, rps } = row(name);
    console.log(`${name.padEnd(14)} ${p50.toFixed(2).padStart(8)} ${p99.toFixed(2).padStart(8)} ${rps.toFixed(0).padStart(11)}`);
  }
  const [raw, hit, miss] = [row('raw pg'), row('service hit'), row('service miss')];
  console.log(
    `\nratios (p50 latency, throughput): hit/raw pg ${(hit.p50 / raw.p50).toFixed(2)}x, ${(hit.rps / raw.rps).toFixed(2)}x;`,
    `miss/raw pg ${(miss.p50 / raw.p50).toFixed(2)}x, ${(miss.rps / raw.rps).toFixed(2)}x; hit/miss ${(hit.p50 / miss.p50).toFixed(2)}x, ${(hit.rps / miss.rps).toFixed(2)}x`,
  );
  console.log(`page cache hit rate in the "service hit" runs: ${(hitRate * 100).toFixed(1)}%`);
  await bus.close();
} finally {
  for (const app of apps) await app.close();
  for (const store of stores) await store.close();
  await rawPool.end();
  await database.close();
  await deleteCacheKeys(prefix, redisUrl);
  await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
}
