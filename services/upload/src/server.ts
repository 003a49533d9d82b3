import { createBusTelemetry, createEventBus } from '@photos/event-bus';
import { createObjectStore } from '@photos/object-store';
import { exitOnConfigError, loadConfig, startServer } from '@photos/service-kit';
import { buildUploadApp } from './app.js';
import { uploadConfigSchema } from './config.js';

const config = exitOnConfigError(() => loadConfig(uploadConfigSchema));
const originals = createObjectStore(config, config.ORIGINALS_BUCKET);
await originals.ensureBucket();
// The app owns the logger and metrics registry but needs the bus to be built: they are attached once it is.
const telemetry = createBusTelemetry();
const bus = await createEventBus(config, telemetry);
const app = await buildUploadApp({ config, originals, bus });
telemetry.attach(app.log.child({ component: 'bus' }), app.metrics);
await startServer(app, {
  port: config.PORT,
  host: config.HOST,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  metrics: { port: config.METRICS_PORT, host: config.METRICS_HOST },
  onShutdown: [() => bus.close()],
});
