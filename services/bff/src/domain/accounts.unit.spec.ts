import { describe, expect, it } from 'vitest';
import { memoryLoginThrottle } from '../adapters/login-throttle.js';
import {
  accounts,
  defaultLoginPolicy,
  InvalidCredentials,
  loginDelayMs,
  normalizeEmail,
  scryptHasher,
  TooManyAttempts,
  type Account,
  type AccountStore,
  type PasswordHasher,
} from './accounts.js';

/** Accounts in a map, with the store's contract: a taken email is refused and changes nothing. */
function memoryStore(): AccountStore & { rows: Map<string, Account> } {
  const rows = new Map<string, Account>();
  return {
    rows,
    async insert(account) {
      if (rows.has(account.email)) return false;
      rows.set(account.email, account);
      return true;
    },
    async findByEmail(email) {
      return rows.get(email);
    },
    async emailsOf(ids) {
      return new Map([...rows.values()].filter((account) => ids.includes(account.id)).map((account) => [account.id, account.email]));
    },
    async isHealthy() {
      return true;
    },
  };
}

/** Not a real hash: counts the calls, so a test can tell which paths hash. */
function countingHasher(): PasswordHasher & { hashes: number; verifies: number } {
  const hasher = {
    hashes: 0,
    verifies: 0,
    async hash(password: string) {
      hasher.hashes++;
      return `plain:${password}`;
    },
    async verify(password: string, stored: string) {
      hasher.verifies++;
      return stored === `plain:${password}`;
    },
  };
  return hasher;
}

function setUp(policy = { maxFailuresPerAddress: 5, slowdownAfterFailures: 3, baseDelayMs: 250, maxDelayMs: 5_000 }) {
  let clock = 0;
  const delays: number[] = [];
  const store = memoryStore();
  const hasher = countingHasher();
  let ids = 0;
  const users = accounts({
    store,
    throttle: memoryLoginThrottle({ now: () => clock }),
    newId: () => `id-${++ids}`,
    now: () => new Date(clock),
    sleep: async (ms) => void delays.push(ms),
    hasher,
    policy,
  });
  const outcome = (email: string, password: string, address: string) =>
    users.login(email, password, address).then(
      () => 'ok',
      (error: Error) => {
        if (error instanceof TooManyAttempts) return `429 after ${error.retryAfterSeconds}s`;
        return error instanceof InvalidCredentials ? '401' : String(error);
      },
    );
  return { users, store, hasher, delays, outcome, tick: (ms: number) => void (clock += ms) };
}

describe('accounts: login throttling', () => {
  it('refuses an address that keeps failing on an account, for that account only, and lets the owner in from elsewhere', async () => {
    const { users, outcome } = setUp();
    await users.register('alice@example.com', 'the right password');
    const fromAttacker = [];
    for (let i = 0; i < 7; i++) fromAttacker.push(await outcome('alice@example.com', 'a guess', '203.0.113.9'));
    expect(fromAttacker).toEqual(['401', '401', '401', '401', '401', '429 after 900s', '429 after 900s']);
    // Even the right password is refused from the throttled address...
    expect(await outcome('ALICE@example.com', 'the right password', '203.0.113.9')).toBe('429 after 900s');
    // ...but not from the owner's, and the attacker's address may still try other accounts.
    expect(await outcome('alice@example.com', 'the right password', '198.51.100.7')).toBe('ok');
    await users.register('bob@example.com', 'bob password');
    expect(await outcome('bob@example.com', 'bob password', '203.0.113.9')).toBe('ok');
  });

  it('lets the address try again once its 15 minute window is over, and says when in Retry-After', async () => {
    const { users, outcome, tick } = setUp({ maxFailuresPerAddress: 2, slowdownAfterFailures: 100, baseDelayMs: 250, maxDelayMs: 5_000 });
    await users.register('carol@example.com', 'the right password');
    expect(await outcome('carol@example.com', 'wrong', '203.0.113.9')).toBe('401');
    tick(5 * 60_000);
    expect(await outcome('carol@example.com', 'wrong', '203.0.113.9')).toBe('401');
    expect(await outcome('carol@example.com', 'the right password', '203.0.113.9')).toBe('429 after 600s');
    tick(10 * 60_000);
    expect(await outcome('carol@example.com', 'the right password', '203.0.113.9')).toBe('ok');
  });

  it('slows every attempt on an account down once it has failed a few times, doubling up to a cap, and not before', async () => {
    const { users, outcome, delays } = setUp({ maxFailuresPerAddress: 1_000, slowdownAfterFailures: 3, baseDelayMs: 250, maxDelayMs: 5_000 });
    await users.register('dave@example.com', 'the right password');
    // From many addresses, as a distributed guesser would: the delay is per account.
    for (let i = 0; i < 10; i++) expect(await outcome('dave@example.com', 'a guess', `203.0.113.${i}`)).toBe('401');
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
    // The owner waits too, once (5 s at most), gets in, and the count starts again.
    expect(await outcome('dave@example.com', 'the right password', '198.51.100.7')).toBe('ok');
    expect(delays.at(-1)).toBe(5000);
    delays.length = 0;
    expect(await outcome('dave@example.com', 'a typo', '198.51.100.7')).toBe('401');
    expect(delays).toEqual([]);
  });

  it('computes the delay without overflow for any count', () => {
    const policy = { maxFailuresPerAddress: 5, slowdownAfterFailures: 3, baseDelayMs: 250, maxDelayMs: 5_000 };
    expect([0, 2, 3, 4, 7, 8, 1e6].map((failures) => loginDelayMs(failures, policy))).toEqual([0, 0, 250, 500, 4000, 5000, 5000]);
  });

  it('counts failures on emails that have no account the same way (no hint that they do not exist)', async () => {
    const { outcome, delays } = setUp({ maxFailuresPerAddress: 2, slowdownAfterFailures: 1, baseDelayMs: 250, maxDelayMs: 5_000 });
    expect([
      await outcome('nobody@example.com', 'x', '203.0.113.9'),
      await outcome('nobody@example.com', 'x', '203.0.113.9'),
      await outcome('nobody@example.com', 'x', '203.0.113.9'),
    ]).toEqual(['401', '401', '429 after 900s']);
    expect(delays).toEqual([250]);
  });
});

