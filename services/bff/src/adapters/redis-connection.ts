import { Redis } from 'ioredis';

/** How the BFF's Redis connection behaves while Redis is slow or gone. */
export interface RedisConnectionOptions {
  /** A command that takes longer fails, and its caller counts in the process instead. Default 200 ms. */
  commandTimeoutMs?: number;
  /** Shown by CLIENT LIST. Default `bff`. */
  connectionName?: string;
}

/**
 * The BFF's Redis connection (rate limits, login throttle). Redis is optional at run time, so a command
 * must fail fast rather than wait for it: nothing is queued while disconnected (`enableOfflineQueue:
 * false`), nothing is retried (`maxRetriesPerRequest: 0`), a hung server times out (`commandTimeout`).
 * The client reconnects by itself forever, with backoff; callers look at `status` and fall back.
 */
export function openRedis(url: string, options: RedisConnectionOptions = {}): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 200,
    connectTimeout: 2_000,
    connectionName: options.connectionName ?? 'bff',
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  // Without a listener, ioredis prints every failed reconnect as an unhandled 'error'; the outage is
  // logged once by the callers that fall back (see redis-fallback.ts).
  redis.on('error', () => undefined);
  return redis;
}
