import { randomUUID } from 'node:crypto';
import { photoCatalogue } from '@photos/contracts';
import { createMemoryBus, MemoryBroker, type EventBus } from '@photos/event-bus';
import { buildService, createTokenSigner, loadConfig, type ServiceApp } from '@photos/service-kit';
import { Redis } from 'ioredis';
import type { CacheStore } from '../adapters/cache-store.js';
import type { Database } from '../adapters/database.js';
import { metadataConfigSchema } from '../config.js';
import { metadataService, openCacheStore } from '../service.js';

const JWT_SECRET = 'metadata-test-secret-0123456789-0123456789';

/** Signs access tokens the test app accepts. */
export const sign = createTokenSigner({ secret: JWT_SECRET, issuer: 'photo-platform', audience: 'photo-platform', expiresInSeconds: 300 });

/** `Authorization` header of `sub`. */
export const as = (sub: string) => ({ authorization: `Bearer ${sign({ sub })}` });

/** The local Redis of the tests (REDIS_URL overrides). */
export const TEST_REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A cache key prefix of its own, so tests sharing the Redis never see each other's keys. */
export const testCachePrefix = () => `metadata-test:${randomUUID().slice(0, 8)}:`;

/** Deletes every key under `prefix` from the test Redis. */
export async function deleteCacheKeys(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** The metadata app on a test database, a memory bus (unless given) and, by default, the local Redis. */
export async function buildTestApp(options: { database: Database; url: string; bus?: EventBus; env?: Record<string, string>; cacheStore?: CacheStore }) {
  const bus = options.bus ?? createMemoryBus({ broker: new MemoryBroker(), catalogue: photoCatalogue });
  const config = loadConfig(metadataConfigSchema, {
    JWT_SECRET,
    LOG_LEVEL: 'silent',
    DATABASE_URL: options.url,
    REDIS_URL: TEST_REDIS_URL,
    CACHE_PREFIX: testCachePrefix(),
    ...options.env,
  });
  // The cache chosen as the service chooses it (the local Redis by default), unless the test gives one.
  const cacheStore = options.cacheStore ?? openCacheStore(config);
  // Built as the runner builds it: ready, its readiness checks and consumer group in place.
  const app = await buildService(metadataService, { config, adapters: { database: options.database, cacheStore }, bus });
  return {
    app,
    bus,
    config,
    close: async () => {
      await app.close();
      if (!options.cacheStore) await cacheStore.close();
      if (!options.bus) await bus.close();
      await deleteCacheKeys(config.CACHE_PREFIX);
    },
  };
}

/** Cache lookups counted so far, as `kind/result` -> count. */
export async function cacheLookups(app: ServiceApp): Promise<Record<string, number>> {
  const metric = await app.metrics.getSingleMetric('metadata_cache_requests_total')!.get();
  return Object.fromEntries(metric.values.map(({ labels, value }) => [`${labels['kind']}/${labels['result']}`, value]));
}
