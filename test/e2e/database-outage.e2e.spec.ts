/**
 * PostgreSQL goes away for longer than a few retries last, while people keep uploading: every photo
 * uploaded meanwhile must end `ready` once it is back, none may land in the dead letters, and readiness
 * must say the truth all along (metadata's and the BFF's). Every service its own process, as in
 * production, on RabbitMQ; the outage is a proxy in front of the shared PostgreSQL, cut and restored.
 */
import { randomUUID } from 'node:crypto';
import { photoCatalogue } from '@photos/contracts';
import { createRabbitMqBus } from '@photos/event-bus';
import { startS3rver } from '@photos/object-store/test-support/s3rver';
import pg from 'pg';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { createTestVhost } from '../../packages/event-bus/src/test-support/rabbitmq-vhost.js';
import { startCuttableProxy, type CuttableProxy } from '../support/cuttable-proxy.js';
import { startService, startServiceProcesses, type ServiceProcess } from '../support/processes.js';
import { apiClient } from '../support/public-api.js';

/** Longer than the old retry window (~1.5 s) many times over. */
const OUTAGE_MS = 10_000;
const PHOTOS = 6;

/** A small JPEG of its own colour, so no two uploads are duplicates. */
const distinctJpeg = (n: number) =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r: (n * 37) % 256, g: (n * 91) % 256, b: (n * 53 + 7) % 256 } } })
    .jpeg()
    .toBuffer();

describe('a database outage while photos are uploaded', () => {
  const suffix = randomUUID().slice(0, 8);
  const databases = [`metadata_${suffix}`, `accounts_${suffix}`];
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  let s3: Awaited<ReturnType<typeof startS3rver>>;
  let vhost: Awaited<ReturnType<typeof createTestVhost>>;
  let proxy: CuttableProxy;
  const services: ServiceProcess[] = [];
  let metadata: ServiceProcess;
  let bff: ServiceProcess;

  beforeAll(async () => {
    s3 = await startS3rver();
    await admin.connect();
    for (const name of databases) await admin.query(`CREATE DATABASE ${name}`);
    vhost = await createTestVhost('db-outage');
    proxy = await startCuttableProxy({ host: '127.0.0.1', port: 5432 });
    const env = {
      JWT_SECRET: 'db-outage-secret-0123456789-0123456789-0123',
      LOG_LEVEL: 'warn',
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: 'S3RVER',
      S3_SECRET_KEY: 'S3RVER',
      ORIGINALS_BUCKET: `originals-${suffix}`,
      VARIANTS_BUCKET: `variants-${suffix}`,
      AMQP_URL: vhost.url,
      KAFKA_BROKERS: '',
      OUTBOX_INTERVAL_MS: '500',
      // The retry horizon stays at its default (an hour); only the longest wait between two retries is
      // shortened, so the photos show up soon after the database is back.
      BUS_RETRY_MAX_DELAY_MS: '1000',
    };
    // Metadata reaches its database through the proxy the test cuts; each process listed as it starts.
    ({ metadata, bff } = await startServiceProcesses({
      env,
      databases: { metadata: `postgres://postgres@${proxy.address}/${databases[0]}`, accounts: `postgres://postgres@127.0.0.1:5432/${databases[1]}` },
      own: { bff: { SCRYPT_COST: '12' } },
      start: async (name, service, processEnv) => {
        const started = await startService(name, service, processEnv);
        services.push(started);
        return started;
      },
    }));
  }, 240_000);

  afterAll(async () => {
    await proxy?.restore();
    const codes = await Promise.all(services.map((s) => s.stop()));
    await proxy?.close();
    await s3?.close();
    for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    await vhost?.remove();
    expect(
      codes.every((code) => code === 0),
      `graceful exits: ${codes.join(',')}`,
    ).toBe(true);
  });

  const readiness = async (service: ServiceProcess) => {
    const response = await fetch(`${service.url}/health/ready`);
    const body = (await response.json()) as { status: string; checks: Record<string, string> };
    return { status: response.status, state: body.status, checks: body.checks };
  };

  it(`keeps every photo uploaded during a ${OUTAGE_MS / 1000} s outage, none dead-lettered, metadata not ready and the BFF degraded meanwhile`, async () => {
    onTestFailed(() => services.forEach((s) => console.error(`--- ${s.name}\n${s.output().slice(-3000)}`)));
    const api = apiClient(bff.url);
    const { accessToken } = await api.register(`outage-${suffix}@example.com`, 'a long enough password');
    expect((await readiness(metadata)).status).toBe(200);

    await proxy.cut();
    const cutAt = Date.now();
    await expect.poll(() => readiness(metadata), { timeout: 5_000 }).toMatchObject({ status: 503, checks: { database: expect.not.stringMatching(/^ok$/) } });
    // The BFF stays in rotation (uploads need no metadata) but says it is degraded.
    await expect.poll(() => readiness(bff), { timeout: 5_000 }).toMatchObject({ status: 200, state: 'degraded', checks: { metadata: 'failing' } });

    const ids: string[] = [];
    for (let n = 0; n < PHOTOS; n++) {
      const response = await api.upload(accessToken, [{ name: `outage-${n}.jpg`, bytes: await distinctJpeg(n) }]);
      expect(response.status).toBe(202);
      ids.push(((await response.json()) as { photos: { id: string }[] }).photos[0]!.id);
    }
    // The photos are processed meanwhile; metadata keeps failing to record them for the whole outage.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, cutAt + OUTAGE_MS - Date.now())));
    expect((await readiness(metadata)).status).toBe(503);
    await proxy.restore();

    await expect.poll(() => readiness(metadata), { timeout: 10_000 }).toMatchObject({ status: 200 });
    await expect.poll(() => readiness(bff), { timeout: 10_000 }).toMatchObject({ status: 200, state: 'ok', checks: { metadata: 'ok' } });
    await expect
      .poll(async () => Object.fromEntries((await api.list(accessToken, '?limit=100')).items.map((p) => [p.id, p.status])), { timeout: 30_000, interval: 500 })
      .toEqual(Object.fromEntries(ids.map((id) => [id, 'ready'])));

    const bus = await createRabbitMqBus({ url: vhost.url, catalogue: photoCatalogue });
    try {
      expect(await bus.deadLetters('metadata')).toEqual([]);
    } finally {
      await bus.close();
    }
  });
});
