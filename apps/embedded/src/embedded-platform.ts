import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createSqlAccountStore } from '@photos/bff/account-store';
import { createSqlSessionStore } from '@photos/bff/session-store';
import { buildBffApp } from '@photos/bff/app';
import { bffConfigSchema } from '@photos/bff/config';
import { memoryLoginThrottle } from '@photos/bff/login-throttle';
import { photoCatalogue } from '@photos/contracts';
import { createBusTelemetry, createMemoryBus, MemoryBroker, retryDefaultsOf, type EventBus, type EventBusConfig } from '@photos/event-bus';
import { buildMetadataApp } from '@photos/metadata/app';
import { metadataConfigSchema } from '@photos/metadata/config';
import { openDatabase } from '@photos/metadata/database';
import { createFsObjectStore } from '@photos/object-store';
import { buildProcessorApp } from '@photos/processor/app';
import { processorConfigSchema } from '@photos/processor/config';
import { listenMetrics, loadConfig, type MetricsListenerOptions, type ServiceApp } from '@photos/service-kit';
import { buildUploadApp } from '@photos/upload/app';
import { uploadConfigSchema } from '@photos/upload/config';
import { openPglite, pgliteSqlClient } from './embedded-postgres.js';
import { UnconsumedEvents } from './unconsumed-events.js';

export interface EmbeddedOptions {
  /** Everything lives under this directory: buckets, databases, the signing secret. */
  dataDir: string;
  port: number;
  host: string;
  /** Variables to pass to every service (LOG_LEVEL, limits...). */
  env?: Record<string, string | undefined>;
  /** The one internal metrics listener of the four apps; default any free port on 127.0.0.1. */
  metrics?: MetricsListenerOptions;
}

/**
 * Runs the steps one after the other; a failing step is reported and the later ones still run (the
 * databases are closed whatever happened before). Rejects with every failure at the end.
 */
async function stopInOrder(steps: readonly (readonly [string, () => Promise<unknown> | void])[]): Promise<void> {
  const failures: Error[] = [];
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(new Error(`stopping ${name} failed`, { cause: error }));
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'the platform did not stop cleanly');
}

/** A signing secret made once per data directory, so tokens survive a restart. */
function secretOf(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/**
 * The four services in one process, with no servers to install: PGlite for the metadata and accounts
 * databases, directories for the buckets, one in-memory broker for the bus, in-process caches. They
 * still talk as in production (the BFF calls upload and metadata over HTTP on loopback).
 * The memory bus lives in the process: `stop()` stops the services from the public entry inward, then
 * keeps what the bus had not delivered for the next start (UnconsumedEvents); a crash can still lose
 * events in flight.
 */
export async function startEmbeddedPlatform(options: EmbeddedOptions): Promise<{ url: string; metricsUrl: string; stop(): Promise<void> }> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const env = {
    LOG_LEVEL: 'warn',
    ...options.env,
    DATA_DIR: dataDir,
    JWT_SECRET: options.env?.['JWT_SECRET'] ?? secretOf(dataDir),
    KAFKA_BROKERS: '',
    AMQP_URL: '',
    S3_ENDPOINT: '',
  };
  const broker = new MemoryBroker();
  const unconsumed = new UnconsumedEvents(broker, join(dataDir, 'bus', 'unconsumed-events.jsonl'));
  unconsumed.restore();
  const buses: EventBus[] = [];
  /** Builds a service's app on a bus of its own, which logs and counts into that app. */
  const withBus = async <A extends ServiceApp>(config: EventBusConfig, build: (bus: EventBus) => Promise<A>): Promise<A> => {
    const telemetry = createBusTelemetry();
    const { logger, metrics } = telemetry;
    const bus = unconsumed.track(createMemoryBus({ broker, catalogue: photoCatalogue, logger, metrics, retry: retryDefaultsOf(config) }));
    buses.push(bus);
    const app = await build(bus);
    telemetry.attach(app.log.child({ component: 'bus' }), app.metrics);
    return app;
  };
  const originals = createFsObjectStore({ root: join(dataDir, 'buckets', 'originals') });
  const variants = createFsObjectStore({ root: join(dataDir, 'buckets', 'variants') });
  await originals.ensureBucket();
  await variants.ensureBucket();

  const pglite = await openPglite(join(dataDir, 'metadata-db'), '16MB');
  const database = openDatabase({ pglite });
  await database.migrate();

  const metadataConfig = loadConfig(metadataConfigSchema, { ...env, DATABASE_URL: 'pglite:embedded' });
  const metadata = await withBus(metadataConfig, (bus) => buildMetadataApp({ config: metadataConfig, database, bus }));
  const metadataUrl = await metadata.listen({ port: 0, host: '127.0.0.1' });
  const uploadConfig = loadConfig(uploadConfigSchema, env);
  const upload = await withBus(uploadConfig, (bus) => buildUploadApp({ config: uploadConfig, originals, bus }));
  const uploadUrl = await upload.listen({ port: 0, host: '127.0.0.1' });
  const processorConfig = loadConfig(processorConfigSchema, env);
  const processor = await withBus(processorConfig, (bus) => buildProcessorApp({ config: processorConfig, originals, variants, bus }));
  await processor.ready();

  const accountsDb = pgliteSqlClient(await openPglite(join(dataDir, 'accounts-db'), '8MB'));
  const bffConfig = loadConfig(bffConfigSchema, { ...env, UPLOAD_URL: uploadUrl, METADATA_URL: metadataUrl });
  const accountStore = await createSqlAccountStore(accountsDb);
  const sessionStore = await createSqlSessionStore(accountsDb);
  const bff = await withBus(bffConfig, (bus) =>
    buildBffApp({
      config: bffConfig,
      accountStore,
      sessionStore,
      loginThrottle: memoryLoginThrottle(),
      originals,
      variants,
      bus,
    }),
  );
  // One internal listener, one path per app: each app has its registry (the same metric names in each).
  const metrics = await listenMetrics(
    { '/metrics/bff': bff.metrics, '/metrics/upload': upload.metrics, '/metrics/processor': processor.metrics, '/metrics/metadata': metadata.metrics },
    options.metrics ?? { port: 0, host: '127.0.0.1' },
  );
  const address = await bff.listen({ port: options.port, host: options.host });
  // Every group has subscribed: from now on the broker frees what all of them have consumed.
  broker.releaseConsumed();
  const url = address.replace('0.0.0.0', 'localhost').replace('127.0.0.1', 'localhost');

  return {
    url,
    metricsUrl: metrics.url,
    stop: () =>
      stopInOrder([
        // No new requests; uploads under way are answered, their outbox entries written and published.
        ['bff', () => bff.close()],
        // The relay has published or kept (outbox) every event; no more photo.deleted consumed here.
        ['upload', () => upload.close()],
        // Photos under way are finished, their photo.processed published and their offsets committed.
        ['processor', () => processor.close()],
        ['metadata', () => metadata.close()],
        ['metrics listener', () => metrics.close()],
        // Every consumer has stopped: what they had not consumed yet is kept for the next start.
        ['unconsumed events', () => void unconsumed.save()],
        ['buses', async () => void (await Promise.all(buses.map((b) => b.close())))],
        ['metadata database', () => database.close()],
        ['metadata PGlite', () => pglite.close()],
        ['accounts PGlite', () => accountsDb.close()],
      ]),
  };
}
