import { describe, expect, it } from 'vitest';
import { memoryLoginThrottle } from './login-throttle.js';

describe('in-process login throttle', () => {
  function setUp(maxEntries = 100) {
    let clock = 1_000_000;
    const throttle = memoryLoginThrottle({ windowMs: 60_000, maxEntries, now: () => clock });
    return { throttle, tick: (ms: number) => void (clock += ms) };
  }

  it('counts attempts per (account, address) in a window fixed at the first one, and failures per account in a sliding one', async () => {
    const { throttle, tick } = setUp();
    expect(await throttle.attempt('alice@example.com', '203.0.113.9')).toEqual({ fromAddress: 1, addressWindowMs: 60_000, accountFailures: 0 });
    await throttle.failed('alice@example.com');
    tick(40_000);
    expect(await throttle.attempt('alice@example.com', '203.0.113.9')).toEqual({ fromAddress: 2, addressWindowMs: 20_000, accountFailures: 1 });
    await throttle.failed('alice@example.com');
    // Another address, another account: counted apart.
    expect(await throttle.attempt('alice@example.com', '198.51.100.7')).toMatchObject({ fromAddress: 1, accountFailures: 2 });
    expect(await throttle.attempt('bob@example.com', '203.0.113.9')).toMatchObject({ fromAddress: 1, accountFailures: 0 });
    tick(30_000);
    // The address window is over; the account's slid with its last failure (40 s ago of 60).
    expect(await throttle.attempt('alice@example.com', '203.0.113.9')).toEqual({ fromAddress: 1, addressWindowMs: 60_000, accountFailures: 2 });
    tick(30_000);
    expect(await throttle.attempt('alice@example.com', '203.0.113.9')).toMatchObject({ fromAddress: 2, accountFailures: 0 });
  });

  it('forgets both counts once the right password is given', async () => {
    const { throttle } = setUp();
    await throttle.attempt('alice@example.com', '203.0.113.9');
    await throttle.failed('alice@example.com');
    await throttle.succeeded('alice@example.com', '203.0.113.9');
    expect(await throttle.attempt('alice@example.com', '203.0.113.9')).toMatchObject({ fromAddress: 1, accountFailures: 0 });
  });

  it('holds at most maxEntries counts, dropping expired ones first, whatever is sent', async () => {
    const { throttle, tick } = setUp(50);
    for (let i = 0; i < 10_000; i++) {
      await throttle.attempt(`user-${i}@example.com`, `10.0.${i >> 8}.${i & 255}`);
      await throttle.failed(`user-${i}@example.com`);
    }
    expect(throttle.entries).toBe(100); // 50 per (account, address), 50 per account
    // The newest are kept (the oldest made room).
    expect(await throttle.attempt('user-9999@example.com', '10.0.39.15')).toMatchObject({ fromAddress: 2, accountFailures: 1 });
    tick(60_001);
    await throttle.attempt('late@example.com', '10.9.9.9');
    await throttle.failed('late@example.com');
    expect(throttle.entries).toBe(2);
  });
});
