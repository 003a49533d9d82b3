/**
 * Login and register, attacked. For each rule: the attack, and the answer the BFF must give.
 * The client address is the socket peer (`remoteAddress` below) as Fastify's `request.ip` reports it.
 *
 *   1. Failed logins are limited per (account, client address): the address that keeps guessing gets 429.
 *   2. Nobody can lock the owner out: another address logs in with the right password meanwhile.
 *   3. Every attempt on an account under attack is slowed down, progressively, up to a cap.
 *   4. Register never says whether an email has an account.
 *   5. Register and login are rate-limited per client address, whatever the headers claim.
 *   6. With Redis, every replica shares these counts.
 *
 * Slowed-down logins do not really wait here: the app is given a `sleep` that records the delays.
 */
import { randomUUID } from 'node:crypto';
import type { EventBus } from '@photos/event-bus';
import type { ServiceApp } from '@photos/service-kit';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openRedis } from './adapters/redis-connection.js';
import { buildBffApp } from './app.js';
import { redisLimits } from './service.js';
import { startOwnRedis, type OwnRedis } from './test-support/redis-server.js';
import { memoryBus, openBffTestBed, type BffTestBed } from './test-support/bff-test-bed.js';

let bed: BffTestBed;

beforeAll(async () => {
  bed = await openBffTestBed('bff_login_sec');
});

afterAll(() => bed?.close());

const ATTACKER = '203.0.113.66';
const ALICE_HOME = '198.51.100.7';
const PASSWORD = 'alice has a long password';
const email = () => `alice-${randomUUID().slice(0, 8)}@example.com`;

const apps: ServiceApp[] = [];
const buses: EventBus[] = [];

/** A BFF (its limits in Redis when `redis` is given, as with REDIS_URL, else in the process) and what its logins waited. */
async function startBff(env: Record<string, string> = {}, redis?: Redis) {
  const config = bed.config({ LOGIN_MAX_FAILURES: '5', RATE_LIMIT_AUTH_PER_MINUTE: '1000', ...env });
  const waited: number[] = [];
  const bus = memoryBus();
  const app = await buildBffApp({
    config,
    ...(await bed.stores()),
    bus,
    ...(redis ? redisLimits(redis, { info: () => undefined, warn: () => undefined }) : {}),
    sleep: async (ms) => void waited.push(ms),
  });
  apps.push(app);
  buses.push(bus);
  const post = (url: string, payload: object, remoteAddress: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload, remoteAddress, headers });
  return {
    app,
    waited,
    register: (address: string, password: string, from: string) => post('/api/auth/register', { email: address, password }, from),
    login: (address: string, password: string, from: string, headers?: Record<string, string>) =>
      post('/api/auth/login', { email: address, password }, from, headers),
  };
}

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const bus of buses.splice(0)) await bus.close();
});

describe('1. failed logins are limited per (account, client address)', () => {
  it("attack: one address guesses alice's password. Answer: 401 five times, then 429 problem+json with Retry-After, even for the right one", async () => {
    const bff = await startBff();
    const alice = email();
    await bff.register(alice, PASSWORD, ALICE_HOME);
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await bff.login(alice, `guess ${i}`, ATTACKER)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);

    const refused = await bff.login(alice, PASSWORD, ATTACKER);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    // Within the 15 minute window that began with the first guess.
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(14 * 60);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    expect(refused.json()).toMatchObject({ status: 429, detail: expect.stringMatching(/too many failed logins/i) });
    expect(refused.body).not.toContain(alice);
  });

  it('attack: the same address then goes for another account. Answer: counted apart, that account is not refused', async () => {
    const bff = await startBff();
    const [alice, bob] = [email(), email()];
    await bff.register(alice, PASSWORD, ALICE_HOME);
    await bff.register(bob, 'bob has a password too', ALICE_HOME);
    for (let i = 0; i < 6; i++) await bff.login(alice, `guess ${i}`, ATTACKER);
    expect((await bff.login(bob, 'bob has a password too', ATTACKER)).statusCode).toBe(200);
  });
});

describe('2. nobody can lock the owner out', () => {
  it("attack: an attacker throttles himself on alice's email. Answer: alice, from her own address and with her password, gets 200 meanwhile", async () => {
    const bff = await startBff();
    const alice = email();
    await bff.register(alice, PASSWORD, ALICE_HOME);
    for (let i = 0; i < 20; i++) await bff.login(alice, `guess ${i}`, ATTACKER);
    expect((await bff.login(alice, 'one more guess', ATTACKER)).statusCode).toBe(429);

    const owner = await bff.login(alice, PASSWORD, ALICE_HOME);
    expect(owner.statusCode).toBe(200);
    expect(owner.json()).toMatchObject({ accessToken: expect.any(String) });
    // Her address is not throttled by her own typos either: a few are fine.
    expect((await bff.login(alice, 'a typo', ALICE_HOME)).statusCode).toBe(401);
    expect((await bff.login(alice, PASSWORD, ALICE_HOME)).statusCode).toBe(200);
  });
});

