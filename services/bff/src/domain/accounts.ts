import { hashPassword, scryptParams, verifyPassword } from './password-hash.js';

export interface Account {
  id: string;
  email: string;
  passwordHash: string;
  createdAt: string;
}

/** Where accounts live (Postgres, or PGlite in the embedded mode). */
export interface AccountStore {
  /** Inserts the account; resolves false when the email is taken. */
  insert(account: Account): Promise<boolean>;
  findByEmail(email: string): Promise<Account | undefined>;
  isHealthy(): Promise<boolean>;
}

/** Counts failed logins per account so a password cannot be guessed by brute force. */
export interface LoginThrottle {
  /** True when the account may try again. */
  allowed(email: string): Promise<boolean>;
  failed(email: string): Promise<void>;
  succeeded(email: string): Promise<void>;
}

export class EmailTaken extends Error {}
export class InvalidCredentials extends Error {}
export class TooManyAttempts extends Error {}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

// Verifying against this when the account does not exist keeps response times alike, so timing does
// not tell which emails have accounts.
let decoyHash: Promise<string> | undefined;

/** Registration and login, free of HTTP and drivers. */
export function accounts(deps: { store: AccountStore; throttle: LoginThrottle; newId: () => string; now: () => Date; scryptCost?: number }) {
  const params = deps.scryptCost ? scryptParams(deps.scryptCost) : undefined;
  return {
    async register(email: string, password: string): Promise<Account> {
      const account: Account = {
        id: deps.newId(),
        email: normalizeEmail(email),
        passwordHash: await hashPassword(password, params),
        createdAt: deps.now().toISOString(),
      };
      if (!(await deps.store.insert(account))) throw new EmailTaken(`An account exists for ${account.email}.`);
      return account;
    },

    async login(email: string, password: string): Promise<Account> {
      const normalized = normalizeEmail(email);
      if (!(await deps.throttle.allowed(normalized))) throw new TooManyAttempts('Too many failed logins; try again later.');
      const account = await deps.store.findByEmail(normalized);
      const ok = await verifyPassword(password, account?.passwordHash ?? (await (decoyHash ??= hashPassword('decoy', params))));
      if (!account || !ok) {
        await deps.throttle.failed(normalized);
        throw new InvalidCredentials('Wrong email or password.');
      }
      await deps.throttle.succeeded(normalized);
      return account;
    },
  };
}
