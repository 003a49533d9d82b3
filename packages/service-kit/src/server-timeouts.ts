import Type, { type Static } from 'typebox';
import type { ExtraServerOptions } from './logger.js';

/**
 * The HTTP server's own timeouts, as variables. Spread into a service's config schema and pass
 * {@link serverTimeouts} as `server` to `createServiceApp`, so the app has them wherever it listens
 * (its `server.ts`, the embedded mode, tests).
 */
export const serverTimeoutsConfigSchema = Type.Object({
  HTTP_HEADERS_TIMEOUT_MS: Type.Integer({
    minimum: 1_000,
    maximum: 300_000,
    default: 30_000,
    description: "A request's headers must arrive within this time (slowloris); 408 beyond.",
  }),
  HTTP_REQUEST_TIMEOUT_MS: Type.Integer({
    minimum: 1_000,
    default: 600_000,
    description: 'A whole request, body included, must arrive within this time: the upload body timeout; 408 beyond.',
  }),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: Type.Integer({
    minimum: 1_000,
    default: 5_000,
    description: 'Idle keep-alive connections close after this time; keep above the idle timeout of any proxy in front.',
  }),
});

/** See {@link serverTimeoutsConfigSchema}. */
export type ServerTimeoutsConfig = Static<typeof serverTimeoutsConfigSchema>;

/**
 * Fastify and Node server options for these timeouts. Node enforces the headers and request timeouts
 * by sweeping its connections at an interval (30 s by default); the sweep runs at a quarter of the
 * shortest timeout here, so a timeout fires within 25% of its value rather than up to 30 s late.
 */
export function serverTimeouts(config: ServerTimeoutsConfig): ExtraServerOptions {
  const headersTimeout = Math.min(config.HTTP_HEADERS_TIMEOUT_MS, config.HTTP_REQUEST_TIMEOUT_MS);
  const sweep = Math.max(100, Math.min(30_000, Math.floor(Math.min(headersTimeout, config.HTTP_REQUEST_TIMEOUT_MS) / 4)));
  return {
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    http: { headersTimeout, connectionsCheckingInterval: sweep },
  };
}
