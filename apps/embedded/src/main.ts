import { exitOnConfigError, loadConfig } from '@photos/service-kit';
import closeWithGrace from 'close-with-grace';
import Type from 'typebox';
import { startEmbeddedPlatform } from './embedded-platform.js';

const config = exitOnConfigError(() =>
  loadConfig(
    Type.Object({
      PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
      HOST: Type.String({ default: '127.0.0.1' }),
      DATA_DIR: Type.String({ minLength: 1, default: '.data' }),
    }),
  ),
);
const platform = await startEmbeddedPlatform({ dataDir: config.DATA_DIR, port: config.PORT, host: config.HOST, env: process.env });
console.log(`Photo platform running at ${platform.url} (data in ${config.DATA_DIR}; Ctrl-C to stop)`);
closeWithGrace({ delay: 15_000 }, async ({ err }) => {
  if (err) console.error(err);
  await platform.stop();
});
