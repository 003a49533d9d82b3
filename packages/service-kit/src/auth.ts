/// <reference types="@fastify/jwt" preserve="true" />
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createSigner } from 'fast-jwt';
import buildGetJwks from 'get-jwks';
import Type, { type Static } from 'typebox';
import { UnauthorizedError } from './http-errors.js';

/** How a service verifies access tokens. Every service verifies the caller's token itself. */
export interface AuthOptions {
  /** HS256 key of the platform's own tokens (issued by the BFF). */
  secret: string;
  /** Expected `iss` of the platform's own tokens. */
  issuer: string;
  /** Expected `aud` of every token. */
  audience: string;
  /** When set, tokens whose `iss` is this OIDC issuer are also accepted, verified with the issuer's JWKS. */
  oidcIssuer?: string;
  /**
   * Also take the token from this cookie when there is no `Authorization: Bearer` header (browser sessions;
   * only the BFF sets it). Needs `@fastify/cookie` registered first. The header wins when both are present.
   */
  cookieName?: string;
}

/**
 * The algorithms each kind of token may be signed with. Pinned, so that a token is never verified with an
 * algorithm its issuer does not use: HS512 with the shared secret, or HS256 with an OIDC issuer's public
 * key as the HMAC secret (algorithm confusion), are refused.
 */
const PLATFORM_ALGORITHMS = ['HS256'];
const OIDC_ALGORITHMS = ['RS256', 'ES256'];

/** The variables of {@link AuthOptions}; spread into a service's config schema. */
export const authConfigSchema = Type.Object({
  JWT_SECRET: Type.String({ minLength: 32, description: 'HS256 key shared by the BFF (signs) and the services (verify).' }),
  JWT_ISSUER: Type.String({ minLength: 1, default: 'photo-platform', description: "iss of the platform's own tokens." }),
  JWT_AUDIENCE: Type.String({ minLength: 1, default: 'photo-platform', description: 'aud every token must carry.' }),
  OIDC_ISSUER: Type.Optional(Type.String({ format: 'uri', description: 'Also accept tokens of this OpenID Connect issuer (JWKS).' })),
});

/** Auth options from a loaded config that includes {@link authConfigSchema}. */
export function authOptionsFrom(config: Static<typeof authConfigSchema>): AuthOptions {
  return {
    secret: config.JWT_SECRET,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ...(config.OIDC_ISSUER ? { oidcIssuer: config.OIDC_ISSUER } : {}),
  };
}

/** The authenticated caller. `sub` is the owner id of everything they upload. */
export interface Caller {
  sub: string;
  /** Present in the platform's own tokens. */
  email?: string;
  /** The browser session (refresh-token family) the token was issued for; absent in OIDC tokens. */
  sid?: string;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub: string; email?: string; sid?: string };
    user: Caller;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Routes that need no token (login, register, public assets). Probes never need one. */
    public?: boolean;
  }
  interface FastifyRequest {
    /**
     * Where the verified token came from: `header` (Authorization: Bearer) or `cookie` (a browser session,
     * which needs CSRF protection on unsafe methods). Null on public routes.
     */
    authenticatedBy: 'header' | 'cookie' | null;
  }
}

class AlgorithmNotAllowed extends Error {}

/** How many verified platform tokens {@link verifiedTokens} remembers (about 400 bytes each). */
const VERIFIED_TOKENS_REMEMBERED = 10_000;

/**
 * The platform's own tokens verified already, by the exact text they came in (the Authorization header
 * or the cookie), each until its `exp`. Every call of a page carries the same token (the browser's, then
 * the BFF forwarding it to metadata): the signature, algorithm, issuer, audience and claims of the same
 * text give the same answer each time under the same secret, and only `exp` makes it change, so the
 * answer is remembered until then and the token verified once per process instead of once per request.
 * Security is the same as verifying each time: an entry exists only for text that passed the full check,
 * a forged or altered token is other text, and no token is accepted past its expiry. OIDC tokens are
 * always verified (their keys are the issuer's, which may rotate them away).
 */
function verifiedTokens(now: () => number = () => Date.now()) {
  const known = new Map<string, { user: Caller; expiresAtMs: number }>();
  return {
    get(text: string): Caller | undefined {
      const entry = known.get(text);
      if (entry === undefined) return undefined;
      if (now() < entry.expiresAtMs) return entry.user;
      known.delete(text);
      return undefined;
    },
    remember(text: string, user: Caller & { exp?: unknown }): void {
      if (typeof user.exp !== 'number') return;
      if (known.size >= VERIFIED_TOKENS_REMEMBERED) known.delete(known.keys().next().value!);
      known.set(text, { user: Object.freeze(user), expiresAtMs: user.exp * 1000 });
    },
  };
}

