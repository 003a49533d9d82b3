import { TooManyRequestsError, UnauthorizedError, type ServiceApp } from '@photos/service-kit';
import type { FastifyReply } from 'fastify';
import Type from 'typebox';
import { InvalidCredentials, TooManyAttempts, type accounts } from '../domain/accounts.js';

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
        tags: ['auth'],
        body: Type.Object({ email: Type.String({ maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 256 }) }),
        response: { 200: Type.Object({ accessToken: Type.String() }) },
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
