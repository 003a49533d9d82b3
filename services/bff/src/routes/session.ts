import { ForbiddenError, problemResponses, UnauthorizedError, type ServiceApp } from '@photos/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { RefreshOutcome, Sessions } from '../domain/sessions.js';
import { NOT_AUTHENTICATED, SECURITY, SessionAnswerSchema } from './schemas.js';
import type { SessionCookies } from './session-cookies.js';

export const CSRF_HEADER = 'x-csrf-token';

const REFUSED: Record<Extract<RefreshOutcome, { kind: 'refused' }>['reason'], string> = {
  missing: 'No session: log in.',
  unknown: 'This session is not known: log in again.',
  expired: 'This session has expired: log in again.',
  revoked: 'This session has ended: log in again.',
  reused: 'This session was ended because its refresh token had been used already (a copy may have been taken): log in again.',
};

export interface BrowserSessionDeps {
  sessions: Sessions;
  cookies: SessionCookies;
  issueToken: (claims: { sub: string; email: string; sid: string }) => string;
  csrfTokenFor: (sessionId: string) => string;
}

/**
 * Cookie sessions for browsers. `start` is called by login: it answers the access token in the body as
 * before (API clients) and sets the session cookies (browsers). The routes: POST /api/auth/refresh,
 * POST /api/auth/logout (both by the refresh cookie, both CSRF-checked) and GET /api/auth/session.
 */
export function browserSessions(deps: BrowserSessionDeps) {
  const header = (request: FastifyRequest) => request.headers[CSRF_HEADER] as string | undefined;
  const refreshCookie = (request: FastifyRequest) => request.cookies[deps.cookies.names.refresh];

  const issue = (reply: FastifyReply, sessionId: string, refreshToken: string, user: { id: string; email: string }) => {
    const accessToken = deps.issueToken({ sub: user.id, email: user.email, sid: sessionId });
    deps.cookies.set(reply, { accessToken, refreshToken, csrfToken: deps.csrfTokenFor(sessionId) });
    return accessToken;
  };

  return {
    /** After a successful login: a new session; returns its access token. */
    async start(reply: FastifyReply, account: { id: string; email: string }): Promise<string> {
      const { sessionId, refreshToken } = await deps.sessions.start(account);
      return issue(reply, sessionId, refreshToken, account);
    },

    routes(app: ServiceApp, options: { perMinute: number }): void {
      const config = { public: true, rateLimit: { max: options.perMinute, timeWindow: '1 minute' } };

      app.post(
        '/api/auth/refresh',
        {
          config,
          schema: {
            summary: 'Renew the browser session: a new access cookie, and the refresh cookie rotated (needs X-CSRF-Token)',
            description: 'The refresh token is spent: presented again later, it ends the whole session (a copy was taken).',
            tags: ['auth'],
            security: SECURITY.refreshCookie,
            response: {
              200: { ...SessionAnswerSchema, 'x-response-description': 'Renewed: new access and refresh cookies are set (Set-Cookie).' },
              ...problemResponses({
                401: 'No refresh cookie, or its session is unknown, expired, ended or was ended because the token had been used already; the cookies are cleared.',
                403: "X-CSRF-Token is missing or is not the session's; nothing done.",
                429: 'Too many auth requests from this address this minute (Retry-After).',
              }),
            },
          },
        },
        async (request, reply) => {
          const outcome = await deps.sessions.refresh(refreshCookie(request), header(request));
          if (outcome.kind === 'csrf-failed') throw new ForbiddenError('The X-CSRF-Token header is missing or does not match the session.');
          if (outcome.kind === 'refused') {
            deps.cookies.clear(reply);
            throw new UnauthorizedError(REFUSED[outcome.reason]);
          }
          issue(reply, outcome.sessionId, outcome.refreshToken, outcome.user);
          return { user: outcome.user };
        },
      );

      app.post(
        '/api/auth/logout',
        {
          config,
          schema: {
            summary: 'End the browser session (needs X-CSRF-Token)',
            description: 'Revokes the session of the refresh cookie (if any) and clears the cookies.',
            tags: ['auth'],
            security: SECURITY.refreshCookie,
            response: {
              204: Type.Null({ description: 'Logged out; the cookies are cleared (Set-Cookie).' }),
              ...problemResponses({
                403: "X-CSRF-Token is missing or is not the session's; nothing done.",
                429: 'Too many auth requests from this address this minute (Retry-After).',
              }),
            },
          },
        },
        async (request, reply) => {
          const result = await deps.sessions.end(refreshCookie(request), header(request));
          if (result === 'csrf-failed') throw new ForbiddenError('The X-CSRF-Token header is missing or does not match the session.');
          deps.cookies.clear(reply);
          return reply.code(204).send(null);
        },
      );

      app.get(
        '/api/auth/session',
        {
          schema: {
            summary: 'Who is logged in (401 when nobody)',
            tags: ['auth'],
            security: SECURITY.read,
            response: {
              200: { ...SessionAnswerSchema, 'x-response-description': 'The account the token or access cookie names.' },
              ...problemResponses(NOT_AUTHENTICATED),
            },
          },
        },
        async (request) => ({ user: { id: request.user.sub, email: request.user.email ?? null } }),
      );
    },
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * For requests authenticated by the access cookie: unsafe methods need the session's CSRF token in
 * `X-CSRF-Token` (403 otherwise); requests with `Authorization: Bearer` need none (no browser adds that
 * header on its own). Then the cookie's token is relayed as `Authorization: Bearer` to the upload and
 * metadata services, which know no cookies. Runs after the auth plugin's hook.
 */
export function cookieAuthGuard(
  app: ServiceApp,
  deps: { accessCookie: string; csrfValid: (sessionId: string | undefined, presented: unknown) => boolean },
): void {
  app.addHook('onRequest', async (request) => {
    if (request.authenticatedBy !== 'cookie') return;
    if (!SAFE_METHODS.has(request.method) && !deps.csrfValid(request.user.sid, request.headers[CSRF_HEADER])) {
      throw new ForbiddenError('The X-CSRF-Token header is missing or does not match the session.');
    }
    request.headers.authorization = `Bearer ${request.cookies[deps.accessCookie]}`;
  });
}