/**
 * Verifies the access token on every route except probes and routes marked public: from
 * `Authorization: Bearer <JWT>`, or from the `cookieName` cookie when configured. Never from the URL: a
 * token in a query string ends up in logs, proxies and Referer headers. Missing, expired, forged or
 * foreign tokens get a 401 problem; `request.user.sub` is the caller.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, options: AuthOptions) => {
    const { cookieName } = options;
    if (cookieName && !app.hasRequestDecorator('cookies')) throw new Error('authPlugin: register @fastify/cookie before reading tokens from a cookie.');
    const jwks = options.oidcIssuer ? buildGetJwks({ issuersWhitelist: [options.oidcIssuer], providerDiscovery: true }) : undefined;
    await app.register(fastifyJwt, {
      decode: { complete: true },
      secret: async (_request: FastifyRequest, token: { header: { kid?: string; alg: string }; payload: { iss?: string } }) => {
        const oidc = jwks !== undefined && token.payload.iss === options.oidcIssuer;
        if (!(oidc ? OIDC_ALGORITHMS : PLATFORM_ALGORITHMS).includes(token.header.alg)) throw new AlgorithmNotAllowed(token.header.alg);
        if (oidc) return jwks.getPublicKey({ kid: token.header.kid, alg: token.header.alg, domain: options.oidcIssuer });
        return options.secret;
      },
      ...(cookieName ? { cookie: { cookieName, signed: false } } : {}),
      verify: {
        algorithms: [...PLATFORM_ALGORITHMS, ...(jwks ? OIDC_ALGORITHMS : [])],
        allowedAud: options.audience,
        allowedIss: [options.issuer, ...(options.oidcIssuer ? [options.oidcIssuer] : [])],
        requiredClaims: ['sub', 'exp'],
      },
    } as never);
    app.decorateRequest('authenticatedBy', null);
    // Apart by where the text came from: a header and a cookie with the same text are not the same token.
    const verified = { header: verifiedTokens(), cookie: verifiedTokens() };
    const rememberable = (user: Caller) => (user as { iss?: unknown }).iss === options.issuer && options.issuer !== options.oidcIssuer;

    app.addHook('onRequest', async (request) => {
      const config = request.routeOptions.config;
      if (config?.probe === true || config?.public === true) return;
      // The same precedence as @fastify/jwt's lookup: a Bearer header first, then the cookie.
      const bearer = /^Bearer\s/i.test(request.headers.authorization ?? '');
      const cookie = cookieName ? (request as FastifyRequest & { cookies?: Record<string, string | undefined> }).cookies?.[cookieName] : undefined;
      if (!bearer && !cookie) {
        throw new UnauthorizedError(`An access token is required (Authorization: Bearer <token>${cookieName ? ' or a session cookie' : ''}).`);
      }
      const by = bearer ? 'header' : 'cookie';
      request.authenticatedBy = by;
      const text = bearer ? request.headers.authorization! : cookie!;
      const known = verified[by].get(text);
      if (known !== undefined) {
        request.user = known;
        return;
      }
      try {
        await request.jwtVerify();
      } catch (error) {
        const expired = (error as { code?: string }).code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED';
        throw new UnauthorizedError(expired ? 'The access token has expired.' : 'The access token is not valid.');
      }
      if (typeof request.user?.sub !== 'string' || request.user.sub.length === 0) {
        throw new UnauthorizedError('The access token names no subject.');
      }
      if (rememberable(request.user)) verified[by].remember(text, request.user);
    });
  },
  { name: '@photos/service-kit/auth', fastify: '5.x' },
);

/** Signs the platform's own access tokens (HS256, the only algorithm they are verified with); the BFF issues them, tests mint them. */
export function createTokenSigner(options: Pick<AuthOptions, 'secret' | 'issuer' | 'audience'> & { expiresInSeconds: number }) {
  const sign = createSigner({
    key: options.secret,
    algorithm: 'HS256',
    iss: options.issuer,
    aud: options.audience,
    expiresIn: options.expiresInSeconds * 1000,
  });
  return (claims: { sub: string; email?: string; sid?: string }): string => sign(claims);
}
