import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createSqlAccountStore } from '@photos/bff/account-store';
import { buildBffApp } from '@photos/bff/app';
import { bffConfigSchema } from '@photos/bff/config';
import { memoryLoginThrottle } from '@photos/bff/login-throttle';
import { createSqlClient } from '@photos/bff/sql-client';
import { photoCatalogue } from '@photos/contracts';
import { createBusTelemetry, createMemoryBus, MemoryBroker, retryDefaultsOf, type EventBus, type EventBusConfig } from '@photos/event-bus';
import { buildMetadataApp } from '@photos/metadata/app';
import { metadataConfigSchema } from '@photos/metadata/config';
import { openDatabase } from '@photos/metadata/database';
import { createFsObjectStore } from '@photos/object-store';
import { buildProcessorApp } from '@photos/processor/app';
import { processorConfigSchema } from '@photos/processor/config';
import { loadConfig, type ServiceApp } from '@photos/service-kit';
import { buildUploadApp } from '@photos/upload/app';
import { uploadConfigSchema } from '@photos/upload/config';

export interface EmbeddedOptions {
  /** Everything lives under this directory: buckets, databases, the signing secret. */
  dataDir: string;
  port: number;
  host: string;
  /** Variables to pass to every service (LOG_LEVEL, limits...). */
  env?: Record<string, string | undefined>;
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
 * The memory bus keeps no events across a restart; the upload outbox re-publishes what was not yet sent.
 */
export async function startEmbeddedPlatform(options: EmbeddedOptions): Promise<{ url: string; stop(): Promise<void> }> {
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
  const buses: EventBus[] = [];
  /** Builds a service's app on a bus of its own, which logs and counts into that app. */
  const withBus = async <A extends ServiceApp>(config: EventBusConfig, build: (bus: EventBus) => Promise<A>): Promise<A> => {
    const telemetry = createBusTelemetry();
    const { logger, metrics } = telemetry;
    const bus = createMemoryBus({ broker, catalogue: photoCatalogue, logger, metrics, retry: retryDefaultsOf(config) });
    buses.push(bus);
    const app = await build(bus);
    telemetry.attach(app.log.child({ component: 'bus' }), app.metrics);
    return app;
  };
  const originals = createFsObjectStore({ root: join(dataDir, 'buckets', 'originals') });
  const variants = createFsObjectStore({ root: join(dataDir, 'buckets', 'variants') });
  await originals.ensureBucket();
  await variants.ensureBucket();

  mkdirSync(join(dataDir, 'metadata-db'), { recursive: true });
  const pglite = await PGlite.create(join(dataDir, 'metadata-db'));
  const database = openDatabase({ pglite });
  await database.migrate();

  const apps: ServiceApp[] = [];
  const internal = async (app: ServiceApp) => {
    apps.push(app);
    return app.listen({ port: 0, host: '127.0.0.1' });
  };
  const metadataConfig = loadConfig(metadataConfigSchema, { ...env, DATABASE_URL: 'pglite:embedded' });
  const metadataUrl = await internal(await withBus(metadataConfig, (bus) => buildMetadataApp({ config: metadataConfig, database, bus })));
  const uploadConfig = loadConfig(uploadConfigSchema, env);
  const uploadUrl = await internal(await withBus(uploadConfig, (bus) => buildUploadApp({ config: uploadConfig, originals, bus })));
  const processorConfig = loadConfig(processorConfigSchema, env);
  const processor = await withBus(processorConfig, (bus) => buildProcessorApp({ config: processorConfig, originals, variants, bus }));
  apps.push(processor);
  await processor.ready();

  const accountsDb = await createSqlClient({ dataDir });
  const bffConfig = loadConfig(bffConfigSchema, { ...env, UPLOAD_URL: uploadUrl, METADATA_URL: metadataUrl });
  const accountStore = await createSqlAccountStore(accountsDb);
  const bff = await withBus(bffConfig, (bus) =>
    buildBffApp({
      config: bffConfig,
      accountStore,
      loginThrottle: memoryLoginThrottle(bffConfig.LOGIN_MAX_FAILURES),
      originals,
      variants,
      bus,
    }),
  );
  apps.push(bff);
  const address = await bff.listen({ port: options.port, host: options.host });
  const url = address.replace('0.0.0.0', 'localhost').replace('127.0.0.1', 'localhost');

  return {
    url,
    async stop() {
      // The public entry first, the processing last, so nothing new arrives while work drains.
      for (const app of [...apps].reverse()) await app.close();
      await Promise.all(buses.map((b) => b.close()));
      await database.close();
      await pglite.close();
      await accountsDb.close();
    },
  };
}
