import type { Redis } from 'ioredis';
import type { LoginThrottle } from '../domain/accounts.js';
import type { RedisFallback } from './redis-fallback.js';

const WINDOW_SECONDS = 15 * 60;

/**
 * Failed-login counters in Redis, shared by every BFF replica; they expire after the window. While Redis
 * is out of reach (see {@link RedisFallback}) they are counted in this process instead, so the throttle
 * keeps working, per replica, rather than failing logins or letting every guess through.
 */
export function redisLoginThrottle(redis: Redis, maxFailures: number, fallback: RedisFallback, prefix = 'bff:login-failures:'): LoginThrottle {
  const local = memoryLoginThrottle(maxFailures);
  return {
    allowed: (email) =>
      fallback.run(
        async () => Number((await redis.get(prefix + email)) ?? 0) < maxFailures,
        () => local.allowed(email),
      ),
    failed: (email) =>
      fallback.run(
        async () => {
          const results = await redis.multi().incr(prefix + email).expire(prefix + email, WINDOW_SECONDS).exec();
          const failure = results?.find(([error]) => error)?.[0];
          if (!results || failure) throw failure ?? new Error('transaction discarded');
        },
        () => local.failed(email),
      ),
    succeeded: (email) =>
      fallback.run(
        async () => void (await redis.del(prefix + email)),
        () => local.succeeded(email),
      ),
  };
}

/** The same counters in this process only (embedded mode, or no Redis). */
export function memoryLoginThrottle(maxFailures: number, now: () => number = Date.now): LoginThrottle {
  const failures = new Map<string, { count: number; until: number }>();
  const current = (email: string) => {
    const entry = failures.get(email);
    return entry && entry.until > now() ? entry.count : 0;
  };
  return {
    async allowed(email) {
      return current(email) < maxFailures;
    },
    async failed(email) {
      failures.set(email, { count: current(email) + 1, until: now() + WINDOW_SECONDS * 1000 });
    },
    async succeeded(email) {
      failures.delete(email);
    },
  };
}
