/**
 * The upload service's HTTP surface, attacked. For each rule: the attack, and the answer it must give.
 * It is internal (only the BFF calls it), and holds to the same rules as if it were public.
 *
 *   1. No route acts without a valid token.
 *   2. /metrics is not on its API port; it is on the internal metrics listener.
 *   3. Every error answer is problem+json with the security headers (431, 413, 404, 400).
 *   4. Body caps: a JSON body over 16 KiB is refused before parsing; uploads have their own limits.
 *
 * Elsewhere: every malformed multipart body (routes/malformed-multipart.int.spec.ts, multipart-fuzz),
 * size, pixel and type limits (app.int.spec.ts), slow clients (upload-timeouts.int.spec.ts), log
 * redaction (packages/service-kit/src/service-app.int.spec.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { photoCatalogue } from '@photos/contracts';
import { createMemoryBus, MemoryBroker } from '@photos/event-bus';
import { createFsObjectStore } from '@photos/object-store';
import { listenMetrics, type ServiceApp } from '@photos/service-kit';
import { expectProblem, raw } from '@photos/service-kit/test-support/raw-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietEnv, signToken, startUploadApp, tinyPng } from './test-support/upload-harness.js';

let sandbox: string;
let app: ServiceApp;
let port: number;
const closing: Array<{ close(): Promise<unknown> }> = [];

beforeAll(async () => {
  sandbox = mkdtempSync(path.join(tmpdir(), 'upload-security-'));
  const store = createFsObjectStore({ root: path.join(sandbox, 'originals') });
  await store.ensureBucket();
  const bus = createMemoryBus({ broker: new MemoryBroker(), catalogue: photoCatalogue });
  const started = await startUploadApp(store, bus, quietEnv);
  app = started.app;
  port = Number(new URL(started.url).port);
  closing.push(bus, app);
});

afterAll(async () => {
  for (const thing of closing.splice(0).reverse()) await thing.close();
  rmSync(sandbox, { recursive: true, force: true });
});

const BIG_HEADERS = `X-Big: ${'b'.repeat(20_000)}\r\n`;
const close = 'Connection: close\r\n';

const token = () => signToken({ sub: `owner-${randomUUID().slice(0, 8)}` });

describe('1. no route acts without a valid token', () => {
  it.each([
    ['no token', ''],
    ['a token signed with another secret', 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl\r\n'],
  ])('attack: an upload with %s. Answer: 401 problem+json, nothing stored', async (_name, auth) => {
    const photo = tinyPng('no-token');
    const boundary = 'X';
    const body =
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n` +
      `${photo.bytes.toString('latin1')}\r\n--${boundary}--\r\n`;
    const head =
      `POST /photos HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: multipart/form-data; boundary=${boundary}\r\n` +
      `Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n${close}\r\n`;
    expectProblem(await raw(port, head + body), 401);
  });
});

describe('2. /metrics is not on the API port', () => {
  it('attack: GET /metrics on the API port. Answer: 404 problem+json; the metrics are on the internal listener', async () => {
    // Without a token the auth hook answers first (401); with one, there is no such route.
    expectProblem(await raw(port, `GET /metrics HTTP/1.1\r\nHost: x\r\n${close}\r\n`), 401);
    const response = await raw(port, `GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token()}\r\n${close}\r\n`);
    expectProblem(response, 404);
    expect(response.body).not.toContain('upload_');
    const metrics = await listenMetrics({ '/metrics': app.metrics }, { port: 0, host: '127.0.0.1' });
    closing.push(metrics);
    expect(await (await fetch(`${metrics.url}/metrics`)).text()).toContain('upload_outbox_published_total');
  });
});

describe('3. every error answer is problem+json with the security headers', () => {
  it.each([
    ['431: headers over 16 KiB', `POST /photos HTTP/1.1\r\nHost: x\r\n${BIG_HEADERS}\r\n`, 431],
    ['404: an unknown route', `GET /photos/../../etc/passwd HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token()}\r\n${close}\r\n`, 404],
    ['400: a URL that cannot be decoded', `GET /photos/%E0%A4%A HTTP/1.1\r\nHost: x\r\n${close}\r\n`, 400],
  ])('attack: %s. Answer: that status as problem+json', async (_name, request, status) => {
    expectProblem(await raw(port, request), status);
  });
});

describe('4. body caps', () => {
  it('attack: a 20 KiB JSON body on the upload route. Answer: 413 problem+json, refused before parsing', async () => {
    const body = `{"file":"${'a'.repeat(20_000)}"}`;
    const request =
      `POST /photos HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token()}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${body.length}\r\n${close}\r\n${body}`;
    expectProblem(await raw(port, request), 413);
  });
  // Uploads: MAX_UPLOAD_BYTES per file (413), MAX_FILES_PER_REQUEST, MAX_PIXELS: app.int.spec.ts.
});
