import { Redis } from 'ioredis';
import type { CacheStore } from './cache-store.js';

/** The command defined below, as ioredis adds it (its Buffer variant: the value is sent on as bytes). */
interface VersionedReads {
  getVersionedBuffer(numberOfKeys: number, ...keysThenArgs: string[]): Promise<[Buffer, Buffer | null]>;
  /** 1 instead of the value when the value starts with the last argument. */
  getVersionedUnlessPrefixedBuffer(numberOfKeys: number, ...keysThenArgs: string[]): Promise<[Buffer, Buffer | number | null]>;
}

/** How the Redis cache connects. */
export interface RedisCacheOptions {
  url: string;
  /** A command that takes longer fails (the reader falls back to the database). Default 200 ms. */
  commandTimeoutMs?: number;
  /** Shown by CLIENT LIST. Default `metadata-cache`. */
  connectionName?: string;
  logger?: { info(message: string): void; warn(object: object, message: string): void };
}

/**
 * The read cache on Redis (ioredis). A cache must never slow the service down or make it fail:
 * commands are not queued while disconnected (`enableOfflineQueue: false`) nor retried, and time out
 * quickly; the client reconnects by itself forever, with backoff. An increment that fails (a lost
 * invalidation, whether Redis is gone or only slow) turns the cache off until the `onLostIncrements`
 * listeners have reset it: at once if still connected, else when the connection is back.
 */
export function createRedisCacheStore(options: RedisCacheOptions): CacheStore {
  const client = new Redis(options.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 200,
    connectionName: options.connectionName ?? 'metadata-cache',
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  // CacheStore.getVersioned in one round trip: the counters, then the value under the key they make.
  // (Standalone Redis: the value's key is not declared, as a cluster would want.)
  client.defineCommand('getVersioned', {
    lua: `local counters = {}
for i = 1, #KEYS do counters[i] = redis.call('GET', KEYS[i]) or '0' end
local key = ARGV[1] .. table.concat(counters, ':') .. ARGV[2]
return {key, redis.call('GET', key)}`,
  });
  client.defineCommand('getVersionedUnlessPrefixed', {
    lua: `local counters = {}
for i = 1, #KEYS do counters[i] = redis.call('GET', KEYS[i]) or '0' end
local key = ARGV[1] .. table.concat(counters, ':') .. ARGV[2]
local value = redis.call('GET', key)
if value and string.sub(value, 1, #ARGV[3]) == ARGV[3] then return {key, 1} end
return {key, value}`,
  });
  const getVersioned = (client as unknown as VersionedReads).getVersionedBuffer.bind(client);
  const getVersionedUnlessPrefixed = (client as unknown as VersionedReads).getVersionedUnlessPrefixedBuffer.bind(client);
  const listeners: (() => Promise<void>)[] = [];
  let usable = false;
  let lostWrites = false;
  let resetting = false;
  let closed = false;

  // Runs the listeners, then lets readers back in. Tried again while connected (and increments were lost
  // meanwhile or the listeners failed), else on the next 'ready'.
  const reset = async () => {
    if (resetting || closed) return;
    resetting = true;
    lostWrites = false;
    try {
      for (const listener of listeners) await listener();
    } catch (error) {
      lostWrites = true;
      options.logger?.warn({ err: error }, 'cache: reset failed; the cache stays off until it succeeds');
    } finally {
      resetting = false;
    }
    if (!lostWrites && client.status === 'ready') {
      usable = true;
      options.logger?.info('cache: Redis is usable again');
    } else if (lostWrites && client.status === 'ready' && !closed) setTimeout(() => void reset(), 1_000).unref();
  };
  client.on('ready', () => {
    if (lostWrites) void reset();
    else usable = true;
  });
  const unusable = () => {
    if (usable && !closed) options.logger?.warn({}, 'cache: Redis is unreachable; serving from the database');
    usable = false;
  };
  client.on('close', unusable);
  // Without a listener, ioredis reports every failed reconnect as an unhandled 'error'.
  client.on('error', unusable);

  /** A lost increment is a lost invalidation (a lost `set` only costs a miss): off until reset. */
  const lostIncrement = () => {
    lostWrites = true;
    usable = false;
    if (client.status === 'ready') void reset();
  };

  return {
    get usable() {
      return usable;
    },
    get: async (keys) => (keys.length === 0 ? [] : (await client.mget(...keys)).map((value) => value ?? undefined)),
    getVersioned: async (counterKeys, head, tail) => {
      const [key, value] = await getVersioned(counterKeys.length, ...counterKeys, head, tail);
      return value === null ? { key: key.toString() } : { key: key.toString(), value };
    },
    getVersionedUnlessPrefixed: async (counterKeys, head, tail, prefix) => {
      const [key, value] = await getVersionedUnlessPrefixed(counterKeys.length, ...counterKeys, head, tail, prefix);
      if (value === null) return { key: key.toString() };
      return typeof value === 'number' ? { key: key.toString(), prefixed: true } : { key: key.toString(), value };
    },
    set: async (key, value, ttlSeconds) => void (await client.set(key, value, 'EX', ttlSeconds)),
    increment: async (keys) => {
      try {
        const pipeline = client.pipeline();
        for (const key of keys) pipeline.incr(key);
        const failed = ((await pipeline.exec()) ?? []).find(([error]) => error);
        if (failed) throw failed[0];
      } catch (error) {
        lostIncrement();
        throw error;
      }
    },
    onLostIncrements: (listener) => void listeners.push(listener),
    close: async () => {
      closed = true;
      usable = false;
      client.disconnect();
    },
  };
}
