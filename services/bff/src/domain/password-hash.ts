import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const MAXMEM = 256 * 1024 * 1024; // must allow 128 * N * r bytes

/** scrypt parameters for cost 2^`log2N`; OWASP's floor is 17 (N=2^17, r=8, p=1: 128 MiB). */
export const scryptParams = (log2N: number): ScryptOptions => ({ N: 2 ** log2N, r: 8, p: 1, maxmem: MAXMEM });

const PARAMS = scryptParams(17);
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, params: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, params, (error, key) => (error ? reject(error) : resolve(key))));
}

/** `scrypt$N$r$p$salt$hash` (base64url): self-describing, so parameters can be raised later. */
export async function hashPassword(password: string, params: ScryptOptions = PARAMS): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time check of a password against a stored hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p), maxmem: MAXMEM });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
