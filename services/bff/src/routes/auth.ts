import { problemResponses, TooManyRequestsError, UnauthorizedError, type ServiceApp } from '@photos/service-kit';
import type { FastifyReply } from 'fastify';
import Type from 'typebox';
import { InvalidCredentials, TooManyAttempts, type accounts } from '../domain/accounts.js';
import { JSON_BODY_REFUSED, SECURITY } from './schemas.js';

/** POST /api/auth/login: public, rate-limited per client address, throttled per (account, address) and slowed down per account. */
export function authRoutes(
  app: ServiceApp,
  deps: {
    accounts: ReturnType<typeof accounts>;
    /** Starts a browser session (sets its cookies on the reply); returns the access token API clients read from the body. */
    startSession: (reply: FastifyReply, account: { id: string; email: string }) => Promise<string>;
    perMinute: number;
  },
): void {
  const config = { public: true, rateLimit: { max: deps.perMinute, timeWindow: '1 minute' } };

  app.post(
    '/api/auth/login',
    {
      config,
      schema: {
        summary: 'Log in',
        description:
          'Starts a browser session: sets the access cookie (httpOnly, the JWT), the refresh cookie (httpOnly, sent only to /api/auth) and ' +
          'the CSRF cookie (readable; echo it in X-CSRF-Token on unsafe requests). API clients read `accessToken` and send it as ' +
          '`Authorization: Bearer`. Repeated failures for an account are slowed down, and 429 for one address after too many.',
        tags: ['auth'],
        security: SECURITY.public,
        body: Type.Object(
          { email: Type.String({ maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
          { $id: 'LoginRequest', title: 'LoginRequest', examples: [{ email: 'ada@example.com', password: 'correct horse battery staple' }] },
        ),
        response: {
          200: Type.Object(
            { accessToken: Type.String({ description: 'JWT for `Authorization: Bearer` (API clients); browsers use the cookies instead.' }) },
            { $id: 'LoginAnswer', title: 'LoginAnswer', description: 'Logged in; the session cookies are set (Set-Cookie).' },
          ),
          ...problemResponses({
            ...JSON_BODY_REFUSED,
            401: 'Wrong email or password.',
            429: 'Too many failed logins on this account from this address, or too many auth requests this minute (Retry-After).',
          }),
        },
      },
    },
    async (request, reply) => {
      try {
        const account = await deps.accounts.login(request.body.email, request.body.password, request.ip);
        return { accessToken: await deps.startSession(reply, { id: account.id, email: account.email }) };
      } catch (error) {
        if (error instanceof InvalidCredentials) throw new UnauthorizedError(error.message);
        if (error instanceof TooManyAttempts) {
          throw Object.assign(new TooManyRequestsError(error.message), { headers: { 'retry-after': String(error.retryAfterSeconds) } });
        }
        throw error;
      }
    },
  );
}
