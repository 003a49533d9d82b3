import type { Redis } from 'ioredis';
import type { LoginThrottle } from '../domain/accounts.js';

const WINDOW_SECONDS = 15 * 60;

/** Failed-login counters in Redis, shared by every BFF replica; they expire after the window. */
export function redisLoginThrottle(redis: Redis, maxFailures: number, prefix = 'bff:login-failures:'): LoginThrottle {
  return {
    async allowed(email) {
      const count = await redis.get(prefix + email).catch(() => null);
      return Number(count ?? 0) < maxFailures;
    },
    async failed(email) {
      await redis.multi().incr(prefix + email).expire(prefix + email, WINDOW_SECONDS).exec().catch(() => undefined);
    },
    async succeeded(email) {
      await redis.del(prefix + email).catch(() => undefined);
    },
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
