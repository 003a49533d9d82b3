import { createBusTelemetry, createEventBus } from '@photos/event-bus';
import { exitOnConfigError, loadConfig, startServer } from '@photos/service-kit';
import { openDatabase } from './adapters/database.js';
import { buildMetadataApp } from './app.js';
import { metadataConfigSchema } from './config.js';

const config = exitOnConfigError(() => loadConfig(metadataConfigSchema));
const database = openDatabase({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
// Compose and Kubernetes run `prisma migrate deploy` as a step of their own; a single instance may migrate itself.
const migrated = config.MIGRATE_ON_START ? await database.migrate() : [];
// The app owns the logger and metrics registry but needs the bus to be built: they are attached once it is.
const telemetry = createBusTelemetry();
const bus = await createEventBus(config, telemetry);
const app = await buildMetadataApp({ config, database, bus });
telemetry.attach(app.log.child({ component: 'bus' }), app.metrics);
if (config.MIGRATE_ON_START) app.log.info({ applied: migrated }, 'migrations applied');
await startServer(app, {
  port: config.PORT,
  host: config.HOST,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  metrics: { port: config.METRICS_PORT, host: config.METRICS_HOST },
  onShutdown: [() => bus.close(), () => database.close()],
});
