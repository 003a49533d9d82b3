import type { EventBus } from '@photos/event-bus';
import { authOptionsFrom, authPlugin, createServiceApp, handleEvents, type ServiceApp } from '@photos/service-kit';
import type { DestinationStream } from 'pino';
import { createAlbumStore } from './adapters/album-store.js';
import type { CacheStore } from './adapters/cache-store.js';
import type { Database } from './adapters/database.js';
import { createPhotoProjectionStore } from './adapters/photo-projection-store.js';
import { createPhotoQueries } from './adapters/photo-queries.js';
import type { MetadataConfig } from './config.js';
import { photoEventHandlers } from './consumers/photo-events.js';
import { metadataMetrics } from './metadata-metrics.js';
import { createPhotoReads } from './photo-reads.js';
import { projectPhotoEvent } from './project-photo-event.js';
import { createVisibleAlbums } from './visible-albums.js';
import { albumRoutes } from './routes/albums.js';
import { apiDocs } from './routes/api-docs.js';
import { photoRoutes } from './routes/photos.js';
import { shareLinkRoutes } from './routes/share-links.js';
import { createShareLinkStore } from './adapters/share-link-store.js';
import { linkUnlockProofs } from './share-link-secrets.js';

/** What the metadata service is built from; service.ts opens the real ones, tests make their own. */
export interface MetadataAppDeps {
  config: MetadataConfig;
  /** Opened (and migrated) by the caller, who also closes it. */
  database: Database;
  bus: EventBus;
  /** The read cache (Redis or memory: see service.ts), closed by the caller. */
  cacheStore: CacheStore;
  logStream?: DestinationStream;
  now?: () => Date;
}

/**
 * The metadata service: projects every photo event into the photos table (its handlers, subscribed by
 * the service runner as service.ts declares) and answers the BFF's queries over one owner's photos, through a read cache.
 * What its readiness checks is declared in service.ts.
 */
export async function buildMetadataApp(deps: MetadataAppDeps): Promise<ServiceApp> {
  const { config, database, bus, cacheStore } = deps;
  const app = await createServiceApp({
    name: 'metadata',
    logLevel: config.LOG_LEVEL,
    ...(deps.logStream ? { logStream: deps.logStream } : {}),
    trustProxy: config.TRUST_PROXY,
  });
  await app.register(authPlugin, authOptionsFrom(config));
  await apiDocs(app);

  const metrics = metadataMetrics(app.metrics);
  const queries = createPhotoQueries(database.prisma);
  const reads = createPhotoReads({ queries, store: cacheStore, prefix: config.CACHE_PREFIX, ttlSeconds: config.CACHE_TTL_SECONDS, metrics });
  const project = projectPhotoEvent({ store: createPhotoProjectionStore(database.prisma), reads, metrics });

  handleEvents(app, 'metadata', photoEventHandlers(project));
  // A metadata that starts may sit on another database than the one the shared cache's values were read
  // from (restored from a backup, rebuilt after a loss): a new epoch makes every earlier cached read stale.
  // Should Redis be down, the failed increment is redone once it is back, before the cache is used.
  app.addHook('onReady', () => cacheStore.increment([`${config.CACHE_PREFIX}epoch`]).catch(() => undefined));

  const now = deps.now ?? (() => new Date());
  const albums = createAlbumStore(database.prisma);
  const visibleAlbums = createVisibleAlbums({
    load: (granteeId) => albums.grantsOf(granteeId),
    store: cacheStore,
    prefix: config.CACHE_PREFIX,
    ttlSeconds: config.CACHE_TTL_SECONDS,
    metrics,
  });
  photoRoutes(app, { reads, queries, albums, visibleAlbums, publish: (event) => bus.publish(event), project, now });
  albumRoutes(app, { albums, visibleAlbums, now, publish: (event) => bus.publish(event), metrics });
  shareLinkRoutes(app, {
    links: createShareLinkStore(database.prisma),
    albums,
    queries,
    visibleAlbums,
    proofs: linkUnlockProofs(config.JWT_SECRET, config.LINK_UNLOCK_TTL_SECONDS),
    scryptCost: config.LINK_SCRYPT_COST,
    now,
    publish: (event) => bus.publish(event),
    metrics,
  });
  return app;
}
