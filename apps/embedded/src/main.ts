import { exitOnConfigError, loadConfig } from '@photos/service-kit';
import closeWithGrace from 'close-with-grace';
import Type from 'typebox';
import { startEmbeddedPlatform } from './embedded-platform.js';
import { onStopSignals, STOP_SIGNALS } from './stop-signals.js';

const config = exitOnConfigError(() =>
  loadConfig(
    Type.Object({
      PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
      HOST: Type.String({ default: '127.0.0.1' }),
      DATA_DIR: Type.String({ minLength: 1, default: '.data' }),
      // Any free port by default: a laptop's `npm start` must not fail on a taken port nobody scrapes.
      METRICS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 0 }),
      METRICS_HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
    }),
  ),
);
const platform = await startEmbeddedPlatform({
  dataDir: config.DATA_DIR,
  port: config.PORT,
  host: config.HOST,
  env: process.env,
  metrics: { port: config.METRICS_PORT, host: config.METRICS_HOST },
});
console.log(`Photo platform running at ${platform.url} (data in ${config.DATA_DIR}; Ctrl-C to stop)`);
console.log(`Metrics (internal): ${platform.metricsUrl}/metrics/{bff,upload,processor,metadata}`);
// Uncaught errors stop the platform too; stop signals are counted by onStopSignals, which knows that one
// Ctrl-C reaches this process twice (see stop-signals.ts).
const grace = closeWithGrace({ delay: 15_000, skip: [...STOP_SIGNALS] }, async ({ err }) => {
  if (err) console.error(err);
  await platform.stop();
});
onStopSignals(() => void grace.close());
