import { problemResponses, type ServiceApp } from '@photos/service-kit';
import Type from 'typebox';
import type { accounts } from '../domain/accounts.js';
import { Credentials, JSON_BODY_REFUSED, SECURITY } from './schemas.js';

/**
 * The one answer to every valid registration, new email or taken: telling them apart would let anyone
 * probe which emails have accounts. The caller learns the outcome by logging in.
 */
export const REGISTERED = {
  message: 'Registration received. Log in with this email and password; if the email already had an account, its own password still applies.',
} as const;

/** POST /api/auth/register: public, rate-limited per client address. */
export function registerRoutes(app: ServiceApp, deps: { accounts: ReturnType<typeof accounts>; perMinute: number }): void {
  app.post(
    '/api/auth/register',
    {
      config: { public: true, rateLimit: { max: deps.perMinute, timeWindow: '1 minute' } },
      schema: {
        summary: 'Create an account',
        description:
          'Answers 202 with the same body whether the email was new or already had an account (which is left unchanged), ' +
          'and issues no token: log in next. A login that fails right after registering means the email already had an account.',
        tags: ['auth'],
        security: SECURITY.public,
        body: Credentials,
        response: {
          202: Type.Object(
            { message: Type.String() },
            { $id: 'RegisterAnswer', title: 'RegisterAnswer', description: 'Received (new email or taken: the same answer).', examples: [REGISTERED] },
          ),
          ...problemResponses({ ...JSON_BODY_REFUSED, 429: 'Too many register or login requests from this address this minute (Retry-After).' }),
        },
      },
    },
    async (request, reply) => {
      await deps.accounts.register(request.body.email, request.body.password);
      return reply.code(202).send(REGISTERED);
    },
  );
}
