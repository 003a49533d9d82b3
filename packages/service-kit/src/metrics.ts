import Fastify, { type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { problemDetailsPlugin } from './problem-details.js';

/** Options of {@link metricsPlugin}. */
export interface MetricsOptions {
  /** Collect process metrics (CPU, memory, event loop lag, GC...). Default true. */
  defaultMetrics?: boolean;
  /** Buckets (seconds) of `http_request_duration_seconds`. */
  durationBuckets?: number[];
}

/**
 * Prometheus metrics in a registry of the app's own (`app.metrics`; not prom-client's global one, so
 * several apps can live in one process): process metrics and `http_request_duration_seconds{method,route,
 * status_code}` where `route` is the route pattern (`unmatched` for 404s). Services add their own metrics
 * with `registers: [app.metrics]`. The app does not serve them: {@link listenMetrics} does, on a port of
 * its own, so per-route counts and the runtime's version never reach the public port.
 */
export const metricsPlugin = fp(
  async (app: FastifyInstance, options: MetricsOptions) => {
    const registry = new Registry();
    // The event loop delay is sampled every 100 ms, not prom-client's 10: its timer woke an idle service
    // 100 times a second (5 ms of CPU a second, bench:bff), and a stall still delays the next sample.
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
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
      duration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });
  },
  { name: '@photos/service-kit/metrics', fastify: '5.x' },
);

/** Where {@link listenMetrics} listens. */
export interface MetricsListenerOptions {
  /** 0: any free port (tests). */
  port: number;
  host: string;
}

/** A running {@link listenMetrics}. */
export interface MetricsListener {
  /** Its origin, e.g. `http://127.0.0.1:9301`; the registries are under the paths given. */
  url: string;
  close(): Promise<void>;
}

/**
 * The internal metrics listener: GET on each path of `registries` (e.g. `{ '/metrics': app.metrics }`)
 * answers that registry in Prometheus' text format; anything else is a 404 problem. It is separate from
 * the service's public port so that only the network Prometheus sits on can reach it; `startServer`
 * opens it beside the app, the embedded mode one for its four apps.
 */
export async function listenMetrics(registries: Readonly<Record<string, Registry>>, options: MetricsListenerOptions): Promise<MetricsListener> {
  const server = Fastify({ logger: false });
  await server.register(problemDetailsPlugin);
  for (const [path, registry] of Object.entries(registries)) {
    server.get(path, async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  }
  const address = await server.listen({ port: options.port, host: options.host });
  return { url: address, close: () => server.close() };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's Prometheus registry; register service metrics here. */
    metrics: Registry;
  }
}
