import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { listenMetrics, type MetricsListener, type MetricsListenerOptions } from './metrics.js';
import { shutDown, type ShutdownOptions } from './shutdown.js';

/** Options of {@link startServer}. */
export interface StartServerOptions extends ShutdownOptions {
  port: number;
  host: string;
  /** Graceful shutdown must end within this time, else the process exits with code 1. */
  shutdownTimeoutMs: number;
  /** The internal listener serving `app.metrics` at /metrics (METRICS_PORT, METRICS_HOST). */
  metrics: MetricsListenerOptions;
}

/** Where a started service listens. */
export interface StartedServer {
  /** The public listener (API, health). */
  url: string;
  /** The internal metrics listener; the metrics are at `${metricsUrl}/metrics`. */
  metricsUrl: string;
}

/**
 * Process concerns of a service, for `runService` (a service's `server.ts`) only (tests build the app and use `app.inject`).
 * Listens (the app on its port, its metrics on the metrics port), then on SIGTERM/SIGINT (or an uncaught
 * error) shuts down gracefully with {@link shutDown} and exits: 0 after a clean shutdown on a signal, 1 after an error, a failed shutdown, a second signal or the
 * timeout. The metrics listener closes last, so Prometheus sees the shutdown through.
 */
export async function startServer(app: FastifyInstance, options: StartServerOptions): Promise<StartedServer> {
  // Set once listening; the shutdown handler is installed before, to cover a failing listen too.
  const opened: { metrics?: MetricsListener } = {};
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
      try {
        await shutDown(app, options);
      } finally {
        await opened.metrics?.close();
      }
      app.log.info('shut down');
    },
  );
  const url = await app.listen({ port: options.port, host: options.host });
  const metrics = await listenMetrics({ '/metrics': app.metrics }, options.metrics);
  opened.metrics = metrics;
  app.log.info({ url: `${metrics.url}/metrics` }, 'metrics listening');
  return { url, metricsUrl: metrics.url };
}
