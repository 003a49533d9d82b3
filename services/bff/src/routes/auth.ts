import { ConflictError, TooManyRequestsError, UnauthorizedError, type ServiceApp } from '@photos/service-kit';
import Type from 'typebox';
import { EmailTaken, InvalidCredentials, TooManyAttempts, type accounts } from '../domain/accounts.js';
import { Credentials } from './schemas.js';

/** POST /api/auth/register and /api/auth/login: public, rate-limited per IP (and login per account). */
export function authRoutes(
  app: ServiceApp,
  deps: { accounts: ReturnType<typeof accounts>; issueToken: (claims: { sub: string; email: string }) => string; perMinute: number },
): void {
  const config = { public: true, rateLimit: { max: deps.perMinute, timeWindow: '1 minute' } };

  app.post(
    '/api/auth/register',
    {
      config,
      schema: {
        summary: 'Create an account',
        tags: ['auth'],
        body: Credentials,
        response: { 201: Type.Object({ user: Type.Object({ id: Type.String(), email: Type.String() }), accessToken: Type.String() }) },
      },
    },
    async (request, reply) => {
      try {
        const account = await deps.accounts.register(request.body.email, request.body.password);
        const user = { id: account.id, email: account.email };
        return reply.code(201).send({ user, accessToken: deps.issueToken({ sub: account.id, email: account.email }) });
      } catch (error) {
        if (error instanceof EmailTaken) throw new ConflictError(error.message);
        throw error;
      }
    },
  );

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
    async (request) => {
      try {
        const account = await deps.accounts.login(request.body.email, request.body.password);
        return { accessToken: deps.issueToken({ sub: account.id, email: account.email }) };
      } catch (error) {
        if (error instanceof InvalidCredentials) throw new UnauthorizedError(error.message);
        if (error instanceof TooManyAttempts) throw new TooManyRequestsError(error.message);
        throw error;
      }
    },
  );
}
