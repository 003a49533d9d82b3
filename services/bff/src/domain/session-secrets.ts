import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, URL-safe: a refresh token (opaque: it means nothing without the database). */
export const newRefreshToken = (): string => randomBytes(32).toString('base64url');

/** Refresh tokens are stored as their sha256: a leaked table or backup holds no token that works. */
export const hashRefreshToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * CSRF tokens bound to the session (OWASP's "signed double-submit cookie"): HMAC(secret, session id).
 * The browser gets it in a cookie scripts can read and echoes it in `X-CSRF-Token`; another site can
 * neither read that cookie nor compute the value, and a cookie planted by a sibling subdomain is no
 * good either, since it must match the victim's own session.
 */
export function csrfTokens(secret: string) {
  const tokenFor = (sessionId: string): string => createHmac('sha256', secret).update(`csrf:${sessionId}`).digest('base64url');
  return {
    tokenFor,
    valid(sessionId: string | undefined, presented: unknown): boolean {
      if (!sessionId || typeof presented !== 'string') return false;
      const expected = Buffer.from(tokenFor(sessionId));
      const actual = Buffer.from(presented);
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}
