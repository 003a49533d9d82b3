import { createObjectStore } from '@photos/object-store';
import { defineService, type OpenedAdapters } from '@photos/service-kit';
import { createSqlAccountStore } from './adapters/account-store-sql.js';
import { openRedis } from './adapters/redis-connection.js';
import { createSqlSessionStore } from './adapters/session-store-sql.js';
import { createSqlClient } from './adapters/sql-client.js';
import { buildBffApp, type BffAppDeps } from './app.js';
import { bffConfigSchema, type BffConfig } from './config.js';

/** What the BFF app is built from besides its config and bus (tests give their own). */
export type BffAdapters = Omit<BffAppDeps, 'config' | 'bus'>;

/**
 * The accounts database (Postgres at ACCOUNTS_DATABASE_URL, else PGlite under DATA_DIR), both buckets
 * (for signed media URLs) and, with REDIS_URL, the Redis shared by the replicas' limits.
 */
export async function openBffAdapters(config: BffConfig): Promise<OpenedAdapters<BffAdapters>> {
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
      ...(redis ? { redis } : {}),
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
  consumes: [{ group: 'bff-live', live: true, events: ['photo.processed', 'photo.processing-failed', 'photo.deleted'], concurrency: 4, maxAttempts: 2 }],
  produces: [],
});
