/** The Redis login throttle against a real Redis (the shared one, under a key prefix of this test's own). */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisLoginThrottle } from './login-throttle.js';
import { createRedisFallback } from './redis-fallback.js';

const prefix = `test:login-${randomUUID().slice(0, 8)}:`;
const logger = { warn: () => undefined, info: () => undefined };
let redis: Redis;
let other: Redis;

beforeAll(async () => {
  redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 0 });
  other = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 0 });
  await Promise.all([redis.ping(), other.ping()]);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  other.disconnect();
});

describe('Redis login throttle', () => {
  it('shares its counts between replicas: attempts per (account, address) in a fixed window, failures per account in a sliding one', async () => {
    // Two replicas, each with its own connection and fallback, as two BFF processes would have.
    const one = redisLoginThrottle(redis, createRedisFallback({ redis, logger }), { prefix, windowMs: 60_000 });
    const two = redisLoginThrottle(other, createRedisFallback({ redis: other, logger }), { prefix, windowMs: 60_000 });
    expect(await one.attempt('alice@example.com', '203.0.113.9')).toMatchObject({ fromAddress: 1, accountFailures: 0 });
    await one.failed('alice@example.com');
    const second = await two.attempt('alice@example.com', '203.0.113.9');
    expect(second).toMatchObject({ fromAddress: 2, accountFailures: 1 });
    expect(second.addressWindowMs).toBeGreaterThan(50_000);
    expect(second.addressWindowMs).toBeLessThanOrEqual(60_000);
    await two.failed('alice@example.com');
    expect(await one.attempt('alice@example.com', '198.51.100.7')).toMatchObject({ fromAddress: 1, accountFailures: 2 });
    expect(await redis.get(`${prefix}address:203.0.113.9 alice@example.com`)).toBe('2');
    // The per-address window does not move with later attempts; the per-account one does.
    await redis.pexpire(`${prefix}address:203.0.113.9 alice@example.com`, 5_000);
    await redis.pexpire(`${prefix}account:alice@example.com`, 5_000);
    expect((await two.attempt('alice@example.com', '203.0.113.9')).addressWindowMs).toBeLessThanOrEqual(5_000);
    await two.failed('alice@example.com');
    expect(await redis.pttl(`${prefix}account:alice@example.com`)).toBeGreaterThan(50_000);

    await one.succeeded('alice@example.com', '203.0.113.9');
    expect(await two.attempt('alice@example.com', '203.0.113.9')).toMatchObject({ fromAddress: 1, accountFailures: 0 });
  });
});
