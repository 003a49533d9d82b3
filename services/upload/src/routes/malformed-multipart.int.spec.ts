import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { photoCatalogue } from '@photos/contracts';
import { createMemoryBus, MemoryBroker, type EventBus } from '@photos/event-bus';
import { createFsObjectStore, type ObjectStore } from '@photos/object-store';
import { createTokenSigner, loadConfig, type ServiceApp } from '@photos/service-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildUploadApp } from '../app.js';
import { uploadConfigSchema } from '../config.js';
import { pngDeclaring } from '../test-support/bad-inputs.js';
import { closingDelimiter, filePart, partHead, postHead, rawExchange, sendRaw, type RawResponse } from '../test-support/raw-http.js';

const JWT_SECRET = 'upload-test-secret-0123456789-0123456789';
const env = { JWT_SECRET, LOG_LEVEL: 'silent', MAX_FILES_PER_REQUEST: '3', OUTBOX_INTERVAL_MS: '600000' };
const sign = createTokenSigner({ secret: JWT_SECRET, issuer: 'photo-platform', audience: 'photo-platform', expiresInSeconds: 600 });
const token = sign({ sub: 'alice' });
const auth = { Authorization: `Bearer ${token}` };
const multipart = (boundary: string) => ({ ...auth, 'Content-Type': `multipart/form-data; boundary=${boundary}` });

/** A small file that passes the header check, with bytes of its own. */
const png = () => Buffer.concat([pngDeclaring(64, 48), randomBytes(32)]);
const text = Buffer.from('hello, not an image at all');

/** A POST /photos whose body is exactly `body`, with the given headers and a matching Content-Length. */
const post = (headers: Record<string, string>, ...body: (Buffer | string)[]) => {
  const bytes = Buffer.concat(body.map((piece) => Buffer.from(piece)));
  return Buffer.concat([Buffer.from(postHead('/photos', headers, bytes.length)), bytes]);
};

function expectProblem(response: RawResponse | undefined, statuses: number[]) {
  expect(response, 'an answer').toBeDefined();
  expect(statuses).toContain(response!.status);
  expect(response!.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(response!.body) as { status: number; detail: string };
  expect(problem.status).toBe(response!.status);
  expect(problem.detail).not.toMatch(/could not complete the request/);
  expect(response!.body).not.toMatch(/at .*\.[jt]s:\d+/);
}

const X = multipart('X');
const end = closingDelimiter('X');
const field = (name: string, value: string) => `--X\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;

/** Malformed requests, each with the statuses it may get: all 4xx. */
const malformed: [string, () => Buffer | string, number[]][] = [
  ['the reproduced crash: a refused part, then no closing boundary', () => post(X, partHead('X', 'file', 'a.jpg'), text, '\r\n'), [415, 400]],
  ['multipart without a boundary', () => post({ ...auth, 'Content-Type': 'multipart/form-data' }, filePart('X', 'a.png', png())), [400]],
  ['a boundary the body never uses', () => post(multipart('Y'), filePart('X', 'a.png', png()), end), [400]],
  ['a boundary longer than the parser takes', () => post(multipart('B'.repeat(300)), filePart('B'.repeat(300), 'a.png', png())), [400]],
  ['an image cut off in the middle', () => post(X, partHead('X', 'file', 'a.png'), png().subarray(0, 40)), [400]],
  ['a complete image, then the end without a closing boundary', () => post(X, filePart('X', 'a.png', png())), [400]],
  ['a complete image, then a part cut off in its headers', () => post(X, filePart('X', 'a.png', png()), '--X\r\nContent-Disp'), [400]],
  ['a refused part, a good image, no closing boundary', () => post(X, filePart('X', 'a.txt', text), filePart('X', 'b.png', png())), [415, 400]],
  ['a part without Content-Disposition', () => post(X, '--X\r\nContent-Type: image/png\r\n\r\n', png(), '\r\n', end), [400]],
  [
    'a part header line of 200 KiB',
    () => post(X, `--X\r\nX-Junk: ${'j'.repeat(200 * 1024)}\r\n`, partHead('X', 'file', 'a.png').slice(5), png(), '\r\n', end),
    [400],
  ],
  ['garbage where the part headers should be', () => post(X, '--X\r\n\u0000\u0001\u0002\r\n\r\n', png(), '\r\n', end), [400]],
  ['more files than allowed', () => post(X, ...[1, 2, 3, 4].map((n) => filePart('X', `${n}.png`, png())), end), [413]],
  ['more form fields than allowed', () => post(X, ...Array.from({ length: 12 }, (_, n) => field(`f${n}`, 'v')), end), [413]],
  ['a form field over the size limit', () => post(X, field('note', 'n'.repeat(200 * 1024)), filePart('X', 'a.png', png()), end), [413]],
  ['a JSON body', () => post({ ...auth, 'Content-Type': 'application/json' }, '{"file":"a.png"}'), [415]],
  ['broken JSON', () => post({ ...auth, 'Content-Type': 'application/json' }, '{"file":'), [400]],
  ['a text body', () => post({ ...auth, 'Content-Type': 'text/plain' }, 'a photo, honest'), [415]],
  ['raw image bytes', () => post({ ...auth, 'Content-Type': 'image/png' }, png()), [415]],
  ['multipart/mixed', () => post({ ...auth, 'Content-Type': 'multipart/mixed; boundary=X' }, filePart('X', 'a.png', png()), end), [415]],
  ['a body without Content-Type', () => post(auth, png()), [415]],
  ['broken chunked encoding', () => `${postHead('/photos', X, 'chunked')}zz\r\n${partHead('X', 'file', 'a.png')}\r\n`, [400]],
];

describe('malformed upload bodies', () => {
  let dir: string;
  let originals: ObjectStore;
  let bus: EventBus;
  let app: ServiceApp;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upload-malformed-'));
    originals = createFsObjectStore({ root: dir });
    await originals.ensureBucket();
    bus = createMemoryBus({ broker: new MemoryBroker(), catalogue: photoCatalogue });
    app = await buildUploadApp({ config: loadConfig(uploadConfigSchema, env), originals, bus });
    port = Number(new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port);
  });

  afterAll(async () => {
    await app?.close();
    await bus?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    // Whatever the request, the service is still up and kept nothing.
    expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    await expect.poll(() => originals.list('')).toEqual([]);
  });

  it.each(malformed)('%s: a 4xx problem', async (_what, request, statuses) => {
    expectProblem(await sendRaw(port, request()), statuses);
  });

  it('answers a client that closes mid-body with nothing kept', async () => {
    const exchange = rawExchange(port);
    await exchange.write(postHead('/photos', multipart('X'), 100_000));
    await exchange.write(Buffer.concat([Buffer.from(partHead('X', 'file', 'a.png')), png()]));
    await new Promise((resolve) => setTimeout(resolve, 100));
    exchange.socket.destroy();
    await exchange.closed;
  });

  it('takes a valid upload after a refused one whose body it read off, and after all of the above', async () => {
    const exchange = rawExchange(port);
    const refused = post(multipart('X'), filePart('X', 'a.txt', Buffer.concat([text, randomBytes(64 * 1024)])), closingDelimiter('X'));
    await exchange.write(refused);
    expectProblem(await exchange.response, [415]);
    const good = new FormData();
    good.append('file', new Blob([png()], { type: 'image/png' }), 'good.png');
    const response = await fetch(`http://127.0.0.1:${port}/photos`, { method: 'POST', body: good, headers: auth });
    expect(response.status).toBe(202);
    const [photo] = ((await response.json()) as { photos: { id: string }[] }).photos;
    expect(await originals.stat(`originals/${photo!.id}`)).toBeDefined();
    exchange.socket.destroy();
    for (const key of await originals.list('')) await originals.delete(key);
  });
});

