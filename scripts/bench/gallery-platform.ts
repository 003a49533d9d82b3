/**
 * A platform holding one user with many photos, seeded in seconds: the services as the embedded mode
 * composes them (buckets as directories, one memory broker, the BFF's accounts in PGlite) but without
 * the processor, and metadata on a PostgreSQL database of its own (127.0.0.1:5432, dropped at stop).
 * Each photo is a real `photo.uploaded` + `photo.processed` pair projected by metadata's own rules
 * (projectEvent, rowOf) and inserted in bulk: through the bus, one transaction per event, 10,000 photos
 * took minutes here. Each photo has a small real WebP thumbnail of its own in the variants bucket, so
 * the browser loads real images through the BFF's signed /media URLs.
 * Used by `npm run bench:gallery` and the timeline's browser spec.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import pg from 'pg';
import { MemoryBroker } from '@photos/event-bus';
import { createObjectStore } from '@photos/object-store';
import { startServices } from '@photos/service-kit';
import { bffService } from '../../services/bff/src/service.js';
import { metadataService } from '../../services/metadata/src/service.js';
import { uploadService } from '../../services/upload/src/service.js';
import { openDatabase } from '../../services/metadata/src/adapters/database.js';
import { rowOf } from '../../services/metadata/src/adapters/photo-rows.js';
import { projectEvent } from '../../services/metadata/src/domain/photo-projection.js';
import type { PhotoRecord } from '../../services/metadata/src/domain/photo-record.js';
import type { Prisma } from '../../services/metadata/src/generated/prisma/client.js';
import { processed, uploaded } from '../../services/metadata/src/test-support/photo-events.js';

const root = join(import.meta.dirname, '..', '..');
const POSTGRES = 'postgres://postgres@127.0.0.1:5432';

export interface SeededPhoto {
  id: string;
  filename: string;
  uploadedAt: string;
  takenAt: string;
}

export interface GalleryPlatform {
  /** The BFF: web app and API. */
  url: string;
  email: string;
  password: string;
  /** Newest upload first, as the gallery lists them. */
  photos: SeededPhoto[];
  stop(): Promise<void>;
}

export interface GalleryPlatformOptions {
  count: number;
  /** Taken-at time of photo `i` (0 = the oldest upload); default: one month per 250 photos, oldest first. */
  takenAt?: (i: number, uploadedAt: Date) => Date;
  /** Called with a line of progress (seeding 10,000 photos takes a while). */
  log?: (line: string) => void;
}

/** Thumbnail shapes (width x height): landscape, portrait, square and panorama tiles, as a real library has. */
const SHAPES: [number, number][] = [
  [320, 240],
  [240, 320],
  [320, 320],
  [320, 180],
  [320, 213],
  [213, 320],
];

/** `count` distinct small WebP thumbnails: a colour gradient each, about 1 KB. */
async function thumbnails(count: number): Promise<{ bytes: Buffer; width: number; height: number }[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const [width, height] = SHAPES[i % SHAPES.length]!;
      const hue = (i * 47) % 360;
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue},60%,55%)"/><stop offset="1" stop-color="hsl(${(hue + 80) % 360},55%,30%)"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><circle cx="${width / 3}" cy="${height / 2}" r="${height / 4}" fill="hsl(${(hue + 180) % 360},70%,70%)"/></svg>`;
      const bytes = await sharp(Buffer.from(svg)).webp({ quality: 70 }).toBuffer();
      return { bytes, width, height };
    }),
  );
}

const thumbKey = (id: string) => `gallery-seed/${id}/thumb.webp`;

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

