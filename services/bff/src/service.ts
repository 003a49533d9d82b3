import { createObjectStore } from '@photos/object-store';
import { defineService, type OpenedAdapters, type ServiceLogger } from '@photos/service-kit';
import type { Redis } from 'ioredis';
import { createSqlAccountStore } from './adapters/account-store-sql.js';
import { memoryLoginThrottle, redisLoginThrottle } from './adapters/login-throttle.js';
import { metadataClient } from './adapters/metadata-client.js';
import { fallbackRateLimitStore } from './adapters/rate-limit-store.js';
import { createRedisFallback, type RedisFallbackDeps } from './adapters/redis-fallback.js';
import { openRedis } from './adapters/redis-connection.js';
import { createSqlSessionStore } from './adapters/session-store-sql.js';
import { createSqlClient } from './adapters/sql-client.js';
import { buildBffApp, type BffAppDeps } from './app.js';
import { bffConfigSchema, type BffConfig } from './config.js';

/** What the BFF app is built from besides its config and bus (tests give their own). */
export type BffAdapters = Omit<BffAppDeps, 'config' | 'bus'>;

/**
 * Rate limits and login failures counted in Redis, shared by the replicas. Redis is optional at run time:
 * while it is out of reach both count in the process, with one warning per outage (one shared fallback).
 */
export function redisLimits(redis: Redis, logger: RedisFallbackDeps['logger']): Pick<BffAdapters, 'loginThrottle' | 'linkUnlockThrottle' | 'rateLimitStore'> {
  const fallback = createRedisFallback({ redis, logger });
  return {
    loginThrottle: redisLoginThrottle(redis, fallback),
    linkUnlockThrottle: redisLoginThrottle(redis, fallback, { prefix: 'bff:link-unlock-failures:' }),
    rateLimitStore: fallbackRateLimitStore({ redis, fallback, nameSpace: 'bff:rate-limit:' }),
  };
}

/**
 * The accounts database (Postgres at ACCOUNTS_DATABASE_URL, else PGlite under DATA_DIR), both buckets
 * (for signed media URLs) and the limits: in the Redis shared by the replicas with REDIS_URL
 * ({@link redisLimits}), else in the process.
 */
export async function openBffAdapters(config: BffConfig, { logger }: { logger: ServiceLogger }): Promise<OpenedAdapters<BffAdapters>> {
  const db = await createSqlClient({ url: config.ACCOUNTS_DATABASE_URL, dataDir: config.DATA_DIR });
  const redis = config.REDIS_URL ? openRedis(config.REDIS_URL, { commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS }) : undefined;
  const close = async () => {
    redis?.disconnect();
    await db.close();
  };
  try {
    const adapters: BffAdapters = {
      accountStore: await createSqlAccountStore(db),
      sessionStore: await createSqlSessionStore(db),
      originals: createObjectStore(config, config.ORIGINALS_BUCKET),
      variants: createObjectStore(config, config.VARIANTS_BUCKET),
      ...(redis ? redisLimits(redis, logger) : { loginThrottle: memoryLoginThrottle() }),
    };
    return { adapters, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The BFF, the only public entry: the API and the web app. Pushes the status changes of a user's
 * photos to their open event streams (a live group per replica: every replica sees every change).
 */
export const bffService = defineService({
  name: 'bff',
  configSchema: bffConfigSchema,
  open: openBffAdapters,
  build: ({ config, adapters, bus }) => buildBffApp({ ...adapters, config, bus }),
  checks: ({ config, adapters }) => ({
    ready: { accounts: () => adapters.accountStore.isHealthy() },
    // Uploads need neither metadata nor its database: while metadata is not ready the BFF says "degraded"
    // and keeps taking them (they are processed once it is back) instead of leaving the load balancer.
    degradedBy: { metadata: () => metadataClient(config.METADATA_URL, adapters.fetchImpl).isHealthy() },
  }),
  consumes: [{ group: 'bff-live', live: true, events: ['photo.processed', 'photo.processing-failed', 'photo.deleted'], concurrency: 4, maxAttempts: 2 }],
  produces: [],
});
