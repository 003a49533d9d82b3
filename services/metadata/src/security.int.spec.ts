/**
 * The metadata service's HTTP surface, attacked. For each rule: the attack, and the answer it must give.
 * Only the BFF calls it; it holds to the same rules as if it were public.
 *
 *   1. No route answers without a valid token, and every read is scoped to the caller.
 *   2. A page is at most 100 photos.
 *   3. A JSON body is at most 16 KiB.
 *   4. Every error answer is problem+json with the security headers (431, 404, 400).
 *   5. /metrics is not on its API port; it is on the internal metrics listener.
 *
 * Log redaction: packages/service-kit/src/service-app.int.spec.ts.
 */
import { listenMetrics, type ServiceApp } from '@photos/service-kit';
import { expectProblem, raw } from '@photos/service-kit/test-support/raw-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, buildTestApp } from './test-support/test-app.js';
import { openMigratedTestDatabase } from './test-support/test-database.js';

let app: ServiceApp;
let port: number;
const closing: Array<{ close(): Promise<unknown> }> = [];

beforeAll(async () => {
  const database = await openMigratedTestDatabase();
  closing.push(database);
  const built = await buildTestApp({ database: database.database, url: database.url });
  closing.push(built);
  app = built.app;
  port = Number(new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port);
});

afterAll(async () => {
  for (const thing of closing.splice(0).reverse()) await thing.close();
});

const BIG_HEADERS = `X-Big: ${'b'.repeat(20_000)}\r\n`;
const close = 'Connection: close\r\n';

const bearer = (owner: string) => `Authorization: ${as(owner).authorization}\r\n`;

describe('1. no route answers without a valid token; every read is scoped to the caller', () => {
  it.each(['GET /photos', 'GET /photos/p-1', 'DELETE /photos/p-1', 'GET /photos/counts'])(
    'attack: %s without a token. Answer: 401 problem+json',
    async (route) => {
      expectProblem(await raw(port, `${route} HTTP/1.1\r\nHost: x\r\n${close}\r\n`), 401);
    },
  );
  // Forged, expired, none-algorithm and HS512 tokens: packages/service-kit/src/auth.int.spec.ts. Another
  // owner's photo is a 404 on every route, exactly as one that does not exist: app.int.spec.ts.
});

describe('2. a page is at most 100 photos', () => {
  it.each(['101', '100000', '-1', '0'])('attack: GET /photos?limit=%s. Answer: 400 problem+json naming limit', async (limit) => {
    const response = await raw(port, `GET /photos?limit=${limit} HTTP/1.1\r\nHost: x\r\n${bearer('alice')}${close}\r\n`);
    expectProblem(response, 400);
    expect(JSON.parse(response.body).errors).toEqual([expect.objectContaining({ in: 'querystring', pointer: '/limit' })]);
  });

  it('GET /photos?limit=100 is answered', async () => {
    expect((await raw(port, `GET /photos?limit=100 HTTP/1.1\r\nHost: x\r\n${bearer('alice')}${close}\r\n`)).status).toBe(200);
  });
});

describe('3. a JSON body is at most 16 KiB', () => {
  it('attack: a DELETE with a 20 KiB JSON body. Answer: 413 problem+json, refused before parsing', async () => {
    const body = `{"pad":"${'a'.repeat(20_000)}"}`;
    const request =
      `DELETE /photos/p-1 HTTP/1.1\r\nHost: x\r\n${bearer('alice')}Content-Type: application/json\r\n` +
      `Content-Length: ${body.length}\r\n${close}\r\n${body}`;
    expectProblem(await raw(port, request), 413);
  });
});

describe('4. every error answer is problem+json with the security headers', () => {
  it.each([
    ['431: headers over 16 KiB', `GET /photos HTTP/1.1\r\nHost: x\r\n${BIG_HEADERS}\r\n`, 431],
    ['404: an unknown route', `GET /admin HTTP/1.1\r\nHost: x\r\n${bearer('alice')}${close}\r\n`, 404],
    ['400: a URL that cannot be decoded', `GET /photos/%E0%A4%A HTTP/1.1\r\nHost: x\r\n${close}\r\n`, 400],
    ['400: a cursor that is not one of ours', `GET /photos?cursor=${'%FF'.repeat(8)} HTTP/1.1\r\nHost: x\r\n${bearer('alice')}${close}\r\n`, 400],
  ])('attack: %s. Answer: that status as problem+json', async (_name, request, status) => {
    expectProblem(await raw(port, request), status);
  });
});

describe('5. /metrics is not on the API port', () => {
  it('attack: GET /metrics on the API port, with a valid token. Answer: 404 problem+json; the metrics are on the internal listener', async () => {
    const response = await raw(port, `GET /metrics HTTP/1.1\r\nHost: x\r\n${bearer('alice')}${close}\r\n`);
    expectProblem(response, 404);
    expect(response.body).not.toContain('metadata_');
    const metrics = await listenMetrics({ '/metrics': app.metrics }, { port: 0, host: '127.0.0.1' });
    closing.push(metrics);
    expect(await (await fetch(`${metrics.url}/metrics`)).text()).toContain('metadata_cache_requests_total');
  });
});
