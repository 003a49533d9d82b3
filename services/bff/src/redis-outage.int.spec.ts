/**
 * Redis is optional at run time: with the BFF's Redis stopped or hung, register, login and upload keep
 * answering, still rate-limited (in the process), and the counts go back to Redis once it is back.
 * The Redis here is a redis-server of this test's own, stopped and frozen at will.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { photoCatalogue } from '@photos/contracts';
import { createMemoryBus, MemoryBroker, type EventBus } from '@photos/event-bus';
import { createFsObjectStore } from '@photos/object-store';
import { loadConfig, type ServiceApp } from '@photos/service-kit';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSqlAccountStore } from './adapters/account-store-sql.js';
import { openRedis } from './adapters/redis-connection.js';
import { createSqlClient, type SqlClient } from './adapters/sql-client.js';
import { buildBffApp } from './app.js';
import { redisLimits } from './service.js';
import { bffConfigSchema } from './config.js';
import { startOwnRedis, type OwnRedis } from './test-support/redis-server.js';

const database = `bff_redis_${randomUUID().slice(0, 8)}`;
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
let db: SqlClient;
let dir: string;
let upload: Server;
let uploadUrl: string;

beforeAll(async () => {
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  db = await createSqlClient({ url: `postgres://postgres@127.0.0.1:5432/${database}`, dataDir: '' });
  dir = mkdtempSync(join(tmpdir(), 'bff-redis-'));
  // Stands in for the upload service: reads the body, accepts it.
  upload = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(202, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ photos: [{ id: randomUUID(), status: 'processing' }] }));
    });
  });
  await new Promise<void>((resolve) => upload.listen(0, '127.0.0.1', resolve));
  uploadUrl = `http://127.0.0.1:${(upload.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => upload?.close(resolve));
  await db?.close();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
});

describe('BFF with its Redis gone', () => {
  let redisServer: OwnRedis;
  let redis: Redis;
  let app: ServiceApp;
  let bus: EventBus;
  let logs: { level: string; msg: string }[];

  async function start(env: Record<string, string>) {
    redisServer = await startOwnRedis();
    redis = openRedis(redisServer.url, { connectionName: 'bff-test' });
    await vi.waitFor(() => expect(redis.status).toBe('ready'));
    const config = loadConfig(bffConfigSchema, {
      JWT_SECRET: 'bff-test-secret-0123456789-0123456789',
      LOG_LEVEL: 'info',
      DATA_DIR: dir,
      METADATA_URL: 'http://127.0.0.1:1',
      UPLOAD_URL: uploadUrl,
      WEB_DIST_DIR: join(dir, 'no-web'),
      SCRYPT_COST: '12',
      REDIS_URL: redisServer.url,
      ...env,
    });
    logs = [];
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line));
        done();
      },
    });
    bus = createMemoryBus({ broker: new MemoryBroker(), catalogue: photoCatalogue });
    app = await buildBffApp({
      config,
      accountStore: await createSqlAccountStore(db),
      originals: createFsObjectStore({ root: join(dir, 'originals') }),
      variants: createFsObjectStore({ root: join(dir, 'variants') }),
      bus,
      // The limits as service.ts opens them with REDIS_URL; their lines go with the app's.
      ...redisLimits(redis, { warn: (_object, msg) => void logs.push({ level: 'warn', msg }), info: (msg) => void logs.push({ level: 'info', msg }) }),
      logStream,
    });
    await app.ready();
  }

  afterEach(async () => {
    await app?.close();
    await bus?.close();
    redis?.disconnect();
    await redisServer?.close();
  });

  const email = () => `user-${randomUUID().slice(0, 8)}@example.com`;
  const post = (url: string, payload: object, ip: string) => app.inject({ method: 'POST', url, payload, remoteAddress: ip });
  const login = (address: string, password: string, ip: string) => post('/api/auth/login', { email: address, password }, ip);
  const uploadAs = (token: string) =>
    app.inject({
      method: 'POST',
      url: '/api/photos',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'multipart/form-data; boundary=x' },
      payload: '--x\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\nabc\r\n--x--\r\n',
    });
  const warnings = () => logs.filter((line) => line.level === 'warn' && line.msg.startsWith('Redis is unreachable'));

  it('registers, logs in and uploads while Redis is stopped, limited in the process, and counts in Redis again once it is back', async () => {
    await start({ RATE_LIMIT_AUTH_PER_MINUTE: '5', RATE_LIMIT_UPLOADS_PER_MINUTE: '3', LOGIN_MAX_FAILURES: '2' });
    const check = redisServer.admin();
    const password = 'a long enough password';
    const alice = email();
    expect((await post('/api/auth/register', { email: alice, password }, '10.0.0.1')).statusCode).toBe(202);
    expect(await check.get('bff:rate-limit:POST/api/auth/register-10.0.0.1')).toBe('1');

    await redisServer.stop();
    await vi.waitFor(() => expect(redis.status).not.toBe('ready'));

    const bob = email();
    const registered = await post('/api/auth/register', { email: bob, password }, '10.0.0.2');
    expect(registered.statusCode).toBe(202);
    // The per-IP limit of 5 still holds, counted here: the 6th login within the minute is refused.
    const logins = [];
    for (let i = 0; i < 6; i++) logins.push(await login(bob, password, '10.0.0.2'));
    expect(logins.map((response) => response.statusCode)).toEqual([200, 200, 200, 200, 200, 429]);
    // The per-(account, address) throttle too: after 2 failures that address is refused even the right
    // password, and the owner still gets in from another one.
    const carol = email();
    expect((await post('/api/auth/register', { email: carol, password }, '10.0.0.3')).statusCode).toBe(202);
    const attempts = [];
    for (const guess of ['wrong one', 'wrong two', password]) attempts.push((await login(carol, guess, '10.0.0.3')).statusCode);
    expect(attempts).toEqual([401, 401, 429]);
    expect((await login(carol, password, '10.0.0.5')).statusCode).toBe(200);
    // Uploads pass through, still limited per user (3 per minute).
    const token = (logins[0]!.json() as { accessToken: string }).accessToken;
    const uploads = [];
    for (let i = 0; i < 4; i++) uploads.push((await uploadAs(token)).statusCode);
    expect(uploads).toEqual([202, 202, 202, 429]);
    expect(warnings()).toHaveLength(1);

    await redisServer.start();
    await vi.waitFor(() => expect(redis.status).toBe('ready'), { timeout: 10_000 });
    const dave = email();
    expect((await post('/api/auth/register', { email: dave, password }, '10.0.0.4')).statusCode).toBe(202);
    expect((await login(dave, 'a wrong guess', '10.0.0.4')).statusCode).toBe(401);
    const back = redisServer.admin();
    expect(await back.get('bff:rate-limit:POST/api/auth/register-10.0.0.4')).toBe('1');
    expect(await back.get('bff:rate-limit:POST/api/auth/login-10.0.0.4')).toBe('1');
    expect(await back.get(`bff:login-failures:account:${dave}`)).toBe('1');
    expect(await back.get(`bff:login-failures:address:10.0.0.4 ${dave}`)).toBe('1');
    expect(logs.filter((line) => line.level === 'info' && line.msg.startsWith('Redis is back'))).toHaveLength(1);
    expect(warnings()).toHaveLength(1);
  });

  it('answers while Redis hangs (connected, not answering), then uses it again once it answers', async () => {
    await start({ RATE_LIMIT_AUTH_PER_MINUTE: '50' });
    const password = 'a long enough password';
    const erin = email();
    expect((await post('/api/auth/register', { email: erin, password }, '10.0.1.1')).statusCode).toBe(202);

    redisServer.freeze();
    const during = [];
    for (let i = 0; i < 3; i++) during.push((await login(erin, password, '10.0.1.2')).statusCode);
    expect(during).toEqual([200, 200, 200]);
    expect(redis.status).toBe('ready');
    expect(warnings()).toHaveLength(1);

    redisServer.thaw();
    const check = redisServer.admin();
    // Redis is tried again a moment after the failure; from then on the logins are counted there.
    await vi.waitFor(
      async () => {
        expect((await login(erin, password, '10.0.1.3')).statusCode).toBe(200);
        expect(Number(await check.get('bff:rate-limit:POST/api/auth/login-10.0.1.3'))).toBeGreaterThanOrEqual(1);
      },
      { timeout: 10_000, interval: 200 },
    );
  });
});
