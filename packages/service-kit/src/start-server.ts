import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { shutDown, type ShutdownOptions } from './shutdown.js';

/** Options of {@link startServer}. */
export interface StartServerOptions extends ShutdownOptions {
  port: number;
  host: string;
  /** Graceful shutdown must end within this time, else the process exits with code 1. */
  shutdownTimeoutMs: number;
}

/**
 * Process concerns of a service, for its `server.ts` only (tests build the app and use `app.inject`).
 * Listens, then on SIGTERM/SIGINT (or an uncaught error) shuts down gracefully with {@link shutDown} and
 * exits: 0 after a clean shutdown on a signal, 1 after an error, a failed shutdown, a second signal or the
 * timeout. Resolves with the listening address.
 */
export async function startServer(app: FastifyInstance, options: StartServerOptions): Promise<string> {
  closeWithGrace(
    {
      delay: options.shutdownTimeoutMs,
      logger: { error: (message: unknown) => app.log.error(message) },
      onTimeout: (delay) => app.log.fatal(`graceful shutdown took more than ${delay} ms, exiting`),
      onSecondSignal: (signal) => app.log.fatal(`second ${signal}, exiting`),
    },
    async ({ signal, err }) => {
      if (err) app.log.fatal({ err }, 'uncaught error, shutting down');
      else app.log.info({ signal }, 'shutting down');
      await shutDown(app, options);
      app.log.info('shut down');
    },
  );
  return app.listen({ port: options.port, host: options.host });
}
