import { createEventBus } from '@photos/event-bus';
import { createObjectStore } from '@photos/object-store';
import { exitOnConfigError, loadConfig, startServer } from '@photos/service-kit';
import { buildProcessorApp } from './app.js';
import { processorConfigSchema } from './config.js';
import { configureSharp } from './domain/sharp-settings.js';

const config = exitOnConfigError(() => loadConfig(processorConfigSchema));
configureSharp({ concurrency: 1 });
const originals = createObjectStore(config, config.ORIGINALS_BUCKET);
const variants = createObjectStore(config, config.VARIANTS_BUCKET);
await variants.ensureBucket();
const bus = await createEventBus(config);
const app = await buildProcessorApp({ config, originals, variants, bus });
await startServer(app, {
  port: config.PORT,
  host: config.HOST,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  onShutdown: [() => bus.close()],
});
