/**
 * The BFF's platform surface, attacked: what every request meets before any route logic. For each rule:
 * the attack, and the answer the BFF must give. Requests go over real sockets (raw HTTP where a client
 * library would refuse to send them).
 *
 *   1. Proxy trust is configuration: X-Forwarded-For counts only from the proxies TRUST_PROXY names.
 *   2. /metrics is never on the public port; it is on the internal metrics listener.
 *   3. Every error answer is problem+json with the security headers (431, 413, 400, 404, wrong method).
 *   4. A malformed signed media URL is a 400 problem, never a 500.
 *   5. Logs never carry credentials: query values, Authorization, Cookie.
 *   6. Caps: page size, JSON body size (see 3. for the 413).
 *
 * Elsewhere: login throttling and register (login.security.int.spec.ts), sessions, cookies and CSRF
 * (sessions.security.int.spec.ts), cross-user access (app.int.spec.ts), the raw 431/408/400 answers of
 * every service (packages/service-kit/src/server-timeouts.int.spec.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventBus } from '@photos/event-bus';
import { createFsObjectStore } from '@photos/object-store';
import { createTokenSigner, listenMetrics, type MetricsListener, type ServiceApp } from '@photos/service-kit';
import { raw, type RawResponse } from '@photos/service-kit/test-support/raw-http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mediaUrls } from './adapters/media-urls.js';
import { buildBffApp } from './app.js';
import { memoryBus, openBffTestBed, type BffTestBed } from './test-support/bff-test-bed.js';

const JWT_SECRET = 'bff-test-secret-0123456789-0123456789';
let bed: BffTestBed;

beforeAll(async () => {
  bed = await openBffTestBed('bff_platform_sec');
  // A built web app, so that its catch-all route is there too (it must not swallow /metrics).
  mkdirSync(join(bed.dir, 'web'));
  writeFileSync(join(bed.dir, 'web', 'index.html'), '<!doctype html><title>photos</title>');
});

afterAll(() => bed?.close());

/** A valid access token of user u-1, as the BFF issues them. */
const bearer = () =>
  createTokenSigner({ secret: JWT_SECRET, issuer: 'photo-platform', audience: 'photo-platform', expiresInSeconds: 60 })({ sub: 'u-1', email: 'u@example.com' });

interface LogLine {
  msg?: string;
  [key: string]: unknown;
}

const closing: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const thing of closing.splice(0).reverse()) await thing.close();
});

/** A BFF listening on a free loopback port, with its log lines collected. */
async function startBff(env: Record<string, string> = {}) {
  const config = bed.config({ JWT_SECRET, LOG_LEVEL: 'info', WEB_DIST_DIR: join(bed.dir, 'web'), RATE_LIMIT_AUTH_PER_MINUTE: '20', ...env });
  const logs: LogLine[] = [];
  const bus: EventBus = memoryBus();
  closing.push(bus);
  const app: ServiceApp = await buildBffApp({
    config,
    ...(await bed.stores()),
    bus,
    logStream: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
  });
  closing.push(app);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url, port: Number(new URL(url).port), logs };
}

/** One login attempt from this process (127.0.0.1), claiming to come from `forwardedFor`. */
async function login(url: string, forwardedFor: string): Promise<number> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ email: `nobody-${randomUUID().slice(0, 8)}@example.com`, password: 'a guess' }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** The headers helmet puts on the BFF's answers (or service-kit's stand-ins where no hook ran). */
const SECURITY_HEADERS = [
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-frame-options',
];

function expectProblemWithSecurityHeaders(response: RawResponse, status: number): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(JSON.parse(response.body)).toMatchObject({ status, type: 'about:blank', correlationId: expect.any(String) });
  for (const name of SECURITY_HEADERS) expect(response.headers[name], `${name} on the ${status}`).toBeDefined();
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(response.body).not.toMatch(/at .*\.[jt]s:\d+/);
}

