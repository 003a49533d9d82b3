import { hashPassword, scryptParams, verifyPassword } from './password-hash.js';

export interface Account {
  id: string;
  email: string;
  passwordHash: string;
  createdAt: string;
}

/** Where accounts live (Postgres, or PGlite in the embedded mode). */
export interface AccountStore {
  /** Inserts the account; resolves false (and changes nothing) when the email is taken. */
  insert(account: Account): Promise<boolean>;
  findByEmail(email: string): Promise<Account | undefined>;
  /** The emails of those of `ids` that are accounts, by id (e.g. to show who an album is shared with). */
  emailsOf(ids: readonly string[]): Promise<Map<string, string>>;
  isHealthy(): Promise<boolean>;
}

/** What the throttle knows of an account before a password is checked. */
export interface LoginAttempt {
  /** Attempts on this account from this address in the current window, this one included. */
  fromAddress: number;
  /** When that window ends, in ms from now. */
  addressWindowMs: number;
  /** Failed logins on this account from every address in the window (not counting this attempt). */
  accountFailures: number;
}

/**
 * Counters of login attempts, per (account, client address) and per account, that expire after a window.
 * Only counts: what they allow is decided by {@link accounts}.
 */
export interface LoginThrottle {
  /** Counts an attempt from `address` before the password is checked (so parallel guesses count too). */
  attempt(email: string, address: string): Promise<LoginAttempt>;
  /** The password was wrong (or no such account): one more failure for the account. */
  failed(email: string): Promise<void>;
  /** The right password: both counters start again. */
  succeeded(email: string, address: string): Promise<void>;
}

/**
 * How failed logins are answered. An address that fails `maxFailuresPerAddress` times on an account is
 * refused (429) for that account until its window ends; every other address is only slowed down, so
 * nobody can lock the owner out by guessing wrong on purpose.
 */
export interface LoginPolicy {
  maxFailuresPerAddress: number;
  /** Failures on an account (from anywhere) before its attempts are delayed. */
  slowdownAfterFailures: number;
  /** The first delay; it doubles with each further failure up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultLoginPolicy: LoginPolicy = { maxFailuresPerAddress: 5, slowdownAfterFailures: 3, baseDelayMs: 250, maxDelayMs: 5_000 };

/** How long an attempt on an account with `failures` recent failures waits before its password is checked. */
export function loginDelayMs(failures: number, policy: LoginPolicy): number {
  const beyond = failures - policy.slowdownAfterFailures;
  if (beyond < 0) return 0;
  // Capped before exponentiation so a large count never overflows to Infinity.
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(beyond, 30));
}

/** Password hashing, injected so tests can count it and use cheap parameters. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

export const scryptHasher = (cost?: number): PasswordHasher => {
  const params = cost ? scryptParams(cost) : undefined;
  return { hash: (password) => hashPassword(password, params), verify: verifyPassword };
};

export class InvalidCredentials extends Error {}
export class TooManyAttempts extends Error {
  constructor(
    message: string,
    /** Seconds until this address may try this account again. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export interface AccountsDeps {
  store: AccountStore;
  throttle: LoginThrottle;
  newId: () => string;
  now: () => Date;
  /** Waits before a slowed-down login is checked; tests pass one that records the delays. */
  sleep: (ms: number) => Promise<void>;
  hasher: PasswordHasher;
  policy?: LoginPolicy;
}

/** Registration and login, free of HTTP and drivers. */
export function accounts(deps: AccountsDeps) {
  const policy = deps.policy ?? defaultLoginPolicy;
  // Verifying against this when the account does not exist keeps response times alike, so timing does
  // not tell which emails have accounts.
  let decoyHash: Promise<string> | undefined;
  return {
    /**
     * Creates the account unless the email is taken. Says nothing either way (the caller answers the same),
     * and hashes the password in both cases so the time taken does not tell either.
     */
    async register(email: string, password: string): Promise<void> {
      const account: Account = {
        id: deps.newId(),
        email: normalizeEmail(email),
        passwordHash: await deps.hasher.hash(password),
        createdAt: deps.now().toISOString(),
      };
      await deps.store.insert(account);
    },

    /** The account, if `password` is its password and `address` is not throttled for it. */
    async login(email: string, password: string, address: string): Promise<Account> {
      const normalized = normalizeEmail(email);
      const attempt = await deps.throttle.attempt(normalized, address);
      if (attempt.fromAddress > policy.maxFailuresPerAddress) {
        const retryAfterSeconds = Math.max(1, Math.ceil(attempt.addressWindowMs / 1000));
        throw new TooManyAttempts('Too many failed logins for this account from your address; try again later.', retryAfterSeconds);
      }
      const delay = loginDelayMs(attempt.accountFailures, policy);
      if (delay > 0) await deps.sleep(delay);
      const account = await deps.store.findByEmail(normalized);
      const ok = await deps.hasher.verify(password, account?.passwordHash ?? (await (decoyHash ??= deps.hasher.hash('decoy'))));
      if (!account || !ok) {
        await deps.throttle.failed(normalized);
        throw new InvalidCredentials('Wrong email or password.');
      }
      await deps.throttle.succeeded(normalized, address);
      return account;
    },
  };
}
