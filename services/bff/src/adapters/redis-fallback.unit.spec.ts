import { describe, expect, it } from 'vitest';
import { createRedisFallback } from './redis-fallback.js';

describe('Redis fallback', () => {
  function setUp() {
    const redis = { status: 'ready' as string };
    const lines: string[] = [];
    let clock = 0;
    const fallback = createRedisFallback({
      redis: redis as never,
      logger: { warn: (_object, message) => void lines.push(`warn ${message}`), info: (message) => void lines.push(`info ${message}`) },
      retryAfterMs: 1_000,
      now: () => clock,
    });
    const tick = (ms: number) => void (clock += ms);
    const run = (remote: () => Promise<string>) => fallback.run(remote, async () => 'local');
    return { redis, lines, fallback, tick, run };
  }
  const ok = async () => 'remote';
  const broken = async (): Promise<string> => {
    throw new Error('Command timed out');
  };

  it('counts in Redis while it answers, in the process while it is disconnected, and warns once per outage', async () => {
    const { redis, lines, fallback, run } = setUp();
    expect(await run(ok)).toBe('remote');
    redis.status = 'reconnecting';
    for (let i = 0; i < 5; i++) expect(await run(ok)).toBe('local');
    expect(fallback.degraded).toBe(true);
    redis.status = 'ready';
    expect(await run(ok)).toBe('remote');
    expect(fallback.degraded).toBe(false);
    redis.status = 'connecting';
    expect(await run(ok)).toBe('local');
    expect(lines.map((line) => line.split(':')[0])).toEqual(['warn Redis is unreachable', 'info Redis is back', 'warn Redis is unreachable']);
  });

  it('after a failed command on a ready connection (a hung server), leaves Redis alone for a while, then tries again', async () => {
    const { lines, tick, run } = setUp();
    let calls = 0;
    const counted = (answer: () => Promise<string>) => () => (calls++, answer());
    expect(await run(counted(broken))).toBe('local');
    tick(500);
    expect(await run(counted(ok))).toBe('local');
    expect(calls).toBe(1);
    tick(500);
    expect(await run(counted(ok))).toBe('remote');
    expect(calls).toBe(2);
    expect(lines).toHaveLength(2);
  });

  it('tries Redis at once when a new connection is ready, even right after a failure', async () => {
    const { redis, run } = setUp();
    expect(await run(broken)).toBe('local');
    redis.status = 'reconnecting';
    expect(await run(ok)).toBe('local');
    redis.status = 'ready';
    expect(await run(ok)).toBe('remote');
  });
});