/** Starts the platform, registers one user and gives them `count` ready photos. */
export async function startGalleryPlatform(options: GalleryPlatformOptions): Promise<GalleryPlatform> {
  const log = options.log ?? (() => undefined);
  execFileSync(process.execPath, [join(root, 'scripts', 'build-web-if-stale.mjs')], { stdio: 'inherit', cwd: root });
  const dataDir = mkdtempSync(join(tmpdir(), 'gallery-platform-'));
  const database = `gallery_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: `${POSTGRES}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const databaseUrl = `${POSTGRES}/${database}`;
  const env = {
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    JWT_SECRET: 'gallery-bench-secret-0123456789-0123456789',
    SCRYPT_COST: '12',
    KAFKA_BROKERS: '',
    AMQP_URL: '',
    S3_ENDPOINT: '',
    DATABASE_URL: '',
    ACCOUNTS_DATABASE_URL: '',
    REDIS_URL: '',
  };
  const loopback = { port: 0, host: '127.0.0.1' };
  let platform: Awaited<ReturnType<typeof startServices>> | undefined;
  const stop = async () => {
    await platform?.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    platform = await startServices(
      [
        { definition: metadataService, env: { DATABASE_URL: databaseUrl, MIGRATE_ON_START: 'true' }, listen: loopback },
        { definition: uploadService, listen: loopback },
        { definition: bffService, env: (urls) => ({ UPLOAD_URL: urls['upload'], METADATA_URL: urls['metadata'] }), listen: loopback },
      ],
      { env, memoryBroker: new MemoryBroker() },
    );
    const url = platform.services['bff']!.url!.replace('127.0.0.1', 'localhost');
    const email = `gallery-${Date.now()}@example.com`;
    const password = 'a long enough password';
    const post = (path: string) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    const registered = await post('/api/auth/register');
    if (!registered.ok) throw new Error(`register: ${registered.status} ${await registered.text()}`);
    const login = await post('/api/auth/login');
    if (!login.ok) throw new Error(`login: ${login.status} ${await login.text()}`);
    // The owner id the events carry: the subject of the access token.
    const { accessToken } = (await login.json()) as { accessToken: string };
    const ownerId = (JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;

    const started = Date.now();
    const images = await thumbnails(48);
    const variants = createObjectStore({ DATA_DIR: dataDir, S3_REGION: 'us-east-1' }, 'variants');
    await variants.ensureBucket();
    const preview = images[0]!;
    await variants.put('gallery-seed/preview.webp', preview.bytes, { contentType: 'image/webp' });
    const base = Date.now() - options.count * 60_000;
    const takenAt = options.takenAt ?? ((i: number) => new Date(Date.UTC(2020, Math.floor(i / 250), 1 + (i % 25), 12)));
    const photos: SeededPhoto[] = [];
    const rows: Prisma.PhotoCreateManyInput[] = [];
    for (let i = 0; i < options.count; i++) {
      const id = randomUUID();
      const uploadedAt = new Date(base + i * 60_000);
      const image = images[i % images.length]!;
      const photo = {
        id,
        filename: `IMG_${String(i).padStart(5, '0')}.jpg`,
        uploadedAt: uploadedAt.toISOString(),
        takenAt: takenAt(i, uploadedAt).toISOString().replace('.000Z', '+00:00'),
      };
      photos.push(photo);
      const size = { width: image.width * 10, height: image.height * 10 };
      const events = [
        uploaded(id, ownerId, { filename: photo.filename, ...size, uploadedAt: photo.uploadedAt }),
        processed(id, ownerId, {
          ...size,
          variants: {
            thumb: { key: thumbKey(id), width: image.width, height: image.height, bytes: image.bytes.length, format: 'webp' },
            preview: { key: 'gallery-seed/preview.webp', width: preview.width, height: preview.height, bytes: preview.bytes.length, format: 'webp' },
          },
          exif: { takenAt: photo.takenAt },
        }),
      ];
      let record: PhotoRecord | undefined;
      for (const event of events) {
        const projection = projectEvent({ record, tombstone: undefined }, event);
        if (projection.kind !== 'save') throw new Error(`seeding ${id}: ${projection.kind}`);
        record = projection.record;
      }
      rows.push(rowOf(record!) as Prisma.PhotoCreateManyInput);
    }
    // Every photo its own thumbnail key, so the browser fetches each one (no cache hits on a shared URL).
    await inBatches(
      photos.map((photo, i) => ({ key: thumbKey(photo.id), bytes: images[i % images.length]!.bytes })),
      64,
      ({ key, bytes }) => variants.put(key, bytes, { contentType: 'image/webp' }),
    );
    log(`${options.count} thumbnails stored in ${Date.now() - started} ms`);
    const metadataDb = openDatabase({ url: databaseUrl });
    try {
      for (let i = 0; i < rows.length; i += 1000) await metadataDb.prisma.photo.createMany({ data: rows.slice(i, i + 1000) });
    } finally {
      await metadataDb.close();
    }
    log(`${options.count} photos projected and stored in ${Date.now() - started} ms`);
    return { url, email, password, photos: photos.reverse(), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
