import { join } from 'node:path';
import { defineService, type OpenedAdapters, type ServiceLogger } from '@photos/service-kit';
import type { CacheStore } from './adapters/cache-store.js';
import { openDatabase } from './adapters/database.js';
import { createMemoryCacheStore } from './adapters/memory-cache-store.js';
import { createRedisCacheStore } from './adapters/redis-cache-store.js';
import { buildMetadataApp, type MetadataAppDeps } from './app.js';
import { metadataConfigSchema, type MetadataConfig } from './config.js';

/** What the metadata app is built from besides its config and bus, and the migrations applied at start. */
export type MetadataAdapters = Omit<MetadataAppDeps, 'config' | 'bus'> & { migrated?: string[] };

/**
 * The database: PostgreSQL at DATABASE_URL (migrated here only with MIGRATE_ON_START: compose and
 * Kubernetes run `prisma migrate deploy` as a step of their own), else a PGlite under DATA_DIR, which is
 * this process's own and so always migrated. The read cache: {@link openCacheStore}.
 */
export async function openMetadataAdapters(config: MetadataConfig, { logger }: { logger: ServiceLogger }): Promise<OpenedAdapters<MetadataAdapters>> {
  // PGlite's module is loaded only where it is used: a service on PostgreSQL never pays for it.
  const pglite = config.DATABASE_URL
    ? undefined
    : await (await import('./adapters/embedded-database.js')).openEmbeddedPglite(join(config.DATA_DIR, 'metadata-db'));
  const database = pglite ? openDatabase({ pglite }) : openDatabase({ url: config.DATABASE_URL!, poolSize: config.DATABASE_POOL_SIZE });
  const cacheStore = openCacheStore(config, logger);
  const close = async () => {
    await cacheStore.close();
    await database.close();
    await pglite?.close();
  };
  try {
    const migrated = pglite || config.MIGRATE_ON_START ? await database.migrate() : undefined;
    return { adapters: { database, cacheStore, ...(migrated ? { migrated } : {}) }, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The read cache: Redis, shared by the replicas, when REDIS_URL is set, else in this process's memory. */
export function openCacheStore(config: MetadataConfig, logger?: ServiceLogger): CacheStore {
  return config.REDIS_URL
    ? createRedisCacheStore({ url: config.REDIS_URL, commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS, ...(logger ? { logger } : {}) })
    : createMemoryCacheStore();
}

/**
 * The metadata service: projects every photo event into its database and answers the BFF's queries;
 * publishes `photo.deleted` when a photo is deleted, and the album events (created, photos-added,
 * shared, share-revoked, deleted) and share link events (created, revoked) after each change is committed.
 */
export const metadataService = defineService({
  name: 'metadata',
  configSchema: metadataConfigSchema,
  open: openMetadataAdapters,
  build: async ({ config, adapters: { migrated, ...adapters }, bus }) => {
    const app = await buildMetadataApp({ ...adapters, config, bus });
    if (migrated) app.log.info({ applied: migrated }, 'migrations applied');
    return app;
  },
  // Not the cache: without Redis every answer still comes, from the database, so taking replicas out of
  // rotation would turn a cache outage into a full one. Its state shows in
  // `metadata_cache_requests_total{result="bypass"|"error"}` and in the logs.
  checks: ({ adapters }) => ({ ready: { database: () => adapters.database.isHealthy() } }),
  consumes: [
    {
      group: 'metadata',
      events: ['photo.uploaded', 'photo.processed', 'photo.processing-failed', 'photo.deleted'],
      concurrency: (config) => config.METADATA_CONCURRENCY,
      maxAttempts: (config) => config.METADATA_MAX_ATTEMPTS,
    },
  ],
  produces: [
    'photo.deleted',
    'album.created',
    'album.photos-added',
    'album.shared',
    'album.share-revoked',
    'album.deleted',
    'share-link.created',
    'share-link.revoked',
  ],
});
