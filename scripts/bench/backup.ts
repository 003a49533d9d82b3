/**
 * Recovery point and time of the embedded backup and of the metadata rebuild, measured on N photos
 * (`npm run bench:backup -- [--photos N] [--long-edge PX]`, default 300 photos of 1280 px): N photos uploaded into an embedded platform and
 * processed, the platform stopped; then timed: `backup`, `verify`, `restore` (scripts/backup-embedded.ts);
 * then the services started on the restored DATA_DIR with metadata on a new, empty PostgreSQL database,
 * and timed: publishing the recorded uploads again until every photo has its final status in metadata
 * (scripts/rebuild-metadata-events.ts: the processor re-derives every variant, which is most of the time).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bffService } from '@photos/bff/service';
import { photoCatalogue } from '@photos/contracts';
import { createMemoryBus, MemoryBroker } from '@photos/event-bus';
import { metadataService } from '@photos/metadata/service';
import { createObjectStore } from '@photos/object-store';
import { processorService } from '@photos/processor/service';
import { startServices } from '@photos/service-kit';
import { uploadService } from '@photos/upload/service';
import pg from 'pg';
import { startEmbeddedPlatform } from '../../apps/embedded/src/embedded-platform.js';
import { numberedPhotos } from '../../test/support/distinct-photos.js';
import { apiClient } from '../../test/support/public-api.js';
import { backup, restore, verify } from '../backup-embedded.js';
import { republishRecordedUploads } from '../rebuild-metadata-events.js';
import { machine } from './lib/bench-kit.js';

const { values } = parseArgs({ options: { photos: { type: 'string', default: '300' }, 'long-edge': { type: 'string', default: '1280' } } });
const count = Number(values.photos);
const work = mkdtempSync(join(tmpdir(), 'bench-backup-'));
const seconds = (since: number) => (performance.now() - since) / 1000;
const until = async (check: () => Promise<boolean>) => {
  // Counting a large gallery is itself work for the platform: look less often.
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, count > 1000 ? 5000 : 500));
};

try {
  console.log(`${count} photos; ${machine()}`);
  const original = join(work, 'original');
  const platform = await startEmbeddedPlatform({
    dataDir: original,
    port: 0,
    host: '127.0.0.1',
    env: { LOG_LEVEL: 'error', SCRYPT_COST: '12', ACCESS_TOKEN_TTL_SECONDS: '86400' },
  });
  const api = apiClient(platform.url);
  const { accessToken } = await api.register('bench@example.com', 'a password for the backup bench');
  const photos = await numberedPhotos(count, Number(values['long-edge']));
  let started = performance.now();
  for (let i = 0; i < photos.length; i += 10) {
    const answer = await api.upload(accessToken, photos.slice(i, i + 10));
    if (answer.status !== 202) throw new Error(`upload: ${answer.status} ${await answer.text()}`);
  }
  const total = async () => {
    let done = 0;
    let cursor: string | null = null;
    do {
      const page: { items: { status: string }[]; nextCursor: string | null } = await api.list(accessToken, `?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      done += page.items.filter((p) => p.status !== 'processing').length;
      cursor = page.nextCursor;
    } while (cursor);
    return done;
  };
  await until(async () => (await total()) === count);
  console.log(`uploaded and processed: ${seconds(started).toFixed(1)} s`);
  await platform.stop();

  const backupDir = join(work, 'backup');
  started = performance.now();
  const manifest = await backup(original, backupDir);
  console.log(`backup: ${seconds(started).toFixed(1)} s (${manifest.counts.files} files, ${(manifest.counts.bytes / 1e6).toFixed(1)} MB)`);
  started = performance.now();
  const problems = await verify(backupDir);
  console.log(`verify: ${seconds(started).toFixed(1)} s (${problems.length} problems)`);
  const restored = join(work, 'restored');
  started = performance.now();
  await restore(backupDir, restored);
  console.log(`restore: ${seconds(started).toFixed(1)} s`);

  const admin = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  const database = `bench_rebuild_${process.pid}`;
  await admin.query(`CREATE DATABASE ${database}`);
  const databaseUrl = `postgresql://postgres@127.0.0.1:5432/${database}`;
  const broker = new MemoryBroker();
  const services = await startServices(
    [
      { definition: metadataService, listen: { port: 0, host: '127.0.0.1' } },
      { definition: processorService },
      { definition: uploadService },
      { definition: bffService, env: { UPLOAD_URL: 'http://127.0.0.1:1', METADATA_URL: 'http://127.0.0.1:1' } },
    ],
    {
      env: {
        LOG_LEVEL: 'error',
        DATA_DIR: restored,
        JWT_SECRET: 'bench-backup-secret-0123456789-0123456789',
        DATABASE_URL: databaseUrl,
        MIGRATE_ON_START: 'true',
        KAFKA_BROKERS: '',
        AMQP_URL: '',
        S3_ENDPOINT: '',
        ACCOUNTS_DATABASE_URL: '',
        REDIS_URL: '',
      },
      memoryBroker: broker,
    },
  );
  const metadata = new pg.Client({ connectionString: databaseUrl });
  await metadata.connect();
  started = performance.now();
  const result = await republishRecordedUploads({
    originals: createObjectStore({ DATA_DIR: restored, S3_REGION: 'us-east-1' }, 'originals'),
    bus: createMemoryBus({ broker, catalogue: photoCatalogue }),
  });
  const published = seconds(started);
  await until(async () => (await metadata.query(`SELECT count(*)::int AS n FROM photos WHERE status <> 'processing'`)).rows[0].n === count);
  console.log(
    `rebuild: ${seconds(started).toFixed(1)} s (${result.published} events published in ${published.toFixed(1)} s, the rest is the processor re-deriving variants)`,
  );
  await metadata.end();
  await services.stop();
  await admin.query(`DROP DATABASE ${database} WITH (FORCE)`);
  await admin.end();
} finally {
  rmSync(work, { recursive: true, force: true });
}
// Some handle of the stopped services keeps the event loop alive: the figures are out, end here.
process.exit();
