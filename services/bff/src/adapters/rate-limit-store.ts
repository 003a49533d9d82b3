import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import LocalStore from '@fastify/rate-limit/store/LocalStore.js';
import RedisStore from '@fastify/rate-limit/store/RedisStore.js';
import type { Redis } from 'ioredis';
import type { RedisFallback } from './redis-fallback.js';

type Count = { current: number; ttl: number };
type Increment = Parameters<FastifyRateLimitStore['incr']>;

/** Counts in Redis through `fallback`, and in this process while Redis is out of reach. */
class FallbackStore implements FastifyRateLimitStore {
  constructor(
    private readonly fallback: RedisFallback,
    private readonly redis: FastifyRateLimitStore,
    private readonly local: FastifyRateLimitStore,
  ) {}

  incr(key: string, callback: Increment[1], timeWindow: number, max: number): void {
    const count = (store: FastifyRateLimitStore) => () =>
      new Promise<Count>((resolve, reject) => {
        store.incr(key, (error, result) => (error || !result ? reject(error ?? new Error('no count')) : resolve(result)), timeWindow, max);
      });
    this.fallback.run(count(this.redis), count(this.local)).then(
      (result) => callback(null, result),
      (error: Error) => callback(error),
    );
  }

  child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
    return new FallbackStore(this.fallback, this.redis.child(routeOptions), this.local.child(routeOptions));
  }
}

/**
 * A `store` for @fastify/rate-limit: the plugin's own Redis store (counters shared by every replica)
 * while Redis answers, its own in-process LRU store while it does not. Preferred to the plugin's
 * `skipOnError`, which would lift the limits entirely during an outage: login and register are the
 * routes an attacker would then hammer. A replica's in-process counts are its own, so with N replicas
 * a client gets at most N times the limit until Redis is back.
 */
export function fallbackRateLimitStore(options: { redis: Redis; fallback: RedisFallback; nameSpace: string; cacheSize?: number }): FastifyRateLimitStoreCtor {
  return class extends FallbackStore {
    constructor() {
      super(options.fallback, new RedisStore(false, false, options.redis, options.nameSpace), new LocalStore(false, false, options.cacheSize ?? 5_000));
    }
  };
}
