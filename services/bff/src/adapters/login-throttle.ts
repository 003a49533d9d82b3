import type { Redis } from 'ioredis';
import type { LoginAttempt, LoginThrottle } from '../domain/accounts.js';
import type { RedisFallback } from './redis-fallback.js';

const WINDOW_MS = 15 * 60 * 1000;

// The address goes first: it never holds a space, so no (address, email) pair can spell another's key.
const addressKey = (email: string, address: string) => `address:${address} ${email}`;
const accountKey = (email: string) => `account:${email}`;

export interface LoginThrottleOptions {
  /** How long counts are kept: the per-address window is fixed from its first attempt, the per-account one slides. */
  windowMs?: number;
}

/**
 * Login counters in Redis, shared by every BFF replica; they expire after the window. While Redis is out
 * of reach (see {@link RedisFallback}) they are counted in this process instead, so the throttle keeps
 * working, per replica, rather than failing logins or letting every guess through.
 */
export function redisLoginThrottle(
  redis: Redis,
  fallback: RedisFallback,
  { prefix = 'bff:login-failures:', windowMs = WINDOW_MS, maxEntries }: LoginThrottleOptions & { prefix?: string; maxEntries?: number } = {},
): LoginThrottle {
  const local = memoryLoginThrottle({ windowMs, ...(maxEntries ? { maxEntries } : {}) });
  const exec = async (transaction: ReturnType<Redis['multi']>) => {
    const results = await transaction.exec();
    const failure = results?.find(([error]) => error)?.[0];
    if (!results || failure) throw failure ?? new Error('transaction discarded');
    return results.map(([, value]) => value);
  };
  return {
    attempt: (email, address) =>
      fallback.run<LoginAttempt>(
        async () => {
          const key = prefix + addressKey(email, address);
          // SET NX starts a fixed window at the first attempt; later attempts only count within it.
          const [, fromAddress, ttl, accountFailures] = await exec(
            redis
              .multi()
              .set(key, 0, 'PX', windowMs, 'NX')
              .incr(key)
              .pttl(key)
              .get(prefix + accountKey(email)),
          );
          return { fromAddress: Number(fromAddress), addressWindowMs: Math.max(0, Number(ttl)), accountFailures: Number(accountFailures ?? 0) };
        },
        () => local.attempt(email, address),
      ),
    failed: (email) =>
      fallback.run(
        async () => {
          // The account's window slides: an attacker who keeps guessing keeps its attempts slow.
          const key = prefix + accountKey(email);
          await exec(redis.multi().incr(key).pexpire(key, windowMs));
        },
        () => local.failed(email),
      ),
    succeeded: (email, address) =>
      fallback.run(
        async () => void (await redis.del(prefix + accountKey(email), prefix + addressKey(email, address))),
        () => local.succeeded(email, address),
      ),
  };
}

/**
 * Counts that expire, at most `maxEntries` of them. Entries are kept in the order they expire (each
 * map holds one kind of window), so expired ones are dropped from the front as new ones come, and when
 * full the one closest to expiry makes room: memory stays bounded whatever an attacker sends.
 */
class ExpiringCounts {
  private readonly entries = new Map<string, { count: number; expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get size() {
    return this.entries.size;
  }

  get(key: string): { count: number; expiresAt: number } | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > this.now() ? entry : undefined;
  }

  /** Adds one; `slide` restarts the window (and moves the entry to the back), otherwise it runs from the first count. */
  increment(key: string, windowMs: number, slide: boolean): { count: number; expiresAt: number } {
    const now = this.now();
    const current = this.get(key);
    if (current && !slide) {
      current.count += 1;
      return current;
    }
    const entry = { count: (current?.count ?? 0) + 1, expiresAt: now + windowMs };
    this.entries.delete(key);
    this.prune(now);
    this.entries.set(key, entry);
    return entry;
  }

  delete(key: string) {
    this.entries.delete(key);
  }

  private prune(now: number) {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size < this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}

/** The same counters in this process only (embedded mode, or no Redis), bounded in memory. */
export function memoryLoginThrottle({
  windowMs = WINDOW_MS,
  maxEntries = 10_000,
  now = Date.now,
}: LoginThrottleOptions & { maxEntries?: number; now?: () => number } = {}): LoginThrottle & { readonly entries: number } {
  const byAddress = new ExpiringCounts(maxEntries, now);
  const byAccount = new ExpiringCounts(maxEntries, now);
  return {
    get entries() {
      return byAddress.size + byAccount.size;
    },
    async attempt(email, address) {
      const entry = byAddress.increment(addressKey(email, address), windowMs, false);
      return { fromAddress: entry.count, addressWindowMs: entry.expiresAt - now(), accountFailures: byAccount.get(accountKey(email))?.count ?? 0 };
    },
    async failed(email) {
      byAccount.increment(accountKey(email), windowMs, true);
    },
    async succeeded(email, address) {
      byAccount.delete(accountKey(email));
      byAddress.delete(addressKey(email, address));
    },
  };
}
