import { afterEach, describe, expect, it } from 'vitest';
import { authPlugin, createTokenSigner } from './auth.js';
import { createServiceApp, type ServiceApp } from './service-app.js';

const auth = { secret: 'test-secret-that-is-long-enough-0123456789', issuer: 'photo-platform', audience: 'photo-platform' };
const sign = createTokenSigner({ ...auth, expiresInSeconds: 60 });

describe('auth plugin', () => {
  let app: ServiceApp;
  afterEach(() => app?.close());

  async function build() {
    app = await createServiceApp({ name: 'test', logLevel: 'silent' });
    await app.register(authPlugin, auth);
    app.get('/me', async (request) => ({ sub: request.user.sub }));
    app.get('/open', { config: { public: true } }, async () => ({ ok: true }));
    return app;
  }

  const call = (token?: string) =>
    app.inject({ method: 'GET', url: '/me', headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('lets a valid token through and names the caller', async () => {
    await build();
    const response = await call(sign({ sub: 'user-1' }));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ sub: 'user-1' });
  });

  it.each([
    ['missing', undefined, /required/],
    ['garbage', 'not.a.jwt', /not valid/],
    ['forged with another key', createTokenSigner({ ...auth, secret: 'another-secret-0123456789-0123456789', expiresInSeconds: 60 })({ sub: 'user-1' }), /not valid/],
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

  it('needs no token on probes and public routes', async () => {
    await build();
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/open' })).statusCode).toBe(200);
  });
});
