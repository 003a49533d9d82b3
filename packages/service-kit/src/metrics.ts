import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Options of {@link metricsPlugin}. */
export interface MetricsOptions {
  /** Collect process metrics (CPU, memory, event loop lag, GC...). Default true. */
  defaultMetrics?: boolean;
  /** Buckets (seconds) of `http_request_duration_seconds`. */
  durationBuckets?: number[];
}

/**
 * Prometheus metrics in a registry of the app's own (`app.metrics`; not prom-client's global one, so
 * several apps can live in one process): process metrics, `http_request_duration_seconds{method,route,
 * status_code}` where `route` is the route pattern (`unmatched` for 404s), and GET /metrics.
 * Services add their own metrics with `registers: [app.metrics]`.
 */
export const metricsPlugin = fp(
  async (app: FastifyInstance, options: MetricsOptions) => {
    const registry = new Registry();
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Duration of HTTP requests, from arrival to the last byte of the reply.',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: options.durationBuckets ?? [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    app.decorate('metrics', registry);

    app.addHook('onResponse', async (request, reply) => {
      if (request.routeOptions.config?.probe === true) return;
      // The pattern, never the raw URL: one series per route, whatever ids the URLs carry.
      const route = request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
      duration.observe(
        { method: request.method, route, status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });

    app.get('/metrics', { config: { probe: true } }, async (_request, reply) =>
      reply.type(registry.contentType).send(await registry.metrics()),
    );
  },
  { name: '@photos/service-kit/metrics', fastify: '5.x' },
);

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's Prometheus registry; register service metrics here. */
    metrics: Registry;
  }
}
