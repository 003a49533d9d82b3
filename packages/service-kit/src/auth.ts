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
}

/** The variables of {@link AuthOptions}; spread into a service's config schema. */
export const authConfigSchema = Type.Object({
  JWT_SECRET: Type.String({ minLength: 32, description: 'HS256 key shared by the BFF (signs) and the services (verify).' }),
  JWT_ISSUER: Type.String({ minLength: 1, default: 'photo-platform', description: 'iss of the platform\'s own tokens.' }),
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
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub: string; email?: string };
    user: Caller;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Routes that need no token (login, register, public assets). Probes never need one. */
    public?: boolean;
    /**
     * Also accept the token as `?access_token=` (EventSource cannot send headers). Only for routes whose
     * URLs do not end up in logs or Referer headers elsewhere.
     */
    tokenInQuery?: boolean;
  }
}

/**
 * Verifies `Authorization: Bearer <JWT>` on every route except probes and routes marked public.
 * Missing, expired, forged or foreign tokens get a 401 problem; `request.user.sub` is the caller.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, options: AuthOptions) => {
    const jwks = options.oidcIssuer ? buildGetJwks({ issuersWhitelist: [options.oidcIssuer], providerDiscovery: true }) : undefined;
    await app.register(fastifyJwt, {
      decode: { complete: true },
      secret: async (_request: FastifyRequest, token: { header: { kid?: string; alg: string }; payload: { iss?: string } }) => {
        if (jwks && token.payload.iss === options.oidcIssuer) {
          return jwks.getPublicKey({ kid: token.header.kid, alg: token.header.alg, domain: options.oidcIssuer });
        }
        return options.secret;
      },
      verify: {
        allowedAud: options.audience,
        allowedIss: [options.issuer, ...(options.oidcIssuer ? [options.oidcIssuer] : [])],
        requiredClaims: ['sub', 'exp'],
      },
    } as never);

    app.addHook('onRequest', async (request) => {
      const config = request.routeOptions.config;
      if (config?.probe === true || config?.public === true) return;
      const queryToken = config?.tokenInQuery === true ? (request.query as { access_token?: unknown } | undefined)?.access_token : undefined;
      if (!request.headers.authorization && typeof queryToken === 'string') request.headers.authorization = `Bearer ${queryToken}`;
      if (!request.headers.authorization) throw new UnauthorizedError('An access token is required (Authorization: Bearer <token>).');
      try {
        await request.jwtVerify();
      } catch (error) {
        const expired = (error as { code?: string }).code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED';
        throw new UnauthorizedError(expired ? 'The access token has expired.' : 'The access token is not valid.');
      }
      if (typeof request.user?.sub !== 'string' || request.user.sub.length === 0) {
        throw new UnauthorizedError('The access token names no subject.');
      }
    });
  },
  { name: '@photos/service-kit/auth', fastify: '5.x' },
);

/** Signs the platform's own access tokens (HS256); the BFF issues them, tests mint them. */
export function createTokenSigner(options: Pick<AuthOptions, 'secret' | 'issuer' | 'audience'> & { expiresInSeconds: number }) {
  const sign = createSigner({
    key: options.secret,
    algorithm: 'HS256',
    iss: options.issuer,
    aud: options.audience,
    expiresIn: options.expiresInSeconds * 1000,
  });
  return (claims: { sub: string; email?: string }): string => sign(claims);
}
