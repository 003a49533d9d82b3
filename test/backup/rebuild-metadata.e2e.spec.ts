/**
 * Rebuilding metadata's read model (scripts/rebuild-metadata-events.ts): the four services in one process
 * (startServices; the memory bus, RabbitMQ or Kafka), metadata on a real PostgreSQL database of its own,
 * two users with photos ready, failed and deleted. The metadata database is dropped and created again empty, the services
 * started on it, the recorded uploads published again: every user's gallery is what it was (ids,
 * statuses, EXIF, failure, variants that load), the deleted photo still gone; a second run changes nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bffService } from '@photos/bff/service';
import { photoCatalogue } from '@photos/contracts';
import { createEventBus, createMemoryBus, eventBusConfigSchema, MemoryBroker, type EventBus } from '@photos/event-bus';
import { createTestVhost } from '@photos/event-bus/test-support/rabbitmq-vhost';
import { metadataService } from '@photos/metadata/service';
import { createObjectStore } from '@photos/object-store';
import { processorService } from '@photos/processor/service';
import { loadConfig, startServices } from '@photos/service-kit';
import { uploadService } from '@photos/upload/service';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { republishRecordedUploads } from '../../scripts/rebuild-metadata-events.js';
import { createTestDatabase } from '../../services/metadata/src/test-support/test-database.js';
import { truncated } from '../../services/upload/src/test-support/bad-inputs.js';
import { samplePhotos } from '../../services/upload/src/test-support/sample-photos.js';
import { distinctPhotos } from '../support/distinct-photos.js';
import { startMockKafkaProcess } from '../support/mock-kafka-process.js';
import { apiClient } from '../support/public-api.js';
import { gallery, settled } from './gallery-snapshot.js';

const workDir = mkdtempSync(join(tmpdir(), 'rebuild-metadata-'));
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  rmSync(workDir, { recursive: true, force: true });
});

type Transport = 'memory' | 'rabbitmq' | 'kafka';

/**
 * The bus of the services: the in-process one, a RabbitMQ vhost of this test's own, or a mock Kafka
 * cluster of its own (the services' topic and groups are fixed: on the shared mock its events would reach
 * other test files' platforms, see mock-kafka-process.ts).
 */
async function busEnvOf(transport: Transport): Promise<Record<string, string>> {
  if (transport === 'memory') return { AMQP_URL: '' };
  if (transport === 'kafka') {
    const kafka = await startMockKafkaProcess(1);
    cleanup.push(kafka.stop);
    return { AMQP_URL: '', KAFKA_BROKERS: kafka.bootstrap.join(',') };
  }
  const vhost = await createTestVhost('rebuild-metadata');
  cleanup.push(vhost.remove);
  return { AMQP_URL: vhost.url };
}

async function startPlatform(dataDir: string, databaseUrl: string, busEnv: Record<string, string>) {
  const broker = new MemoryBroker();
  const env = {
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    JWT_SECRET: 'rebuild-test-secret-0123456789-0123456789',
    SCRYPT_COST: '12',
    DATABASE_URL: databaseUrl,
    MIGRATE_ON_START: 'true',
    KAFKA_BROKERS: '',
    ...busEnv,
    S3_ENDPOINT: '',
    ACCOUNTS_DATABASE_URL: '',
    REDIS_URL: '',
  };
  const loopback = { port: 0, host: '127.0.0.1' };
  const platform = await startServices(
    [
      { definition: metadataService, listen: loopback },
      { definition: processorService },
      { definition: uploadService, listen: loopback },
      { definition: bffService, env: (urls) => ({ UPLOAD_URL: urls['upload'], METADATA_URL: urls['metadata'] }), listen: loopback },
    ],
    { env, memoryBroker: broker },
  );
  // What the rebuild publishes through: the services' own broker.
  const bus: EventBus =
    busEnv['AMQP_URL'] || busEnv['KAFKA_BROKERS']
      ? await createEventBus(loadConfig(eventBusConfigSchema, env), { clientId: 'rebuild-test' })
      : createMemoryBus({ broker, catalogue: photoCatalogue });
  return {
    url: platform.services['bff']!.url!,
    bus,
    stop: async () => {
      await bus.close();
      await platform.stop();
    },
  };
}

