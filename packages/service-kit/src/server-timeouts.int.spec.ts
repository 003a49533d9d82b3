import { request as httpRequest, Agent } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { serverTimeouts } from './server-timeouts.js';
import { createServiceApp, type ServiceApp } from './service-app.js';

let app: ServiceApp;
let release!: () => void;
let arrived!: () => void;

afterEach(async () => {
  await app?.close();
});

async function listen(timeouts = { HTTP_HEADERS_TIMEOUT_MS: 1_000, HTTP_REQUEST_TIMEOUT_MS: 1_500, HTTP_KEEP_ALIVE_TIMEOUT_MS: 60_000 }) {
  app = await createServiceApp({ name: 'test', logLevel: 'silent', server: serverTimeouts(timeouts) });
  app.post('/echo', async (request) => ({ got: request.body }));
  const released = new Promise<void>((resolve) => (release = resolve));
  app.get('/slow', async () => {
    arrived();
    await released;
    return { done: true };
  });
  return Number(new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port);
}

/** Writes `bytes` (and nothing more) and collects everything the server sends until it closes. */
function exchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received));
  });
}

function problemIn(raw: string): { status: number; detail: string } {
  expect(raw).toMatch(/^HTTP\/1\.1 \d{3} /);
  expect(raw).toMatch(/content-type: application\/problem\+json/i);
  // Answered before Fastify (no hook, no helmet): the security headers are written with the problem.
  expect(raw).toMatch(/\r\nx-content-type-options: nosniff\r\n/i);
  expect(raw).toMatch(/\r\ncontent-security-policy: default-src 'none'/i);
  return JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { status: number; detail: string };
}

describe('HTTP server timeouts and unreadable requests', () => {
  it('answers headers that never end with a 408 problem and closes the connection', async () => {
    const port = await listen();
    const raw = await exchange(port, 'POST /echo HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(problemIn(raw)).toMatchObject({ status: 408, detail: expect.stringMatching(/did not arrive in time/) });
  });

  it('answers a body that never ends with a 408 problem and closes the connection', async () => {
    const port = await listen();
    const head = 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n';
    const raw = await exchange(port, `${head}{"a":`);
    expect(problemIn(raw)).toMatchObject({ status: 408 });
  });

  it('answers malformed HTTP with a 400 problem and oversized headers with a 431 problem', async () => {
    const port = await listen();
    const badChunk = await exchange(port, 'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
    expect(problemIn(badChunk)).toMatchObject({ status: 400 });
    const bigHeader = await exchange(port, `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);
    expect(problemIn(bigHeader)).toMatchObject({ status: 431 });
  });

  it('closes a keep-alive connection after a reply sent while closing, so the close does not wait for the keep-alive timeout', async () => {
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const port = await listen();
    const agent = new Agent({ keepAlive: true });
    const response = new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      httpRequest({ port, host: '127.0.0.1', path: '/slow', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
      })
        .on('error', reject)
        .end();
    });
    await arrival;
    const closed = app.close();
    await new Promise((resolve) => setTimeout(resolve, 100)); // the close has begun
    release();
    expect(await response).toEqual({ status: 200, connection: 'close' });
    // The keep-alive timeout is 60 s: without the close, this waits that long and the test times out.
    await closed;
    agent.destroy();
  }, 10_000);
});
