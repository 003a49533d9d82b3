import { randomUUID } from 'node:crypto';
import { photoCatalogue } from '@photos/contracts';
import type { EventBus } from '@photos/event-bus';
import { buildService, type ServiceApp } from '@photos/service-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memoryLoginThrottle } from './adapters/login-throttle.js';
import { bffService } from './service.js';
import { memoryBus, openBffTestBed, type BffTestBed } from './test-support/bff-test-bed.js';

let bed: BffTestBed;

beforeAll(async () => {
  bed = await openBffTestBed('bff_test');
});

afterAll(() => bed?.close());

describe('BFF accounts, auth and live status', () => {
  let app: ServiceApp;
  let bus: EventBus;

  async function start(env: Record<string, string> = {}) {
    const config = bed.config(env);
    bus = memoryBus();
    app = await buildService(bffService, {
      config,
      adapters: {
        ...(await bed.stores()),
        loginThrottle: memoryLoginThrottle(),
      },
      bus,
    });
    return app;
  }

  afterEach(async () => {
    await app?.close();
    await bus?.close();
  });

  const email = () => `user-${randomUUID().slice(0, 8)}@example.com`;
  const post = (url: string, payload: object, remoteAddress?: string) =>
    app.inject({ method: 'POST', url, payload, ...(remoteAddress ? { remoteAddress } : {}) });
  /** Register answers no token: log in next, and read the account id from the token. */
  const signUp = async (address: string, password: string) => {
    expect((await post('/api/auth/register', { email: address, password })).statusCode).toBe(202);
    const { accessToken } = (await post('/api/auth/login', { email: address, password })).json() as { accessToken: string };
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { sub: string };
    return { accessToken, user: { id: claims.sub } };
  };

  it('registers, logs in, and refuses a wrong password; registering a taken email answers the same and changes nothing', async () => {
    await start();
    const address = email();
    const registered = await post('/api/auth/register', { email: address, password: 'a long enough password' });
    expect(registered.statusCode).toBe(202);
    expect(registered.json()).toEqual({ message: expect.stringMatching(/log in/i) });
    const again = await post('/api/auth/register', { email: address.toUpperCase(), password: 'another password' });
    expect([again.statusCode, again.body]).toEqual([202, registered.body]);
    expect((await post('/api/auth/login', { email: address, password: 'another password' })).statusCode).toBe(401);
    const login = await post('/api/auth/login', { email: address, password: 'a long enough password' });
    expect(login.statusCode).toBe(200);
    expect(login.json().accessToken).toEqual(expect.any(String));
    const wrong = await post('/api/auth/login', { email: address, password: 'not the password' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['content-type']).toMatch(/problem\+json/);
    expect((await post('/api/auth/login', { email: email(), password: 'whatever' })).statusCode).toBe(401);
  });

  it('answers bad bodies with a 400 problem naming the field', async () => {
    await start();
    const response = await post('/api/auth/register', { email: 'not-an-email', password: 'short' });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/problem\+json/);
    expect(JSON.stringify(response.json())).toMatch(/email|password/);
  });

  it('throttles the address that keeps failing on an account, not the owner logging in from elsewhere', async () => {
    await start({ LOGIN_MAX_FAILURES: '3', LOGIN_SLOWDOWN_MAX_MS: '0' });
    const address = email();
    await post('/api/auth/register', { email: address, password: 'the right password' }, '198.51.100.7');
    for (let i = 0; i < 3; i++) expect((await post('/api/auth/login', { email: address, password: 'wrong' }, '203.0.113.9')).statusCode).toBe(401);
    const refused = await post('/api/auth/login', { email: address, password: 'the right password' }, '203.0.113.9');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await post('/api/auth/login', { email: address, password: 'the right password' }, '198.51.100.7')).statusCode).toBe(200);
  });

  it('rate-limits auth requests per IP', async () => {
    await start({ RATE_LIMIT_AUTH_PER_MINUTE: '3' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post('/api/auth/login', { email: email(), password: 'x' })).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it.each([
    ['GET', '/api/photos'],
    ['POST', '/api/photos'],
    ['GET', `/api/photos/${randomUUID()}`],
    ['DELETE', `/api/photos/${randomUUID()}`],
    ['GET', `/api/photos/${randomUUID()}/original`],
    ['GET', '/api/events'],
  ])('%s %s needs a valid token', async (method, url) => {
    await start();
    for (const authorization of [undefined, 'Bearer forged.token.here']) {
      const response = await app.inject({ method: method as 'GET', url, headers: authorization ? { authorization } : {} });
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toMatch(/problem\+json/);
    }
  });

  it('serves OpenAPI at /api/docs with the public paths, and sets security headers', async () => {
    await start();
    const docs = await app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(docs.statusCode).toBe(200);
    expect(Object.keys(docs.json().paths)).toEqual(
      expect.arrayContaining(['/api/auth/register', '/api/auth/login', '/api/photos', '/api/photos/{id}', '/api/events']),
    );
    const health = await app.inject({ method: 'GET', url: '/health/live' });
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    expect(health.headers['content-security-policy']).toMatch(/default-src 'self'/);
  });

  it("streams the caller's own status changes over SSE, and nobody else's", async () => {
    await start();
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const alice = await signUp(email(), 'alice password');
    const bob = await signUp(email(), 'bob password!');
    const response = await fetch(`${url}/api/events`, { headers: { authorization: `Bearer ${alice.accessToken}` } });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body!.getReader();
    const failedFor = (ownerId: string) => {
      const photoId = randomUUID();
      return photoCatalogue.create(
        'photo.processing-failed',
        photoId,
        { photoId, ownerId, code: 'undecodable', reason: 'The image is truncated.', failedAt: new Date().toISOString() },
        { source: '/test' },
      );
    };
    const forBob = failedFor(bob.user.id);
    const forAlice = failedFor(alice.user.id);
    await bus.publish(forBob);
    await bus.publish(forAlice);
    let text = '';
    while (!text.includes(forAlice.subject)) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toContain('event: photo.processing-failed');
    expect(text).toContain('"status":"failed"');
    expect(text).not.toContain(forBob.subject);
  });
});