describe('1. proxy trust is configuration', () => {
  it('attack: without a proxy configured, one client sends 25 logins, each with a new X-Forwarded-For. Answer: limited all the same (429)', async () => {
    const { url } = await startBff();
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push(await login(url, `198.51.100.${i}`));
    expect(statuses.filter((status) => status === 401)).toHaveLength(20);
    expect(statuses.filter((status) => status === 429)).toHaveLength(5);
  });

  it('behind the proxy TRUST_PROXY names (127.0.0.1 here), two clients it forwards for are limited apart', async () => {
    const { url } = await startBff({ TRUST_PROXY: '127.0.0.1' });
    const first: number[] = [];
    for (let i = 0; i < 21; i++) first.push(await login(url, '203.0.113.1'));
    expect(first.slice(0, 20).every((status) => status === 401)).toBe(true);
    expect(first[20]).toBe(429);
    // Another client behind the same proxy has its own count.
    expect(await login(url, '203.0.113.2')).toBe(401);
    // A client cannot escape its count by prepending addresses: the proxy appends the real one last.
    expect(await login(url, '192.0.2.99, 203.0.113.1')).toBe(429);
  });
});

describe('2. /metrics is never on the public port', () => {
  let metrics: MetricsListener;

  it('attack: GET /metrics on the public port. Answer: 404 problem+json, nothing of the metrics', async () => {
    const { port, app } = await startBff();
    const response = await raw(port, 'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expectProblemWithSecurityHeaders(response, 404);
    expect(response.body).not.toMatch(/http_request_duration_seconds|nodejs_version_info/);

    // They are on the internal listener server.ts opens (METRICS_PORT, METRICS_HOST; startServer's test).
    metrics = await listenMetrics({ '/metrics': app.metrics }, { port: 0, host: '127.0.0.1' });
    closing.push(metrics);
    expect(metrics.url).not.toBe(`http://127.0.0.1:${port}`);
    expect(await (await fetch(`${metrics.url}/metrics`)).text()).toContain('http_request_duration_seconds');
  });
});

describe('3. every error answer is problem+json with the security headers', () => {
  it.each([
    ['431: headers over 16 KiB (answered by Node before Fastify)', `GET /api/photos HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`, 431],
    [
      '413: a JSON body over 16 KiB',
      `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20000\r\nConnection: close\r\n\r\n${'{'.padEnd(20_000, ' ')}`,
      413,
    ],
    [
      '400: malformed JSON',
      'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{"a":',
      400,
    ],
    ['400: malformed HTTP', 'GET /api/photos HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400],
    ['400: a URL Fastify cannot decode', 'GET /api/photos/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400],
    ['404: an unknown API route', 'GET /api/nothing-here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 404],
    // Fastify answers a method a path does not take as an unknown route: 404, never a 405 of its own.
    [
      '404: a method the route does not take',
      `PUT /api/photos HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${bearer()}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      404,
    ],
    ['401: an API route without credentials', 'GET /api/photos HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 401],
  ])('attack: %s. Answer: that status as problem+json, with the security headers', async (_name, request, status) => {
    const { port } = await startBff();
    expectProblemWithSecurityHeaders(await raw(port, request), status);
  });

  it("the headers on errors are helmet's own where helmet ran (the CSP of the web app, not a stand-in)", async () => {
    const { port } = await startBff();
    const page = await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const notFound = await raw(port, 'GET /api/nothing-here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(page.status).toBe(200);
    for (const name of SECURITY_HEADERS) expect(notFound.headers[name], name).toBe(page.headers[name]);
  });
});

describe('4. a malformed signed media URL is a 400, never a 500', () => {
  const good = 'x'.repeat(43);
  it.each([
    ['a signature that is not base64url', `/media/variants/p1/thumb.webp?expires=4102444800&signature=${'%2B'.repeat(43)}`],
    ['a signature of the wrong length', '/media/variants/p1/thumb.webp?expires=4102444800&signature=abc'],
    ['a key with ..', `/media/variants/p1/../../secret?expires=4102444800&signature=${good}`],
    ['a key with an encoded ..', `/media/variants/p1/%2E%2E/%2E%2E/secret?expires=4102444800&signature=${good}`],
    ['a key with NUL', `/media/variants/p1/thumb%00.webp?expires=4102444800&signature=${good}`],
    ['an empty key segment', `/media/variants/p1//thumb.webp?expires=4102444800&signature=${good}`],
    ['an expiry that is not a number', `/media/variants/p1/thumb.webp?expires=soon&signature=${good}`],
    ['an expiry beyond any date', `/media/variants/p1/thumb.webp?expires=1e400&signature=${good}`],
    ['a repeated signature', `/media/variants/p1/thumb.webp?expires=4102444800&signature=${good}&signature=${good}`],
  ])('attack: %s. Answer: 400 problem+json', async (_name, path) => {
    const { port } = await startBff();
    const response = await raw(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expectProblemWithSecurityHeaders(response, 400);
  });

  it('a URL the BFF signed still loads: the rules refuse nothing it hands out', async () => {
    const { url } = await startBff();
    const variants = createFsObjectStore({ root: join(bed.dir, 'variants') });
    const originals = createFsObjectStore({ root: join(bed.dir, 'originals') });
    const key = `variants/3f2a-photo_1/thumb-${'ab'.repeat(8)}.webp`;
    await variants.put(key, Buffer.from('RIFF....WEBP'), { contentType: 'image/webp' });
    const signed = await mediaUrls({ variants, originals, secret: JWT_SECRET, ttlSeconds: 3600, storeSigned: false }).variant(key);
    const response = await fetch(`${url}${signed}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('RIFF....WEBP');
  });

  it('a well-formed URL with a wrong signature stays a 404 (as for media that does not exist)', async () => {
    const { port } = await startBff();
    const response = await raw(port, `GET /media/variants/p1/thumb.webp?expires=4102444800&signature=${good} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expectProblemWithSecurityHeaders(response, 404);
  });
});

describe('5. logs never carry credentials', () => {
  it('attack: tokens in the query string, the Authorization header and cookies. Answer: none of them in any log line', async () => {
    const { url, logs } = await startBff();
    const token = bearer();
    const headers = { authorization: `Bearer ${token}`, cookie: `session=cookie-secret-1; other=cookie-secret-2` };
    await (await fetch(`${url}/api/events?access_token=${token}`, { headers: { cookie: headers.cookie } })).arrayBuffer();
    await (await fetch(`${url}/media/variants/p1/thumb.webp?expires=4102444800&signature=${'s'.repeat(43)}`)).arrayBuffer();
    await (await fetch(`${url}/api/nothing?password=hunter2-secret&code=oauth-code-secret`, { headers })).arrayBuffer();

    const incoming = logs.filter((line) => line.msg === 'incoming request').map((line) => (line['req'] as { url: string }).url);
    expect(incoming).toEqual([
      '/api/events?access_token=[redacted]',
      '/media/variants/p1/thumb.webp?expires=[redacted]&signature=[redacted]',
      '/api/nothing?password=[redacted]&code=[redacted]',
    ]);
    const everything = JSON.stringify(logs);
    for (const secret of [token, token.split('.')[2]!, 'cookie-secret', 'hunter2', 'oauth-code', 's'.repeat(43)]) {
      expect(everything).not.toContain(secret);
    }
  });
});

describe('6. caps', () => {
  it('attack: a gallery page of 10,000 photos. Answer: 400 problem+json naming limit (at most 100)', async () => {
    const { port } = await startBff();
    const token = bearer();
    const response = await raw(port, `GET /api/photos?limit=10000 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`);
    expectProblemWithSecurityHeaders(response, 400);
    expect(JSON.parse(response.body).errors).toEqual([expect.objectContaining({ in: 'querystring', pointer: '/limit' })]);
  });
  // The JSON body cap (16 KiB, 413) is case 3 above; every service has it (service-kit's problem-details.int.spec.ts).
});
