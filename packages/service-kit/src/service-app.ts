import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import fp from 'fastify-plugin';
import type { DestinationStream, LevelWithSilent } from 'pino';
import { closingConnectionsPlugin } from './closing-connections.js';
import { correlationIdPlugin } from './correlation-id.js';
import { healthPlugin, type HealthOptions } from './health.js';
import { trustProxyOption } from './config.js';
import { serverOptions, type ExtraServerOptions } from './logger.js';
import { serverSpansPlugin } from './server-spans.js';
import { metricsPlugin, type MetricsOptions } from './metrics.js';
import { answerClientError, answerFrameworkError, problemDetailsPlugin } from './problem-details.js';

/** A Fastify app with the TypeBox type provider, as {@link createServiceApp} builds it. */
export type ServiceApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

/** Options of {@link serviceKit}. */
export interface ServiceKitOptions extends HealthOptions {
  metrics?: MetricsOptions;
}

/**
 * Everything a service has besides its routes: correlation id echo, problem-details errors, health and
 * metrics endpoints, `Connection: close` while closing. Registered first (metrics' timing hook then
 * covers every route).
 */
export const serviceKit = fp(
  async (app: FastifyInstance, { metrics, ...health }: ServiceKitOptions) => {
    // First: every later hook and the handler run inside the request's server span.
    await app.register(serverSpansPlugin);
    await app.register(metricsPlugin, metrics ?? {});
    await app.register(correlationIdPlugin);
    await app.register(problemDetailsPlugin);
    await app.register(closingConnectionsPlugin);
    await app.register(healthPlugin, health);
  },
  { name: '@photos/service-kit', fastify: '5.x' },
);

/** Options of {@link createServiceApp}. */
export interface ServiceAppOptions extends ServiceKitOptions {
  /** The service name, in every log line. */
  name: string;
  logLevel: LevelWithSilent;
  /** Where log lines go; stdout when absent. */
  logStream?: DestinationStream;
  /** The `TRUST_PROXY` value: which proxies' X-Forwarded-For sets `request.ip`. Default: none. */
  trustProxy?: string;
  /** Further Fastify options (timeouts: see `serverTimeouts`...). */
  server?: ExtraServerOptions;
}

/**
 * The largest body a parsed (JSON, text) route reads: every such body of the platform is a few hundred
 * bytes, so 16 KiB bounds the memory and parse time a request can cost. Bigger ones get 413. Uploads
 * (multipart) are streamed and have their own limits.
 */
export const BODY_LIMIT_BYTES = 16 * 1024;

/**
 * Builds a service's Fastify app with JSON logs and correlation ids ({@link serverOptions}), the TypeBox
 * type provider and {@link serviceKit} loaded, so `app.metrics` and `app.health` are usable at once.
 * The caller registers its routes, then tests use `app.inject` and the service runner calls `startServer`.
 */
export async function createServiceApp({ name, logLevel, logStream, trustProxy, server, ...kit }: ServiceAppOptions): Promise<ServiceApp> {
  const app = Fastify({
    // onReady hooks may wait on a peer (consumer groups join after ready, in the runner, outside this limit).
    pluginTimeout: 60_000,
    // Requests Node cannot read (malformed HTTP, headers too large, timeouts) are answered as problem+json too.
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
    bodyLimit: BODY_LIMIT_BYTES,
    // Off unless configured: X-Forwarded-For from anyone would let a client pick the address it is limited by.
    trustProxy: trustProxyOption(trustProxy ?? 'false'),
    ...server,
    ...serverOptions({ service: name, level: logLevel, ...(logStream ? { logStream } : {}) }),
  }).withTypeProvider<TypeBoxTypeProvider>();
  await app.register(serviceKit, kit);
  return app;
}
