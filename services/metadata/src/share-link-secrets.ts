import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * The secrets of share links: the token (the capability itself), the optional password, and the proof
 * of unlocking that the BFF keeps in a cookie for the holder. Only hashes are stored.
 */

/** 32 random bytes (256 bits), base64url: 43 characters, unguessable. */
export const newLinkToken = (): string => randomBytes(32).toString('base64url');

/** What is stored and looked up: sha256 of the token, hex. A database leak gives no working link. */
export const hashLinkToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** What a token looks like (anything else is answered 404 without a lookup). */
export const LINK_TOKEN_PATTERN = '^[A-Za-z0-9_-]{20,128}$';

const MAXMEM = 256 * 1024 * 1024; // must allow 128 * N * r bytes
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, params: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, params, (error, key) => (error ? reject(error) : resolve(key))));
}

/** scrypt, as the BFF hashes account passwords: `scrypt$N$r$p$salt$hash` (base64url), cost 2^`log2N`. */
export async function hashLinkPassword(password: string, log2N: number): Promise<string> {
  const params = { N: 2 ** log2N, r: 8, p: 1, maxmem: MAXMEM };
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time check of a password against a stored hash. */
export async function verifyLinkPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p), maxmem: MAXMEM });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * Proofs that a link's password was given: `<linkId>.<expires, s since 1970>.<HMAC>`, signed with a key
 * derived from JWT_SECRET for this purpose only, so a proof is never an access token (nor the reverse).
 * Bound to one link id; expire after `ttlSeconds`. Revoking the link ends them too (the link is 404).
 */
export function linkUnlockProofs(secret: string, ttlSeconds: number) {
  const key = createHmac('sha256', secret).update('share-link-unlock-proof').digest();
  const mac = (linkId: string, expires: number) => createHmac('sha256', key).update(`${linkId}.${expires}`).digest('base64url');
  return {
    issue(linkId: string, now: Date): { proof: string; expiresAt: Date } {
      const expires = Math.floor(now.getTime() / 1000) + ttlSeconds;
      return { proof: `${linkId}.${expires}.${mac(linkId, expires)}`, expiresAt: new Date(expires * 1000) };
    },
    /** True when `proof` was issued for `linkId` and has not expired. */
    valid(proof: string | undefined, linkId: string, now: Date): boolean {
      const [id, expiresText, signature, ...rest] = (proof ?? '').split('.');
      if (rest.length > 0 || id !== linkId || !expiresText || !signature || !/^\d{1,12}$/.test(expiresText)) return false;
      const expires = Number(expiresText);
      if (expires * 1000 <= now.getTime()) return false;
      const expected = Buffer.from(mac(linkId, expires));
      const given = Buffer.from(signature);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}

export type LinkUnlockProofs = ReturnType<typeof linkUnlockProofs>;
