/**
 * The BFF -> upload hop under bad bodies and a failing upload service: the BFF and a real upload app in
 * this process, a TCP proxy between them that can freeze (a hung process, a partition) or cut (the
 * process dies). Clients are raw sockets that, like browsers, read the answer only after sending their
 * whole body.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { photoCatalogue } from '@photos/contracts';
import { createMemoryBus, MemoryBroker, type EventBus } from '@photos/event-bus';
import { createFsObjectStore, type ObjectStore } from '@photos/object-store';
import { createTokenSigner, loadConfig, type ServiceApp } from '@photos/service-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSqlAccountStore } from '../../services/bff/src/adapters/account-store-sql.js';
import { memoryLoginThrottle } from '../../services/bff/src/adapters/login-throttle.js';
import { createSqlClient, type SqlClient } from '../../services/bff/src/adapters/sql-client.js';
import { buildBffApp } from '../../services/bff/src/app.js';
import { bffConfigSchema } from '../../services/bff/src/config.js';
import { buildUploadApp } from '../../services/upload/src/app.js';
import { uploadConfigSchema } from '../../services/upload/src/config.js';
import { pngDeclaring } from '../../services/upload/src/test-support/bad-inputs.js';
import { closingDelimiter, filePart, partHead, postHead, rawExchange, type RawResponse } from '../../services/upload/src/test-support/raw-http.js';

const JWT_SECRET = 'hop-test-secret-0123456789-0123456789-0123';
const sign = createTokenSigner({ secret: JWT_SECRET, issuer: 'photo-platform', audience: 'photo-platform', expiresInSeconds: 600 });
const token = sign({ sub: 'alice' });
const auth = { Authorization: `Bearer ${token}` };
const png = (extra = 32) => Buffer.concat([pngDeclaring(64, 48), randomBytes(extra)]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP proxy that can freeze (stop moving bytes, keep the connections) or cut (drop them all). */
async function startProxy(target: number): Promise<{ port: number; freeze(): void; cut(): void; close(): Promise<void> }> {
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    const upstream = createConnection(target, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    for (const socket of pair) {
      socket.on('error', () => undefined);
      socket.on('close', () => {
        pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    freeze() {
      for (const [client, upstream] of pairs) {
        client.unpipe();
        upstream.unpipe();
        client.pause();
        upstream.pause();
      }
    },
    cut() {
      for (const [client, upstream] of pairs) {
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [client, upstream] of pairs) {
          client.destroy();
          upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

function expectProblem(response: RawResponse | undefined, statuses: number[]) {
  expect(response, 'an answer').toBeDefined();
  expect(statuses).toContain(response!.status);
  expect(response!.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(JSON.parse(response!.body)).toMatchObject({ status: response!.status });
}

describe('uploads through the BFF', () => {
  let dir: string;
  let db: SqlClient;
  let originals: ObjectStore;
  let uploadBus: EventBus;
  let bffBus: EventBus;
  let upload: ServiceApp;
  let bff: ServiceApp;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let bffPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upload-hop-'));
    db = await createSqlClient({ dataDir: dir });
  });

  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start() {
    originals = createFsObjectStore({ root: join(dir, `originals-${randomBytes(4).toString('hex')}`) });
    await originals.ensureBucket();
    uploadBus = createMemoryBus({ broker: new MemoryBroker(), catalogue: photoCatalogue });
    const uploadConfig = loadConfig(uploadConfigSchema, { JWT_SECRET, LOG_LEVEL: 'silent', OUTBOX_INTERVAL_MS: '600000' });
    upload = await buildUploadApp({ config: uploadConfig, originals, bus: uploadBus });
    proxy = await startProxy(Number(new URL(await upload.listen({ port: 0, host: '127.0.0.1' })).port));
    const config = loadConfig(bffConfigSchema, {
      JWT_SECRET,
      LOG_LEVEL: 'silent',
      DATA_DIR: dir,
      METADATA_URL: 'http://127.0.0.1:1',
      UPLOAD_URL: `http://127.0.0.1:${proxy.port}`,
      UPLOAD_STALL_TIMEOUT_MS: '1000',
      WEB_DIST_DIR: join(dir, 'no-web'),
    });
    bffBus = createMemoryBus({ broker: new MemoryBroker(), catalogue: photoCatalogue });
    bff = await buildBffApp({
      config,
      accountStore: await createSqlAccountStore(db),
      loginThrottle: memoryLoginThrottle(),
      originals: createFsObjectStore({ root: join(dir, 'bff-originals') }),
      variants: createFsObjectStore({ root: join(dir, 'bff-variants') }),
      bus: bffBus,
    });
    bffPort = Number(new URL(await bff.listen({ port: 0, host: '127.0.0.1' })).port);
  }

  afterEach(async () => {
    await bff?.close();
    await proxy?.close();
    await upload?.close();
    await uploadBus?.close();
    await bffBus?.close();
  });

  /** POST /api/photos through the BFF with exactly `body`, sent whole before the answer is read. */
  async function postThroughBff(headers: Record<string, string>, ...body: (Buffer | string)[]) {
    const bytes = Buffer.concat(body.map((piece) => Buffer.from(piece)));
    const exchange = rawExchange(bffPort);
    await exchange.write(Buffer.concat([Buffer.from(postHead('/api/photos', headers, bytes.length)), bytes]));
    const response = await exchange.response;
    exchange.socket.destroy();
    return response;
  }

  const multipart = { ...auth, 'Content-Type': 'multipart/form-data; boundary=X' };

  it('answers bodies that are not uploads, or malformed ones, with the 4xx problem, never a 502', async () => {
    await start();
    expectProblem(await postThroughBff({ ...auth, 'Content-Type': 'application/json' }, '{"file":"a.png"}'), [415]);
    expectProblem(await postThroughBff({ ...auth, 'Content-Type': 'text/plain' }, 'a photo, honest'), [415]);
    const noBoundary = { ...auth, 'Content-Type': 'multipart/form-data' };
    expectProblem(await postThroughBff(noBoundary, filePart('X', 'a.png', png()), closingDelimiter('X')), [400]);
    expectProblem(await postThroughBff(multipart, filePart('X', 'a.png', png())), [400]);
    expectProblem(await postThroughBff(multipart, partHead('X', 'file', 'a.png'), png().subarray(0, 40)), [400]);
    expectProblem(await postThroughBff(multipart, partHead('X', 'file', 'a.jpg'), 'hello, not an image at all\r\n'), [415, 400]);
    // A refused first part with 4 MiB behind it: the upload service answers early, both hops read off the rest.
    const refusedFirst = [filePart('X', 'a.txt', Buffer.from('text')), filePart('X', 'b.png', png(4 * 1024 * 1024)), closingDelimiter('X')];
    expectProblem(await postThroughBff(multipart, ...refusedFirst), [415]);
    await expect.poll(() => originals.list('')).toEqual([]);

    const form = new FormData();
    form.append('file', new Blob([png()], { type: 'image/png' }), 'good.png');
    const good = await fetch(`http://127.0.0.1:${bffPort}/api/photos`, { method: 'POST', body: form, headers: auth });
    expect(good.status).toBe(202);
  });

  /** Starts a 6 MiB upload through the BFF, sends 1 MiB, lets `fault` happen, then sends the rest. */
  async function uploadWhile(fault: () => void): Promise<RawResponse | undefined> {
    const file = png(6 * 1024 * 1024);
    const body = Buffer.concat([filePart('X', 'big.png', file), Buffer.from(closingDelimiter('X'))]);
    const exchange = rawExchange(bffPort);
    await exchange.write(postHead('/api/photos', multipart, body.length));
    const step = 64 * 1024;
    let sent = 0;
    for (; sent < 1024 * 1024; sent += step) await exchange.write(body.subarray(sent, sent + step));
    await sleep(100);
    fault();
    for (; sent < body.length; sent += step) {
      if (!(await exchange.write(body.subarray(sent, sent + step)))) break;
    }
    const response = await exchange.response;
    exchange.socket.destroy();
    return response;
  }

  it('answers 502 at once when the upload service dies mid-upload, and keeps nothing', async () => {
    await start();
    expectProblem(await uploadWhile(() => proxy.cut()), [502]);
    await expect.poll(() => originals.list('')).toEqual([]);
  }, 20_000);

  it('answers 504 within the stall timeout when the upload service hangs mid-upload', async () => {
    await start();
    // Without the stall watch the BFF waits on the frozen connection for minutes: this test times out.
    expectProblem(await uploadWhile(() => proxy.freeze()), [504]);
    expect((await fetch(`http://127.0.0.1:${bffPort}/health/live`)).status).toBe(200);
  }, 20_000);

  it('aborts the hop when the client goes away mid-upload: the upload service keeps nothing', async () => {
    await start();
    const exchange = rawExchange(bffPort);
    await exchange.write(postHead('/api/photos', multipart, 4 * 1024 * 1024));
    await exchange.write(Buffer.concat([Buffer.from(partHead('X', 'file', 'big.png')), png(512 * 1024)]));
    await expect.poll(() => originals.list('')).not.toEqual([]); // the upload service has started storing
    exchange.socket.destroy();
    await expect.poll(() => originals.list('')).toEqual([]);
    expect((await fetch(`http://127.0.0.1:${bffPort}/health/live`)).status).toBe(200);
  }, 20_000);
});
