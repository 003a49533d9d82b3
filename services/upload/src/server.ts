import { createEventBus } from '@photos/event-bus';
import { createObjectStore } from '@photos/object-store';
import { exitOnConfigError, loadConfig, startServer } from '@photos/service-kit';
import { buildUploadApp } from './app.js';
import { uploadConfigSchema } from './config.js';

const config = exitOnConfigError(() => loadConfig(uploadConfigSchema));
const originals = createObjectStore(config, config.ORIGINALS_BUCKET);
await originals.ensureBucket();
const bus = await createEventBus(config);
const app = await buildUploadApp({ config, originals, bus });
await startServer(app, {
  port: config.PORT,
  host: config.HOST,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  onShutdown: [() => bus.close()],
});
