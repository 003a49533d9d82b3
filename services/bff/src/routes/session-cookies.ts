import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply } from 'fastify';

/** Where the refresh cookie is sent: only to refresh and logout, not with every request. */
const REFRESH_PATH = '/api/auth';

/**
 * The three cookies of a browser session. With `secure` (the default) their names carry the `__Host-` /
 * `__Secure-` prefixes: browsers then only accept them over HTTPS (or from localhost) with Secure set, and
 * `__Host-` ones only for this exact host and path /, so a sibling subdomain cannot plant or overwrite them.
 * - access: the access token (JWT), httpOnly: scripts never see it.
 * - refresh: the opaque refresh token, httpOnly, sent only to /api/auth.
 * - csrf: the session's CSRF token, readable by the web app, which echoes it in `X-CSRF-Token`.
 * All SameSite=Strict: no other site's page makes the browser send them.
 */
export function sessionCookies(options: { secure: boolean; accessTtlSeconds: number; refreshTtlSeconds: number }) {
  const { secure } = options;
  const names = secure
    ? { access: '__Host-photos-access', refresh: '__Secure-photos-refresh', csrf: '__Host-photos-csrf' }
    : { access: 'photos-access', refresh: 'photos-refresh', csrf: 'photos-csrf' };
  const base: CookieSerializeOptions = { secure, sameSite: 'strict', path: '/' };
  const attributes = {
    access: { ...base, httpOnly: true, maxAge: options.accessTtlSeconds },
    refresh: { ...base, httpOnly: true, path: REFRESH_PATH, maxAge: options.refreshTtlSeconds },
    csrf: { ...base, httpOnly: false, maxAge: options.refreshTtlSeconds },
  } satisfies Record<keyof typeof names, CookieSerializeOptions>;

  return {
    names,
    /** Sets the session's cookies on `reply`. */
    set(reply: FastifyReply, values: { accessToken: string; refreshToken: string; csrfToken: string }): void {
      reply.setCookie(names.access, values.accessToken, attributes.access);
      reply.setCookie(names.refresh, values.refreshToken, attributes.refresh);
      reply.setCookie(names.csrf, values.csrfToken, attributes.csrf);
    },
    /** Tells the browser to drop them (same name, path and prefix rules, expired). */
    clear(reply: FastifyReply): void {
      for (const name of ['access', 'refresh', 'csrf'] as const) {
        const { maxAge: _maxAge, ...rest } = attributes[name];
        reply.clearCookie(names[name], rest);
      }
    },
  };
}

export type SessionCookies = ReturnType<typeof sessionCookies>;