describe('3. attempts on an account under attack are slowed down, up to a cap', () => {
  it('attack: many addresses each guess a few times (under the per-address limit). Answer: 250 ms after 3 failures, doubling, never over 5 s', async () => {
    const bff = await startBff();
    const alice = email();
    await bff.register(alice, PASSWORD, ALICE_HOME);
    for (let i = 0; i < 12; i++) expect((await bff.login(alice, `guess ${i}`, `203.0.113.${i}`)).statusCode).toBe(401);
    expect(bff.waited).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000, 5000]);

    // The owner waits once, no more than the cap, and gets in; after that her logins are not slowed.
    bff.waited.length = 0;
    expect((await bff.login(alice, PASSWORD, ALICE_HOME)).statusCode).toBe(200);
    expect(bff.waited).toEqual([5000]);
    expect((await bff.login(alice, PASSWORD, ALICE_HOME)).statusCode).toBe(200);
    expect(bff.waited).toEqual([5000]);
  });

  it('attack: guesses on an email that has no account. Answer: slowed down and throttled alike (no hint that it does not exist)', async () => {
    const bff = await startBff();
    const nobody = email();
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await bff.login(nobody, `guess ${i}`, ATTACKER)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect(bff.waited).toEqual([250, 500]);
  });
});

describe('4. register never says whether an email has an account', () => {
  it('attack: register an email that may have an account. Answer: byte for byte what a new email gets, no token, and the account is unchanged', async () => {
    const bff = await startBff();
    const alice = email();
    // Different addresses so the rate-limit headers (counts per address) are alike too.
    const first = await bff.register(alice, PASSWORD, '192.0.2.1');
    const second = await bff.register(alice.toUpperCase(), "the attacker's password", '192.0.2.2');
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(first.statusCode);
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
    const comparable = (headers: Record<string, unknown>) => {
      const { date: _date, 'x-correlation-id': _id, ...rest } = headers;
      return rest;
    };
    expect(comparable(second.headers)).toEqual(comparable(first.headers));
    expect(first.headers['set-cookie']).toBeUndefined();
    expect(first.body).not.toMatch(/token|"id"/i);

    // The second registration changed nothing: its password does not log in, the first still does.
    expect((await bff.login(alice, "the attacker's password", ALICE_HOME)).statusCode).toBe(401);
    expect((await bff.login(alice, PASSWORD, ALICE_HOME)).statusCode).toBe(200);
  });
});

describe('5. register and login are rate-limited per client address', () => {
  it('attack: one address sends more than the limit, changing X-Forwarded-For each time. Answer: 429 for that address only', async () => {
    const bff = await startBff({ RATE_LIMIT_AUTH_PER_MINUTE: '3' });
    for (const [route, send] of [
      ['login', (from: string, i: number) => bff.login(email(), 'a guess', from, { 'x-forwarded-for': `100.64.0.${i}` })],
      [
        'register',
        (from: string, i: number) =>
          bff.app.inject({
            method: 'POST',
            url: '/api/auth/register',
            remoteAddress: from,
            headers: { 'x-forwarded-for': `100.64.0.${i}` },
            payload: { email: email(), password: PASSWORD },
          }),
      ],
    ] as const) {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await send('192.0.2.10', i)).statusCode);
      const ok = route === 'login' ? 401 : 202;
      expect(statuses, route).toEqual([ok, ok, ok, 429, 429]);
      const limited = await send('192.0.2.10', 99);
      expect(limited.headers['content-type'], route).toMatch(/^application\/problem\+json/);
      expect(Number(limited.headers['retry-after']), route).toBeGreaterThan(0);
      // Another address is not affected.
      expect((await send('192.0.2.11', 0)).statusCode, route).toBe(ok);
    }
  });
});

describe('6. with Redis, the replicas share the counts', () => {
  let redisServer: OwnRedis;
  const clients: Redis[] = [];

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    for (const client of clients.splice(0)) client.disconnect();
    await redisServer?.close();
  });

  it('attack: guess on one replica, then on another. Answer: the second refuses the address and slows the account; alice gets in on either', async () => {
    redisServer = await startOwnRedis();
    const connect = async () => {
      const client = openRedis(redisServer.url, { connectionName: 'bff-test' });
      clients.push(client);
      await vi.waitFor(() => expect(client.status).toBe('ready'));
      return client;
    };
    const one = await startBff({ LOGIN_MAX_FAILURES: '4' }, await connect());
    const two = await startBff({ LOGIN_MAX_FAILURES: '4' }, await connect());
    const alice = email();
    await one.register(alice, PASSWORD, ALICE_HOME);
    for (let i = 0; i < 4; i++) expect((await one.login(alice, `guess ${i}`, ATTACKER)).statusCode).toBe(401);
    expect(one.waited).toEqual([250]);

    expect((await two.login(alice, 'guess 4', ATTACKER)).statusCode).toBe(429);
    const owner = await two.login(alice, PASSWORD, ALICE_HOME);
    expect(owner.statusCode).toBe(200);
    expect(two.waited).toEqual([500]);
    expect(await redisServer.admin().get(`bff:login-failures:address:${ATTACKER} ${alice}`)).toBe('5');
    expect((await one.login(alice, PASSWORD, '198.51.100.8')).statusCode).toBe(200);
  });
});
