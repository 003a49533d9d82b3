import { createEventBus } from '@photos/event-bus';
import { createObjectStore } from '@photos/object-store';
import { exitOnConfigError, loadConfig, startServer } from '@photos/service-kit';
import { createSqlAccountStore } from './adapters/account-store-sql.js';
import { openRedis } from './adapters/redis-connection.js';
import { createSqlClient } from './adapters/sql-client.js';
import { buildBffApp } from './app.js';
import { bffConfigSchema } from './config.js';

const config = exitOnConfigError(() => loadConfig(bffConfigSchema));
const redis = config.REDIS_URL ? openRedis(config.REDIS_URL, { commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS }) : undefined;
const db = await createSqlClient({ url: config.ACCOUNTS_DATABASE_URL, dataDir: config.DATA_DIR });
const bus = await createEventBus(config);
const app = await buildBffApp({
  config,
  accountStore: await createSqlAccountStore(db),
  originals: createObjectStore(config, config.ORIGINALS_BUCKET),
  variants: createObjectStore(config, config.VARIANTS_BUCKET),
  bus,
  ...(redis ? { redis } : {}),
});
await startServer(app, {
  port: config.PORT,
  host: config.HOST,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  onShutdown: [() => bus.close(), () => db.close(), async () => void redis?.disconnect()],
});
