/**
 * The production topology on this machine: every service its own process, talking over the network to
 * real PostgreSQL, Redis, RabbitMQ or Kafka (librdkafka's mock cluster) and an S3 server (s3rver), with
 * two processor processes. Everything is driven through the BFF's public API, as a browser would.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createObjectStore } from '@photos/object-store';
import { startS3rver } from '@photos/object-store/test-support/s3rver';
import pg from 'pg';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { createTestVhost } from '../../packages/event-bus/src/test-support/rabbitmq-vhost.js';
import { samplePhotos } from '../../services/upload/src/test-support/sample-photos.js';
import { startService, startServiceProcesses, type ServiceProcess } from '../support/processes.js';
import { openEventStream, type Api, apiClient } from '../support/public-api.js';

const transports = [
  ['rabbitmq', async () => ({ vhost: await createTestVhost('multi') })],
  ['kafka', async () => ({ vhost: undefined })],
] as const;

describe.each(transports)('multi-process platform over %s', (transport, setup) => {
  const suffix = randomUUID().slice(0, 8);
  const databases = [`metadata_${suffix}`, `accounts_${suffix}`];
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  let s3: Awaited<ReturnType<typeof startS3rver>>;
  let cleanup: (() => Promise<void>) | undefined;
  const services: ServiceProcess[] = [];
  let env: Record<string, string>;
  let bff: ServiceProcess;

  beforeAll(async () => {
    s3 = await startS3rver();
    await admin.connect();
    for (const name of databases) await admin.query(`CREATE DATABASE ${name}`);
    const { vhost } = await setup();
    cleanup = vhost?.remove;
    env = {
      JWT_SECRET: 'multi-process-secret-0123456789-0123456789',
      LOG_LEVEL: 'warn',
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: 'S3RVER',
      S3_SECRET_KEY: 'S3RVER',
      ORIGINALS_BUCKET: `originals-${suffix}`,
      VARIANTS_BUCKET: `variants-${suffix}`,
      REDIS_URL: 'redis://127.0.0.1:6379',
      CACHE_PREFIX: `multi-${suffix}:`,
      OUTBOX_INTERVAL_MS: '500',
      ...(transport === 'rabbitmq'
        ? { AMQP_URL: vhost!.url, KAFKA_BROKERS: '' }
        : { KAFKA_BROKERS: inject('kafkaBrokers').join(','), KAFKA_SESSION_TIMEOUT_MS: inject('kafkaIsMock') ? '6000' : '10000' }),
    };
    // Each process listed as it starts: if a later one fails to start, afterAll still stops the others.
    ({ bff } = await startServiceProcesses({
      env,
      databases: { metadata: `postgres://postgres@127.0.0.1:5432/${databases[0]}`, accounts: `postgres://postgres@127.0.0.1:5432/${databases[1]}` },
      // Browsers can reach this S3 server: variant URLs are S3 presigned URLs, not the BFF's /media.
      own: { bff: { SCRYPT_COST: '12', S3_PUBLIC_ENDPOINT: s3.endpoint } },
      processors: 2,
      start: async (name, service, processEnv) => {
        const started = await startService(name, service, processEnv);
        services.push(started);
        return started;
      },
    }));
  }, 240_000);

  afterAll(async () => {
    const codes = await Promise.all(services.map((s) => s.stop()));
    expect(
      codes.every((code) => code === 0),
      `graceful exits: ${codes.join(',')}`,
    ).toBe(true);
    await s3?.close();
    for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    await cleanup?.();
  });

  function showLogsOnFailure() {
    onTestFailed(() => services.forEach((s) => console.error(`--- ${s.name}\n${s.output().slice(-3000)}`)));
  }

  it('register, upload two photos, see them ready over SSE, list, get, fetch a variant, delete one', async () => {
    showLogsOnFailure();
    const api: Api = apiClient(bff.url);
    const { accessToken } = await api.register(`alice-${suffix}@example.com`, 'alice has a long password');
    const events = await openEventStream(bff.url, accessToken);
    const files = samplePhotos(/^(Garden|TwoWings)\.jpg$/);
    const ids: string[] = [];
    for (const file of files) {
      const response = await api.upload(accessToken, [{ name: file.split('/').pop()!, bytes: readFileSync(file) }]);
      expect(response.status).toBe(202);
      const body = (await response.json()) as { photos: { id: string; status: string }[] };
      expect(body.photos[0]!.status).toBe('processing');
      ids.push(body.photos[0]!.id);
    }
    for (const id of ids) await events.waitFor((e) => e.type === 'photo.processed' && e.data.id === id, 90_000);

    await expect.poll(async () => (await api.list(accessToken)).items.map((p) => p.status), { timeout: 10_000 }).toEqual(['ready', 'ready']);
    const page = await api.list(accessToken);
    expect(page.items.map((p) => p.id)).toEqual([...ids].reverse());
    const detail = await api.get(accessToken, ids[0]!);
    expect(detail.status).toBe(200);
    const photo = (await detail.json()) as any;
    expect(photo).toMatchObject({ id: ids[0], status: 'ready', filename: 'Garden.jpg', contentType: 'image/jpeg' });
    expect(photo.placeholder).toEqual(expect.any(String));
    const source = await sharp(files[0]!).metadata();
    expect([photo.width, photo.height]).toEqual([source.width, source.height]);
    for (const name of ['thumb', 'preview'] as const) {
      const variant = photo.variants[name];
      const image = await fetch(new URL(variant.url, bff.url)); // a signed URL: no Authorization header, as an <img> loads it
      expect(image.status).toBe(200);
      const decoded = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
      expect([decoded.width, decoded.height]).toEqual([variant.width, variant.height]);
    }
    const original = await fetch(new URL(photo.originalUrl, bff.url));
    expect(Buffer.from(await original.arrayBuffer()).equals(readFileSync(files[0]!))).toBe(true);

    expect((await api.remove(accessToken, ids[1]!)).status).toBe(204);
    await events.waitFor((e) => e.type === 'photo.deleted' && e.data.id === ids[1], 30_000);
    expect((await api.list(accessToken)).items.map((p) => p.id)).toEqual([ids[0]]);
    expect((await api.get(accessToken, ids[1]!)).status).toBe(404);
    const originals = createObjectStore(env as never, env['ORIGINALS_BUCKET']!);
    const variants = createObjectStore(env as never, env['VARIANTS_BUCKET']!);
    await expect
      .poll(async () => [...(await originals.list(`originals/${ids[1]}`)), ...(await variants.list(`variants/${ids[1]}/`))], { timeout: 30_000 })
      .toEqual([]);
    expect(await variants.list(`variants/${ids[0]}/`)).toHaveLength(2);
    events.close();
  });

  it('keeps users apart: another user gets 404 on every photo route and never sees the events', async () => {
    showLogsOnFailure();
    const api = apiClient(bff.url);
    const alice = await api.register(`alice2-${suffix}@example.com`, 'alice has a long password');
    const mallory = await api.register(`mallory-${suffix}@example.com`, 'mallory has a long password');
    const spy = await openEventStream(bff.url, mallory.accessToken);
    const [file] = samplePhotos(/^Aqua\.jpg$/);
    const id = ((await (await api.upload(alice.accessToken, [{ name: 'a.jpg', bytes: readFileSync(file!) }])).json()) as any).photos[0].id as string;
    await expect.poll(async () => (await api.list(alice.accessToken)).items.find((p) => p.id === id)?.status, { timeout: 90_000 }).toBe('ready');

    expect((await api.get(mallory.accessToken, id)).status).toBe(404);
    expect(
      (await fetch(`${bff.url}/api/photos/${id}/original`, { headers: { authorization: `Bearer ${mallory.accessToken}` }, redirect: 'manual' })).status,
    ).toBe(404);
    expect((await api.remove(mallory.accessToken, id)).status).toBe(404);
    expect((await api.list(mallory.accessToken)).items).toEqual([]);
    expect(spy.events.filter((e) => JSON.stringify(e.data).includes(id))).toEqual([]);
    expect((await api.get(alice.accessToken, id)).status).toBe(200);
    spy.close();
  });

  it('answers 401 to missing, expired and forged tokens at the BFF and at every service directly', async () => {
    showLogsOnFailure();
    const { createTokenSigner } = await import('@photos/service-kit');
    const expired = createTokenSigner({ secret: env['JWT_SECRET']!, issuer: 'photo-platform', audience: 'photo-platform', expiresInSeconds: -60 })({
      sub: 'x',
    });
    const forged = createTokenSigner({
      secret: 'someone-else-0123456789-0123456789-0123',
      issuer: 'photo-platform',
      audience: 'photo-platform',
      expiresInSeconds: 60,
    })({ sub: 'x' });
    const id = randomUUID();
    const routes: [ServiceProcess, string, string][] = [
      [bff, 'GET', '/api/photos'],
      [bff, 'GET', `/api/photos/${id}`],
      [bff, 'DELETE', `/api/photos/${id}`],
      [bff, 'POST', '/api/photos'],
      [bff, 'GET', '/api/events'],
      ...services
        .filter((s) => s.name === 'metadata')
        .flatMap((s): [ServiceProcess, string, string][] => [
          [s, 'GET', '/photos'],
          [s, 'GET', `/photos/${id}`],
          [s, 'DELETE', `/photos/${id}`],
        ]),
      ...services.filter((s) => s.name === 'upload').map((s): [ServiceProcess, string, string] => [s, 'POST', '/photos']),
    ];
    for (const [service, method, path] of routes) {
      for (const token of [undefined, expired, forged]) {
        const response = await fetch(`${service.url}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
        expect(response.status, `${service.name} ${method} ${path}`).toBe(401);
        expect(response.headers.get('content-type')).toMatch(/problem\+json/);
      }
    }
  });
});
