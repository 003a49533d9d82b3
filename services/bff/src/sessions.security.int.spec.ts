/**
 * Browser sessions of the BFF, rule by rule, for an auditor: each test is an attack (or a misuse) and the
 * answer it must get. Real Postgres for the accounts and refresh tokens; requests through Fastify's inject
 * except the event streams, which need real sockets.
 *
 * Rules: cookie flags; refresh rotation; a reused refresh token revokes its session; logout revokes;
 * CSRF required for cookie-authenticated unsafe requests (and refresh/logout) but not for Bearer ones;
 * no token accepted in a URL; event streams capped per user and ended with their token; only HS256
 * accepted for the platform's tokens.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { EventBus } from '@photos/event-bus';
import { createTokenSigner, type ServiceApp } from '@photos/service-kit';
import { createSigner } from 'fast-jwt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSqlSessionStore } from './adapters/session-store-sql.js';
import { buildBffApp } from './app.js';
import { memoryBus, openBffTestBed, type BffTestBed } from './test-support/bff-test-bed.js';

const SECRET = 'bff-sessions-secret-0123456789-0123456789';
let bed: BffTestBed;

beforeAll(async () => {
  bed = await openBffTestBed('bff_sessions');
});

afterAll(() => bed?.close());

const ACCESS = '__Host-photos-access';
const REFRESH = '__Secure-photos-refresh';
const CSRF = '__Host-photos-csrf';
type Jar = Record<string, string>;

describe('browser sessions: the attack, and the answer', () => {
  let app: ServiceApp;
  let bus: EventBus;

  async function start(env: Record<string, string> = {}) {
    const config = bed.config({ JWT_SECRET: SECRET, SCRYPT_COST: '10', RATE_LIMIT_AUTH_PER_MINUTE: '1000', ...env });
    bus = memoryBus();
    app = await buildBffApp({
      config,
      ...(await bed.stores()),
      sessionStore: await createSqlSessionStore(bed.db),
      bus,
    });
    return app;
  }

  afterEach(async () => {
    await app?.close();
    await bus?.close();
  });

  /** A new account, logged in: the answer's body and the cookies it set. */
  async function loggedIn() {
    const credentials = { email: `user-${randomUUID().slice(0, 8)}@example.com`, password: 'a long enough password' };
    expect([201, 202]).toContain((await app.inject({ method: 'POST', url: '/api/auth/register', payload: credentials })).statusCode);
    const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: credentials });
    expect(login.statusCode).toBe(200);
    return { login, accessToken: login.json<{ accessToken: string }>().accessToken, jar: jarOf(login.cookies) };
  }

  const jarOf = (cookies: { name: string; value: string }[], jar: Jar = {}): Jar => {
    for (const { name, value } of cookies) {
      if (value === '') delete jar[name];
      else jar[name] = value;
    }
    return jar;
  };
  // null: send no X-CSRF-Token header at all.
  const refresh = (jar: Jar, csrf: string | null = jar[CSRF] ?? null) =>
    app.inject({ method: 'POST', url: '/api/auth/refresh', cookies: pick(jar, REFRESH), headers: csrf ? { 'x-csrf-token': csrf } : {} });
  const logout = (jar: Jar, csrf: string | null = jar[CSRF] ?? null) =>
    app.inject({ method: 'POST', url: '/api/auth/logout', cookies: pick(jar, REFRESH), headers: csrf ? { 'x-csrf-token': csrf } : {} });
  const whoAmI = (jar: Jar) => app.inject({ method: 'GET', url: '/api/auth/session', cookies: pick(jar, ACCESS) });
  const pick = (jar: Jar, ...names: string[]) => Object.fromEntries(names.filter((name) => jar[name]).map((name) => [name, jar[name]!]));

  describe('cookies', () => {
    it('login answers the access token to API clients and sets httpOnly, Secure, SameSite=Strict cookies with host-bound names', async () => {
      await start();
      const { login, accessToken } = await loggedIn();
      expect(accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const byName = Object.fromEntries(login.cookies.map((cookie) => [cookie.name, cookie]));
      expect(byName[ACCESS]).toMatchObject({ value: accessToken, httpOnly: true, secure: true, sameSite: 'Strict', path: '/', maxAge: 900 });
      expect(byName[REFRESH]).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/api/auth' });
      expect(byName[CSRF]).toMatchObject({ secure: true, sameSite: 'Strict', path: '/' });
      expect(byName[CSRF]!.httpOnly).toBeFalsy(); // the web app reads it to echo it; it is no credential alone
      expect(byName[REFRESH]!.value).not.toBe(accessToken);
    });

    it('stores refresh tokens only as their sha256: a copy of the table holds no usable token', async () => {
      await start();
      const { jar } = await loggedIn();
      const raw = jar[REFRESH]!;
      const { rows } = await bed.db.query<{ token_hash: string }>('SELECT token_hash FROM refresh_tokens');
      expect(rows.map((row) => row.token_hash)).toContain(createHash('sha256').update(raw).digest('hex'));
      expect(JSON.stringify(rows)).not.toContain(raw);
    });

    it('SESSION_COOKIE_SECURE=false (plain-http LAN): the same cookies without Secure and without the prefixes that need it', async () => {
      await start({ SESSION_COOKIE_SECURE: 'false' });
      const { login } = await loggedIn();
      expect(login.cookies.map((cookie) => [cookie.name, Boolean(cookie.secure), cookie.sameSite])).toEqual([
        ['photos-access', false, 'Strict'],
        ['photos-refresh', false, 'Strict'],
        ['photos-csrf', false, 'Strict'],
      ]);
    });

    it('a reload finds the session by its cookie (GET /api/auth/session), and nobody without one', async () => {
      await start();
      const { jar, login } = await loggedIn();
      const session = await whoAmI(jar);
      expect(session.statusCode).toBe(200);
      expect(session.json()).toEqual({ user: { id: expect.any(String), email: expect.stringMatching(/@example\.com$/) } });
      expect(JSON.parse(login.payload)).not.toHaveProperty('refreshToken');
      const nobody = await app.inject({ method: 'GET', url: '/api/auth/session' });
      expect(nobody.statusCode).toBe(401);
      expect(nobody.headers['content-type']).toMatch(/problem\+json/);
    });
  });

  describe('refresh rotation and reuse detection', () => {
    it('a refresh spends the refresh token: a new refresh cookie and a new access cookie that works', async () => {
      await start();
      const { jar } = await loggedIn();
      const before = { ...jar };
      const renewed = await refresh(jar);
      expect(renewed.statusCode).toBe(200);
      expect(renewed.json()).toEqual({ user: { id: expect.any(String), email: expect.any(String) } });
      jarOf(renewed.cookies, jar);
      expect(jar[REFRESH]).toBeDefined();
      expect(jar[REFRESH]).not.toBe(before[REFRESH]);
      expect((await whoAmI(jar)).statusCode).toBe(200);
      // Same session, so the same CSRF token.
      expect(jar[CSRF]).toBe(before[CSRF]);
    });

    it('attack: replaying a spent refresh token (a stolen copy) -> 401, and the whole session is revoked, the newest token too', async () => {
      await start();
      const { jar } = await loggedIn();
      const stolen = { ...jar };
      const owner = jarOf((await refresh(jar)).cookies, { ...jar });
      const replay = await refresh(stolen);
      expect(replay.statusCode).toBe(401);
      expect(replay.headers['content-type']).toMatch(/problem\+json/);
      expect(replay.json().detail).toMatch(/used already/);
      // The owner's current token no longer works either: whoever holds the family must log in again.
      expect((await refresh(owner)).statusCode).toBe(401);
    });

    it("attack: the thief refreshes first; when the owner then uses the same (now spent) token, the thief's new token dies too", async () => {
      await start();
      const { jar } = await loggedIn();
      const first = await refresh({ ...jar });
      expect(first.statusCode).toBe(200);
      const thief = jarOf(first.cookies, { ...jar });
      expect((await refresh(jar)).statusCode).toBe(401);
      expect((await refresh(thief)).statusCode).toBe(401);
    });

    it('two refreshes racing with the same token: at most one wins, and the session ends', async () => {
      await start();
      const { jar } = await loggedIn();
      const answers = await Promise.all([refresh({ ...jar }), refresh({ ...jar })]);
      expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 401]);
      const winner = jarOf(answers.find((answer) => answer.statusCode === 200)!.cookies, { ...jar });
      expect((await refresh(winner)).statusCode).toBe(401);
    });

    it('a refresh with no cookie or a made-up token -> 401, and the answer clears the cookies', async () => {
      await start();
      expect((await app.inject({ method: 'POST', url: '/api/auth/refresh' })).statusCode).toBe(401);
      const madeUp = await refresh({ [REFRESH]: 'a'.repeat(43), [CSRF]: 'x' });
      expect(madeUp.statusCode).toBe(401);
      expect(madeUp.cookies.find((cookie) => cookie.name === REFRESH)).toMatchObject({ value: '', maxAge: 0 });
    });
  });

  describe('logout', () => {
    it('revokes the session: its refresh token is refused afterwards, and the cookies are cleared', async () => {
      await start();
      const { jar } = await loggedIn();
      const out = await logout(jar);
      expect(out.statusCode).toBe(204);
      expect(out.cookies.map((cookie) => [cookie.name, cookie.value, cookie.maxAge])).toEqual([
        [ACCESS, '', 0],
        [REFRESH, '', 0],
        [CSRF, '', 0],
      ]);
      const again = await refresh(jar);
      expect(again.statusCode).toBe(401);
      expect(again.json().detail).toMatch(/ended/);
    });

    it("ends only that session: the same user's other session (another browser) goes on", async () => {
      await start();
      const first = await loggedIn();
      const email = JSON.parse(Buffer.from(first.accessToken.split('.')[1]!, 'base64url').toString()).email as string;
      const second = jarOf((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'a long enough password' } })).cookies);
      expect((await logout(first.jar)).statusCode).toBe(204);
      expect((await refresh(second)).statusCode).toBe(200);
    });
  });

  describe('CSRF', () => {
    it("attack: a cross-site form posts with the victim's cookies but cannot know the CSRF token -> 403, nothing done", async () => {
      await start();
      const { jar } = await loggedIn();
      const photo = randomUUID();
      for (const csrf of [undefined, 'guessed', jar[CSRF]!.slice(1)]) {
        const response = await app.inject({
          method: 'DELETE',
          url: `/api/photos/${photo}`,
          cookies: pick(jar, ACCESS, CSRF),
          headers: csrf ? { 'x-csrf-token': csrf } : {},
        });
        expect(response.statusCode, String(csrf)).toBe(403);
        expect(response.headers['content-type']).toMatch(/problem\+json/);
      }
      const upload = await app.inject({
        method: 'POST',
        url: '/api/photos',
        cookies: pick(jar, ACCESS),
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
        payload: '--x--',
      });
      expect(upload.statusCode).toBe(403);
    });

    it("attack: the attacker's own valid CSRF token with the victim's cookies -> 403 (tokens are bound to the session)", async () => {
      await start();
      const victim = await loggedIn();
      const attacker = await loggedIn();
      const response = await app.inject({
        method: 'DELETE',
        url: `/api/photos/${randomUUID()}`,
        cookies: pick(victim.jar, ACCESS),
        headers: { 'x-csrf-token': attacker.jar[CSRF]! },
      });
      expect(response.statusCode).toBe(403);
      expect((await refresh({ ...victim.jar, [CSRF]: attacker.jar[CSRF]! })).statusCode).toBe(403);
    });

    it('with the right token the request goes through (here to the unreachable metadata service: not a 403)', async () => {
      await start();
      const { jar } = await loggedIn();
      const response = await app.inject({
        method: 'DELETE',
        url: `/api/photos/${randomUUID()}`,
        cookies: pick(jar, ACCESS),
        headers: { 'x-csrf-token': jar[CSRF]! },
      });
      expect(response.statusCode).not.toBe(403);
      expect(response.statusCode).not.toBe(401);
    });

    it('Authorization: Bearer needs no CSRF token (no browser adds that header on its own)', async () => {
      await start();
      const { accessToken } = await loggedIn();
      const response = await app.inject({ method: 'DELETE', url: `/api/photos/${randomUUID()}`, headers: { authorization: `Bearer ${accessToken}` } });
      expect(response.statusCode).not.toBe(403);
      expect(response.statusCode).not.toBe(401);
    });

    it('attack: a forged refresh or logout without the token -> 403, and the session is unharmed', async () => {
      await start();
      const { jar } = await loggedIn();
      expect((await refresh(jar, null)).statusCode).toBe(403);
      expect((await logout(jar, null)).statusCode).toBe(403);
      expect((await logout(jar, 'wrong')).statusCode).toBe(403);
      // Neither spent the token nor revoked the session.
      expect((await refresh(jar)).statusCode).toBe(200);
    });
  });

  describe('tokens in URLs', () => {
    it.each(['/api/events', '/api/photos', '/api/auth/session'])('attack: a valid token as ?access_token= on %s -> 401 (URLs end up in logs)', async (path) => {
      await start();
      const { accessToken } = await loggedIn();
      const response = await app.inject({ method: 'GET', url: `${path}?access_token=${accessToken}` });
      expect(response.statusCode).toBe(401);
    });
  });

  describe('event streams', () => {
    it('attack: opening streams without end -> 429 problem+json beyond EVENT_STREAMS_PER_USER; a closed one frees its place; others unaffected', async () => {
      await start({ EVENT_STREAMS_PER_USER: '2' });
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const alice = await loggedIn();
      const bob = await loggedIn();
      const open = (token: string) => {
        const controller = new AbortController();
        return fetch(`${url}/api/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal }).then((response) => ({
          response,
          close: () => controller.abort(),
        }));
      };
      const first = await open(alice.accessToken);
      const second = await open(alice.accessToken);
      expect([first.response.status, second.response.status]).toEqual([200, 200]);
      const third = await open(alice.accessToken);
      expect(third.response.status).toBe(429);
      expect(third.response.headers.get('content-type')).toMatch(/problem\+json/);
      const other = await open(bob.accessToken);
      expect(other.response.status).toBe(200);
      first.close();
      await expect
        .poll(async () => {
          const retry = await open(alice.accessToken);
          retry.close();
          return retry.response.status;
        })
        .toBe(200);
      second.close();
      other.close();
    });

    it('a browser opens its stream with the session cookie alone', async () => {
      await start();
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const { jar } = await loggedIn();
      const controller = new AbortController();
      const response = await fetch(`${url}/api/events`, { headers: { cookie: `${ACCESS}=${jar[ACCESS]}` }, signal: controller.signal });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
      controller.abort();
    });

    it('a stream does not outlive its access token (a revoked session stops listening at the latest then)', async () => {
      await start();
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const shortLived = createTokenSigner({ secret: SECRET, issuer: 'photo-platform', audience: 'photo-platform', expiresInSeconds: 1 })({
        sub: randomUUID(),
      });
      const response = await fetch(`${url}/api/events`, { headers: { authorization: `Bearer ${shortLived}` } });
      expect(response.status).toBe(200);
      let text = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) text += new TextDecoder().decode(chunk);
      // The loop ends only when the server ends the stream.
      expect(text).toContain(': connected');
    });
  });

  describe('token algorithms', () => {
    it('attack: a token signed with the shared secret under HS512 (or none) -> 401, by header and by cookie', async () => {
      await start();
      const claims = { sub: randomUUID(), email: 'mallory@example.com' };
      const hs512 = createSigner({ key: SECRET, algorithm: 'HS512', iss: 'photo-platform', aud: 'photo-platform', expiresIn: 60_000 })(claims);
      const none = createSigner({ algorithm: 'none', iss: 'photo-platform', aud: 'photo-platform', expiresIn: 60_000 })(claims);
      for (const token of [hs512, none]) {
        expect((await app.inject({ method: 'GET', url: '/api/auth/session', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
        expect((await app.inject({ method: 'GET', url: '/api/auth/session', cookies: { [ACCESS]: token } })).statusCode).toBe(401);
      }
    });
  });
});
