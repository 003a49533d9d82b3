import type { Redis } from 'ioredis';

/** Where the BFF's Redis-backed counters go while Redis is out of reach. */
export interface RedisFallback {
  /**
   * `remote()` while Redis answers; `local()` instead while it is disconnected, shortly after a command
   * failed, or when `remote()` fails. Never rejects because of Redis.
   */
  run<T>(remote: () => Promise<T>, local: () => Promise<T>): Promise<T>;
  /** True from a failure until a Redis command succeeds again. */
  readonly degraded: boolean;
}

export interface RedisFallbackDeps {
  redis: Pick<Redis, 'status'>;
  logger: { warn(object: object, message: string): void; info(message: string): void };
  /** After a failed command, Redis is left alone this long before the next try. Default 1000 ms. */
  retryAfterMs?: number;
  now?: () => number;
}

/**
 * Redis is optional at run time: the BFF's rate limits and login throttle count in Redis (shared by
 * every replica) while it answers and in the process while it does not, rather than failing requests
 * or dropping the limits. One warning per outage and one note when Redis is back, not one per request.
 * While connected but failing (a hung server), Redis is only tried again every `retryAfterMs`, so each
 * request does not wait for a command timeout.
 */
export function createRedisFallback({ redis, logger, retryAfterMs = 1_000, now = Date.now }: RedisFallbackDeps): RedisFallback {
  let degraded = false;
  // Set after a command failed on a connection that looks ready (a hung server): Redis is left alone until then.
  let holdUntil = 0;

  const fail = (error: unknown) => {
    if (!degraded) logger.warn({ err: error }, 'Redis is unreachable: rate limits and login failures are counted in this process until it is back');
    degraded = true;
  };

  return {
    get degraded() {
      return degraded;
    },
    async run(remote, local) {
      if (redis.status !== 'ready') {
        // A new connection is a fresh start: once it is ready, Redis is tried at once.
        holdUntil = 0;
        fail(new Error(`Redis connection is ${redis.status}`));
        return local();
      }
      if (now() < holdUntil) return local();
      let value;
      try {
        value = await remote();
      } catch (error) {
        holdUntil = now() + retryAfterMs;
        fail(error);
        return local();
      }
      if (degraded) {
        degraded = false;
        logger.info('Redis is back: rate limits and login failures are counted in Redis again');
      }
      return value;
    },
  };
}