describe('accounts: register', () => {
  it('hashes the password whether the email is new or taken, and a taken email changes nothing', async () => {
    const { users, store, hasher, outcome } = setUp();
    await users.register('erin@example.com', 'first password');
    expect(hasher.hashes).toBe(1);
    const before = structuredClone(store.rows.get('erin@example.com'));
    await users.register(' Erin@Example.com ', 'second password');
    expect(hasher.hashes).toBe(2);
    expect(store.rows.get('erin@example.com')).toEqual(before);
    expect(await outcome('erin@example.com', 'second password', '198.51.100.7')).toBe('401');
    expect(await outcome('erin@example.com', 'first password', '198.51.100.7')).toBe('ok');
  });

  it('resolves the same (nothing) for a new and a taken email', async () => {
    const { users } = setUp();
    const results = [await users.register('frank@example.com', 'a password'), await users.register('frank@example.com', 'another one')];
    expect(results).toEqual([undefined, undefined]);
  });
});

describe('accounts: what a client is told', () => {
  it('says why a login is refused, without telling whether the email has an account', async () => {
    const { users } = setUp({ maxFailuresPerAddress: 1, slowdownAfterFailures: 100, baseDelayMs: 250, maxDelayMs: 5_000 });
    await users.register('gina@example.com', 'the right password');
    await expect(users.login('gina@example.com', 'wrong', '203.0.113.9')).rejects.toThrow(new InvalidCredentials('Wrong email or password.'));
    await expect(users.login('nobody@example.com', 'wrong', '203.0.113.9')).rejects.toThrow(new InvalidCredentials('Wrong email or password.'));
    await expect(users.login('gina@example.com', 'wrong', '203.0.113.9')).rejects.toThrow(
      'Too many failed logins for this account from your address; try again later.',
    );
  });

  it('checks a password against one decoy hash, made once, when the email has no account', async () => {
    const { outcome, hasher } = setUp();
    expect(await outcome('nobody@example.com', 'x', '203.0.113.9')).toBe('401');
    expect(await outcome('nobody@example.com', 'y', '203.0.113.9')).toBe('401');
    expect({ hashes: hasher.hashes, verifies: hasher.verifies }).toEqual({ hashes: 1, verifies: 2 });
  });

  it('stores emails trimmed and in lower case', async () => {
    expect(normalizeEmail('  Ada@Example.COM \t')).toBe('ada@example.com');
    const { users, store } = setUp();
    await users.register(' Hal@Example.com ', 'a password');
    expect([...store.rows.keys()]).toEqual(['hal@example.com']);
  });

  it('throttles with the documented defaults when no policy is given', () => {
    expect(defaultLoginPolicy).toEqual({ maxFailuresPerAddress: 5, slowdownAfterFailures: 3, baseDelayMs: 250, maxDelayMs: 5_000 });
  });

  it('hashes with scrypt at the given cost', async () => {
    const hasher = scryptHasher(10);
    const stored = await hasher.hash('a password');
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await hasher.verify('a password', stored)).toBe(true);
    expect(await hasher.verify('another', stored)).toBe(false);
  });
});
