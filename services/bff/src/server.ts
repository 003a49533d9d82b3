import { createBusTelemetry, createEventBus } from '@photos/event-bus';
import { createObjectStore } from '@photos/object-store';
import { exitOnConfigError, loadConfig, startServer } from '@photos/service-kit';
import { createSqlAccountStore } from './adapters/account-store-sql.js';
import { openRedis } from './adapters/redis-connection.js';
import { createSqlSessionStore } from './adapters/session-store-sql.js';
import { createSqlClient } from './adapters/sql-client.js';
import { buildBffApp } from './app.js';
import { bffConfigSchema } from './config.js';

const config = exitOnConfigError(() => loadConfig(bffConfigSchema));
const redis = config.REDIS_URL ? openRedis(config.REDIS_URL, { commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS }) : undefined;
const db = await createSqlClient({ url: config.ACCOUNTS_DATABASE_URL, dataDir: config.DATA_DIR });
// The app owns the logger and metrics registry but needs the bus to be built: they are attached once it is.
const telemetry = createBusTelemetry();
const bus = await createEventBus(config, telemetry);
const app = await buildBffApp({
  config,
  accountStore: await createSqlAccountStore(db),
  sessionStore: await createSqlSessionStore(db),
  originals: createObjectStore(config, config.ORIGINALS_BUCKET),
  variants: createObjectStore(config, config.VARIANTS_BUCKET),
  bus,
  ...(redis ? { redis } : {}),
});
telemetry.attach(app.log.child({ component: 'bus' }), app.metrics);
await startServer(app, {
  port: config.PORT,
  host: config.HOST,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  metrics: { port: config.METRICS_PORT, host: config.METRICS_HOST },
  onShutdown: [() => bus.close(), () => db.close(), async () => void redis?.disconnect()],
});
