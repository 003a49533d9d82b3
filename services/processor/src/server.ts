import { createBusTelemetry, createEventBus } from '@photos/event-bus';
import { createObjectStore } from '@photos/object-store';
import { exitOnConfigError, loadConfig, startServer } from '@photos/service-kit';
import { buildProcessorApp } from './app.js';
import { processorConfigSchema } from './config.js';
import { configureSharp, PROCESSOR_SHARP_SETTINGS } from './domain/sharp-settings.js';

const config = exitOnConfigError(() => loadConfig(processorConfigSchema));
configureSharp(PROCESSOR_SHARP_SETTINGS);
const originals = createObjectStore(config, config.ORIGINALS_BUCKET);
const variants = createObjectStore(config, config.VARIANTS_BUCKET);
await variants.ensureBucket();
// The app owns the logger and metrics registry but needs the bus to be built: they are attached once it is.
const telemetry = createBusTelemetry();
const bus = await createEventBus(config, telemetry);
const app = await buildProcessorApp({ config, originals, variants, bus });
telemetry.attach(app.log.child({ component: 'bus' }), app.metrics);
await startServer(app, {
  port: config.PORT,
  host: config.HOST,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  metrics: { port: config.METRICS_PORT, host: config.METRICS_HOST },
  onShutdown: [() => bus.close()],
});