describe.each(['memory', 'rabbitmq', 'kafka'] as const)('rebuilding the metadata read model (%s bus)', (transport) => {
  it('recreates every user gallery from the recorded uploads into an empty database; deleted photos stay gone', { timeout: 240_000 }, async () => {
    const busEnv = await busEnvOf(transport);
    const dataDir = join(workDir, transport);
    const first = await createTestDatabase();
    cleanup.push(first.drop);
    let platform = await startPlatform(dataDir, first.url, busEnv);
    cleanup.push(() => platform.stop());
    const api = apiClient(platform.url);
    const alice = await api.register(`alice-${transport}@example.com`, 'alice password for the rebuild');
    const bob = await api.register(`bob-${transport}@example.com`, 'bob password for the rebuild');
    const photos = await distinctPhotos(5, 600);
    const broken = { name: 'broken.jpg', bytes: truncated(samplePhotos(/\.jpe?g$/i)[0]!) };
    expect((await api.upload(alice.accessToken, [photos[0]!, photos[1]!, broken])).status).toBe(202);
    // One photo with EXIF, so that the rebuilt EXIF is compared with something.
    const withExif = {
      name: 'exif.jpg',
      bytes: await sharp(photos[3]!.bytes)
        .withExif({ IFD0: { Make: 'Rebuild', Model: 'Test camera' }, IFD2: { DateTimeOriginal: '2024:05:06 07:08:09' } })
        .jpeg()
        .toBuffer(),
    };
    expect((await api.upload(bob.accessToken, [photos[2]!, withExif])).status).toBe(202);
    await expect.poll(() => settled(platform.url, alice.accessToken, 3), { timeout: 60_000 }).toBe(true);
    await expect.poll(() => settled(platform.url, bob.accessToken, 2), { timeout: 60_000 }).toBe(true);
    const deleted = (await api.list(alice.accessToken)).items.find((p) => p.status === 'ready')!.id;
    expect((await api.remove(alice.accessToken, deleted)).status).toBe(204);
    await expect.poll(async () => (await api.list(alice.accessToken)).items.length, { timeout: 30_000 }).toBe(2);
    const before = { alice: await gallery(platform.url, alice.accessToken), bob: await gallery(platform.url, bob.accessToken) };
    // Precondition: a photo in each final state, and every variant loads.
    expect(before.alice.map((p) => p.status).sort()).toEqual(['failed', 'ready']);
    expect(before.bob.map((p) => p.status)).toEqual(['ready', 'ready']);
    const exif = before.bob.find((p) => p.filename === 'exif.jpg')?.exif;
    expect(exif).toMatchObject({ cameraMake: 'Rebuild', cameraModel: 'Test camera', takenAt: '2024-05-06T07:08:09' });
    expect([...before.alice, ...before.bob].flatMap((p) => p.loads).every((status) => status === 200)).toBe(true);

    // The metadata database is lost: a new, empty one (migrated at start) under the running services.
    await platform.stop();
    await first.drop();
    const second = await createTestDatabase();
    cleanup.push(second.drop);
    platform = await startPlatform(dataDir, second.url, busEnv);
    expect((await apiClient(platform.url).list(alice.accessToken)).items).toEqual([]);

    const originals = createObjectStore({ DATA_DIR: dataDir, S3_REGION: 'us-east-1' }, 'originals');
    const checkpointFile = join(dataDir, 'rebuild.checkpoint');
    const lines: string[] = [];
    const result = await republishRecordedUploads({ originals, bus: platform.bus, checkpointFile, batchSize: 2, progress: (line) => lines.push(line) });
    expect(result).toEqual({ records: 4, published: 4, skipped: [] }); // the deleted photo has no record any more
    expect(lines.at(-1)).toBe('  4/4 published');
    expect(() => readFileSync(checkpointFile)).toThrow(); // done: no checkpoint left
    await expect.poll(() => settled(platform.url, alice.accessToken, 2), { timeout: 60_000 }).toBe(true);
    await expect.poll(() => settled(platform.url, bob.accessToken, 2), { timeout: 60_000 }).toBe(true);
    await expect.poll(() => gallery(platform.url, bob.accessToken), { timeout: 30_000 }).toEqual(before.bob);
    expect(await gallery(platform.url, alice.accessToken)).toEqual(before.alice);

    // Idempotent: a second run publishes the same events again and nothing changes; resumable: a run
    // interrupted after its first batch of two goes on with the two records after its checkpoint.
    expect((await republishRecordedUploads({ originals, bus: platform.bus })).published).toBe(4);
    writeFileSync(checkpointFile, `${(await originals.list('records/'))[1]}\n`);
    expect(await republishRecordedUploads({ originals, bus: platform.bus, checkpointFile })).toEqual({ records: 4, published: 2, skipped: [] });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await expect.poll(() => settled(platform.url, alice.accessToken, 2), { timeout: 30_000 }).toBe(true);
    expect(await gallery(platform.url, alice.accessToken)).toEqual(before.alice);
    expect(await gallery(platform.url, bob.accessToken)).toEqual(before.bob);
  });
});
