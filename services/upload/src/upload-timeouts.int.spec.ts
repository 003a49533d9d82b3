import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { photoCatalogue } from '@photos/contracts';
import { createMemoryBus, MemoryBroker, type EventBus } from '@photos/event-bus';
import { createFsObjectStore, type ObjectStore } from '@photos/object-store';
import { createTokenSigner, loadConfig, type ServiceApp } from '@photos/service-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { buildUploadApp } from './app.js';
import { uploadConfigSchema } from './config.js';
import { pngDeclaring } from './test-support/bad-inputs.js';
import { closingDelimiter, filePart, partHead, postHead, rawExchange, type RawExchange } from './test-support/raw-http.js';

const JWT_SECRET = 'upload-test-secret-0123456789-0123456789';
const sign = createTokenSigner({ secret: JWT_SECRET, issuer: 'photo-platform', audience: 'photo-platform', expiresInSeconds: 600 });
const token = sign({ sub: 'alice' });
const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'multipart/form-data; boundary=X' };
const postForm = (port: number, form: FormData) =>
  fetch(`http://127.0.0.1:${port}/photos`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
const png = (extra = 32) => Buffer.concat([pngDeclaring(64, 48), randomBytes(extra)]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('upload timeouts', () => {
  let dir: string;
  let store: ObjectStore;
  let bus: EventBus;
  let app: ServiceApp;
  let port: number;

  async function start(env: Record<string, string>, wrap: (store: ObjectStore) => ObjectStore = (s) => s) {
    dir = mkdtempSync(join(tmpdir(), 'upload-timeouts-'));
    store = createFsObjectStore({ root: dir });
    await store.ensureBucket();
    bus = createMemoryBus({ broker: new MemoryBroker(), catalogue: photoCatalogue });
    const config = loadConfig(uploadConfigSchema, { JWT_SECRET, LOG_LEVEL: 'silent', OUTBOX_INTERVAL_MS: '600000', ...env });
    app = await buildUploadApp({ config, originals: wrap(store), bus });
    port = Number(new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port);
  }

  afterEach(async () => {
    await app?.close();
    await bus?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Sends `body` one byte every `intervalMs` until the connection closes; resolves how many were sent. */
  async function dribble(exchange: RawExchange, body: Buffer, intervalMs: number): Promise<number> {
    for (let sent = 0; sent < body.length; sent++) {
      if (!(await exchange.write(body.subarray(sent, sent + 1)))) return sent;
      await Promise.race([sleep(intervalMs), exchange.closed]);
    }
    return body.length;
  }

  async function expectCutOff(exchange: RawExchange, body: Buffer, intervalMs: number, detail: RegExp) {
    const sent = dribble(exchange, body, intervalMs);
    const response = await exchange.response;
    expect(response?.status).toBe(408);
    expect(response?.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(response!.body)).toMatchObject({ status: 408, detail: expect.stringMatching(detail) });
    await exchange.closed;
    expect(await sent).toBeLessThan(body.length);
  }

  async function expectStillServing() {
    await expect.poll(() => store.list('')).toEqual([]);
    expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    const form = new FormData();
    form.append('file', new Blob([png()], { type: 'image/png' }), 'after.png');
    const response = await postForm(port, form);
    expect(response.status).toBe(202);
  }

  it('cuts off a client that goes quiet mid-file (idle timeout), keeps nothing, and serves the next upload', async () => {
    await start({ UPLOAD_IDLE_TIMEOUT_MS: '600' });
    const body = Buffer.concat([Buffer.from(partHead('X', 'file', 'slow.png')), png(4096), Buffer.from(`\r\n${closingDelimiter('X')}`)]);
    const exchange = rawExchange(port);
    await exchange.write(postHead('/photos', headers, body.length));
    await exchange.write(body.subarray(0, 200)); // the header passes: the domain has started on this file
    // Then one byte every 2 s: never a full idle timeout's worth of progress.
    await expectCutOff(exchange, body.subarray(200), 2_000, /sent nothing for 0\.6 s/);
    await expectStillServing();
  });

  it('cuts off a client that dribbles a byte every 200 ms (whole-body timeout), keeps nothing, and serves the next upload', async () => {
    await start({ UPLOAD_IDLE_TIMEOUT_MS: '2000', HTTP_REQUEST_TIMEOUT_MS: '1500' });
    const body = Buffer.concat([filePart('X', 'slow.png', png(4096)), Buffer.from(closingDelimiter('X'))]);
    const exchange = rawExchange(port);
    await exchange.write(postHead('/photos', headers, body.length));
    await expectCutOff(exchange, body, 200, /did not arrive in time/);
    await expectStillServing();
  });

  it('does not count the time its own storage is slow as the client idling', async () => {
    // Storage takes a second to start reading each original (a slow S3 connection), three times the
    // idle timeout, while the client has long sent everything it could.
    const slowStore = (inner: ObjectStore): ObjectStore => ({
      ...inner,
      put: async (key, body, options) => {
        if (!Buffer.isBuffer(body)) await sleep(1_000);
        return inner.put(key, body as Readable, options);
      },
    });
    await start({ UPLOAD_IDLE_TIMEOUT_MS: '300', MAX_UPLOAD_BYTES: String(8 * 1024 * 1024) }, slowStore);
    const form = new FormData();
    form.append('file', new Blob([png(3 * 1024 * 1024)], { type: 'image/png' }), 'big.png');
    const response = await postForm(port, form);
    expect(response.status).toBe(202);
  });
});