describe('the rest of a refused body', () => {
  let dir: string;
  let bus: EventBus;
  let app: ServiceApp;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upload-drain-'));
    const originals = createFsObjectStore({ root: dir });
    await originals.ensureBucket();
    bus = createMemoryBus({ broker: new MemoryBroker(), catalogue: photoCatalogue });
    const config = loadConfig(uploadConfigSchema, { ...env, MAX_UPLOAD_BYTES: String(64 * 1024 * 1024) });
    app = await buildUploadApp({ config, originals, bus });
    port = Number(new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port);
  });

  afterAll(async () => {
    await app?.close();
    await bus?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is read off when small, so a client that reads only after sending gets its answer', async () => {
    // A browser sends its whole body before it reads: 4 MiB behind the refused first part.
    const big = Buffer.concat([png(), randomBytes(4 * 1024 * 1024)]);
    const body = post(X, filePart('X', 'a.txt', text), filePart('X', 'b.png', big), end);
    const exchange = rawExchange(port);
    expect(await exchange.write(body)).toBe(true);
    expectProblem(await exchange.response, [415]);
    exchange.socket.destroy();
  }, 20_000);

  it('is not read when large: the connection closes after the answer', async () => {
    const exchange = rawExchange(port);
    const total = 200 * 1024 * 1024;
    await exchange.write(postHead('/photos', multipart('X'), total));
    await exchange.write(filePart('X', 'a.txt', text));
    let sent = 0;
    const chunk = Buffer.alloc(256 * 1024, 'z');
    while (sent < total && (await exchange.write(chunk))) sent += chunk.length;
    await exchange.closed;
    expect(sent).toBeLessThan(64 * 1024 * 1024);
    expectProblem(await exchange.response, [415]);
  }, 20_000);
});

describe('a body that breaks off after a refusal', () => {
  it('fails the refused part while the upload rolls back, and the service stays up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'upload-refused-'));
    const store = createFsObjectStore({ root: dir });
    await store.ensureBucket();
    // Rolling back the first (stored) file waits for the test, which meanwhile ends the body early.
    let rollingBack!: () => void;
    const rollbackStarted = new Promise<void>((resolve) => (rollingBack = resolve));
    let finishRollback!: () => void;
    const rollbackMayFinish = new Promise<void>((resolve) => (finishRollback = resolve));
    const gated: ObjectStore = {
      ...store,
      delete: async (key) => {
        rollingBack();
        await rollbackMayFinish;
        return store.delete(key);
      },
    };
    const bus = createMemoryBus({ broker: new MemoryBroker(), catalogue: photoCatalogue });
    const app = await buildUploadApp({ config: loadConfig(uploadConfigSchema, env), originals: gated, bus });
    try {
      const port = Number(new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port);
      const rest = Buffer.alloc(4096, 'x');
      const opening = Buffer.concat([filePart('X', 'a.png', png()), Buffer.from(partHead('X', 'file', 'b.txt')), text]);
      const exchange = rawExchange(port);
      await exchange.write(postHead('/photos', multipart('X'), opening.length + rest.length));
      await exchange.write(opening);
      await rollbackStarted;
      await exchange.write(rest); // the body ends here, inside the refused part: busboy fails that part
      await new Promise((resolve) => setTimeout(resolve, 200));
      finishRollback();
      expectProblem(await exchange.response, [415, 400]);
      exchange.socket.destroy();
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
      await expect.poll(() => store.list('')).toEqual([]);
    } finally {
      finishRollback();
      await app.close();
      await bus.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
