import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import cookie from '@fastify/cookie';
import { createSigner } from 'fast-jwt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { authPlugin, createTokenSigner, type AuthOptions } from './auth.js';
import { createServiceApp, type ServiceApp } from './service-app.js';

const auth = { secret: 'test-secret-that-is-long-enough-0123456789', issuer: 'photo-platform', audience: 'photo-platform' };
const sign = createTokenSigner({ ...auth, expiresInSeconds: 60 });

describe('auth plugin', () => {
  let app: ServiceApp;
  afterEach(() => app?.close());

  async function build(extra: Partial<AuthOptions> = {}) {
    app = await createServiceApp({ name: 'test', logLevel: 'silent' });
    if (extra.cookieName) await app.register(cookie);
    await app.register(authPlugin, { ...auth, ...extra });
    app.get('/me', async (request) => ({ sub: request.user.sub, via: request.authenticatedBy }));
    app.get('/open', { config: { public: true } }, async () => ({ ok: true }));
    return app;
  }

  const call = (token?: string) => app.inject({ method: 'GET', url: '/me', headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('lets a valid token through and names the caller', async () => {
    await build();
    const response = await call(sign({ sub: 'user-1' }));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ sub: 'user-1', via: 'header' });
  });

  it.each([
    ['missing', undefined, /required/],
    ['garbage', 'not.a.jwt', /not valid/],
    [
      'forged with another key',
      createTokenSigner({ ...auth, secret: 'another-secret-0123456789-0123456789', expiresInSeconds: 60 })({ sub: 'user-1' }),
      /not valid/,
    ],
    ['for another audience', createTokenSigner({ ...auth, audience: 'someone-else', expiresInSeconds: 60 })({ sub: 'user-1' }), /not valid/],
    ['from another issuer', createTokenSigner({ ...auth, issuer: 'evil', expiresInSeconds: 60 })({ sub: 'user-1' }), /not valid/],
    ['expired', createTokenSigner({ ...auth, expiresInSeconds: -10 })({ sub: 'user-1' }), /expired/],
  ])('answers 401 problem+json for a %s token', async (_name, token, detail) => {
    await build();
    const response = await call(token);
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.json().detail).toMatch(detail);
  });

  it('remembers a verified token only as that exact text and only until its expiry', async () => {
    await build();
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const token = createTokenSigner({ ...auth, expiresInSeconds: 2 })({ sub: 'user-1' });
      expect((await call(token)).statusCode).toBe(200);
      expect((await call(token)).json()).toEqual({ sub: 'user-1', via: 'header' });
      // Verified before: a copy with another signature, or another payload under its signature, is not it.
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const otherSignature = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'AB' : 'AA'}`;
      expect((await call(`${header}.${payload}.${otherSignature}`)).statusCode).toBe(401);
      const otherPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'user-2' })).toString('base64url');
      expect((await call(`${header}.${otherPayload}.${signature}`)).statusCode).toBe(401);
      // Past its exp the remembered answer no longer holds.
      vi.setSystemTime(Date.now() + 3_000);
      const expired = await call(token);
      expect(expired.statusCode).toBe(401);
      expect(expired.json().detail).toMatch(/expired/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('needs no token on probes and public routes', async () => {
    await build();
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/open' })).statusCode).toBe(200);
  });

  it('refuses a token signed with the shared secret but another HMAC algorithm (HS512, HS384): only HS256 is issued', async () => {
    await build();
    for (const algorithm of ['HS512', 'HS384'] as const) {
      const token = createSigner({ key: auth.secret, algorithm, iss: auth.issuer, aud: auth.audience, expiresIn: 60_000 })({ sub: 'user-1' });
      const response = await call(token);
      expect(response.statusCode, algorithm).toBe(401);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });

  it('never reads a token from the URL (?access_token=)', async () => {
    await build();
    const response = await app.inject({ method: 'GET', url: `/me?access_token=${sign({ sub: 'user-1' })}` });
    expect(response.statusCode).toBe(401);
  });

  it('takes the token from the configured cookie, says so, and prefers the Authorization header', async () => {
    await build({ cookieName: 'session' });
    const viaCookie = await app.inject({ method: 'GET', url: '/me', cookies: { session: sign({ sub: 'from-cookie' }) } });
    expect(viaCookie.statusCode).toBe(200);
    expect(viaCookie.json()).toEqual({ sub: 'from-cookie', via: 'cookie' });
    const both = await app.inject({
      method: 'GET',
      url: '/me',
      cookies: { session: sign({ sub: 'from-cookie' }) },
      headers: { authorization: `Bearer ${sign({ sub: 'from-header' })}` },
    });
    expect(both.json()).toEqual({ sub: 'from-header', via: 'header' });
    const forged = createTokenSigner({ ...auth, secret: 'another-secret-0123456789-0123456789', expiresInSeconds: 60 })({ sub: 'x' });
    expect((await app.inject({ method: 'GET', url: '/me', cookies: { session: forged } })).statusCode).toBe(401);
    // A cookie of another name is not a credential.
    expect((await app.inject({ method: 'GET', url: '/me', cookies: { other: sign({ sub: 'x' }) } })).statusCode).toBe(401);
  });

  it('ignores cookies when no cookie is configured (the internal services)', async () => {
    app = await createServiceApp({ name: 'test', logLevel: 'silent' });
    await app.register(cookie);
    await app.register(authPlugin, auth);
    app.get('/me', async (request) => ({ sub: request.user.sub }));
    expect((await app.inject({ method: 'GET', url: '/me', cookies: { session: sign({ sub: 'x' }) } })).statusCode).toBe(401);
  });
});

describe('auth plugin with an OIDC issuer', () => {
  let app: ServiceApp | undefined;
  let issuer: Server | undefined;
  afterEach(async () => {
    await app?.close();
    await new Promise((resolve) => (issuer ? issuer.close(resolve) : resolve(undefined)));
  });

  /** A minimal OpenID provider: discovery and a JWKS whose keys name no `alg` (allowed by RFC 7517, and common). */
  async function startIssuer(keys: { kid: string; key: KeyObject }[]): Promise<string> {
    issuer = createServer((request, response) => {
      const origin = `http://127.0.0.1:${(issuer!.address() as AddressInfo).port}`;
      response.setHeader('content-type', 'application/json');
      if (request.url === '/.well-known/openid-configuration') return response.end(JSON.stringify({ issuer: origin, jwks_uri: `${origin}/jwks` }));
      if (request.url === '/jwks')
        return response.end(JSON.stringify({ keys: keys.map(({ kid, key }) => ({ ...key.export({ format: 'jwk' }), kid, use: 'sig' })) }));
      response.statusCode = 404;
      response.end('{}');
    });
    await new Promise<void>((resolve) => issuer!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
  }

  it('accepts RS256 and ES256 from the issuer, and refuses its keys used with any other algorithm', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const oidcIssuer = await startIssuer([
      { kid: 'rsa', key: rsa.publicKey },
      { kid: 'ec', key: ec.publicKey },
    ]);
    app = await createServiceApp({ name: 'test', logLevel: 'silent' });
    await app.register(authPlugin, { ...auth, oidcIssuer });
    app.get('/me', async (request) => ({ sub: request.user.sub }));
    const token = (algorithm: string, kid: string, key: KeyObject | string) =>
      createSigner({
        key: typeof key === 'string' ? key : key.export({ format: 'pem', type: 'pkcs8' }),
        algorithm: algorithm as 'RS256',
        kid,
        iss: oidcIssuer,
        aud: auth.audience,
        expiresIn: 60_000,
      })({ sub: 'oidc-user' });
    const status = async (jwt: string) => (await app!.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${jwt}` } })).statusCode;

    expect(await status(token('RS256', 'rsa', rsa.privateKey))).toBe(200);
    expect(await status(token('ES256', 'ec', ec.privateKey))).toBe(200);
    expect(await status(token('RS512', 'rsa', rsa.privateKey))).toBe(401);
    expect(await status(token('PS256', 'rsa', rsa.privateKey))).toBe(401);
    // Algorithm confusion: HS256 keyed with the issuer's public key (which anyone can download).
    const publicPem = rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(
      await status(createSigner({ key: publicPem, algorithm: 'HS256', kid: 'rsa', iss: oidcIssuer, aud: auth.audience, expiresIn: 60_000 })({ sub: 'x' })),
    ).toBe(401);
    // The platform's own HS256 tokens still work beside the issuer's.
    expect(await status(sign({ sub: 'platform-user' }))).toBe(200);
  });
});
