import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { photoCatalogue } from '@photos/contracts';
import { createMemoryBus, MemoryBroker } from '@photos/event-bus';
import { createFsObjectStore } from '@photos/object-store';
import { createTokenSigner, loadConfig } from '@photos/service-kit';
import { describe, expect, it } from 'vitest';
import { buildUploadApp } from '../app.js';
import { uploadConfigSchema } from '../config.js';
import { pngDeclaring } from '../test-support/bad-inputs.js';
import { closingDelimiter, partHead, postHead, rawExchange, type RawResponse } from '../test-support/raw-http.js';

const JWT_SECRET = 'upload-test-secret-0123456789-0123456789';
const sign = createTokenSigner({ secret: JWT_SECRET, issuer: 'photo-platform', audience: 'photo-platform', expiresInSeconds: 600 });
const token = sign({ sub: 'fuzz' });
const REQUESTS = 300;
const CONCURRENCY = 8;

/** mulberry32: a small seeded PRNG, so a failing run can be replayed from its seed. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number) => Math.floor(next() * below);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  return { next, int, pick, bytes };
}
type Random = ReturnType<typeof prng>;

/** One generated request: its bytes, and whether the client hangs up mid-body instead of finishing. */
interface Case {
  describe: string;
  head: string;
  body: Buffer;
  abortAfter?: number;
}

const CONTENT_TYPES = [
  'application/json',
  'text/plain',
  'application/octet-stream',
  'image/png',
  'multipart/mixed; boundary=B',
  'application/x-www-form-urlencoded',
];
const DEFECTS = ['truncated', 'no-closing', 'garbled-closing', 'garbled-boundary', 'content-type', 'no-boundary', 'abort', 'chunked', 'refused-first'] as const;
const CRLF = Buffer.from('\r\n');

function part(random: Random, boundary: string): Buffer {
  const head = (name: string, type?: string) => Buffer.from(partHead(boundary, 'file', name, type));
  switch (random.int(5)) {
    case 0: {
      const image = pngDeclaring(1 + random.int(500), 1 + random.int(500));
      return Buffer.concat([head('p.png', 'image/png'), image, random.bytes(random.int(64)), CRLF]);
    }
    case 1:
      return Buffer.concat([head('t.jpg'), Buffer.from('not an image '), random.bytes(random.int(2048)), CRLF]);
    case 2:
      return Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="f${random.int(20)}"\r\n\r\n${'v'.repeat(random.int(99))}\r\n`);
    case 3: // garbage where the part headers should be
      return Buffer.concat([Buffer.from(`--${boundary}\r\n`), random.bytes(random.int(300)), CRLF, CRLF, random.bytes(random.int(300)), CRLF]);
    default: // a header line far beyond the parser's header limit
      return Buffer.concat([
        Buffer.from(`--${boundary}\r\nX-Junk: ${'j'.repeat(10_000 + random.int(150_000))}\r\n`),
        Buffer.from(partHead(boundary, 'file', 'h.png').slice(boundary.length + 4)),
        pngDeclaring(10, 10),
        CRLF,
      ]);
  }
}

/**
 * A malformed upload. Every one carries at least one fatal defect, so none may be stored whatever the
 * parts are: cut short, no or a garbled closing delimiter, a wrong or boundary-less Content-Type, a
 * client hanging up, broken chunked framing, or a refused part.
 */
function generate(random: Random): Case {
  const boundary = random.pick(['X', 'b0undary', '----WebKitFormBoundary7MA4YWxkTrZu0gW', `r${random.int(1e9)}`]);
  const parts = Array.from({ length: 1 + random.int(4) }, () => part(random, boundary));
  let contentType = `multipart/form-data; boundary=${boundary}`;
  let closing: Buffer = Buffer.from(closingDelimiter(boundary));
  let abortAfter: number | undefined;
  let chunked = false;
  const defect = random.pick(DEFECTS);
  switch (defect) {
    case 'no-closing':
      closing = Buffer.alloc(0);
      break;
    case 'garbled-closing':
      closing = Buffer.from(random.pick([`--${boundary}-\r\n`, `--${boundary.slice(1)}--\r\n`, `-${boundary}--`, `--${boundary}`]));
      break;
    case 'garbled-boundary':
      contentType = `multipart/form-data; boundary=${random.pick(['', '"', `${boundary}x`, 'B'.repeat(300)])}`;
      break;
    case 'content-type':
      contentType = random.pick(CONTENT_TYPES);
      break;
    case 'no-boundary':
      contentType = random.pick(['multipart/form-data', 'multipart/form-data;', 'multipart/form-data; charset=utf-8']);
      break;
    case 'chunked':
      chunked = true;
      break;
    case 'refused-first':
      parts.unshift(Buffer.concat([Buffer.from(partHead(boundary, 'file', 'first.txt', 'text/plain')), Buffer.from('refused'), CRLF]));
      if (random.int(2) === 0) closing = Buffer.alloc(0);
      break;
  }
  let body = Buffer.concat([...parts, closing]);
  if (defect === 'truncated') body = body.subarray(0, random.int(body.length - closing.length));
  if (defect === 'abort') abortAfter = random.int(body.length);
  const headers: Record<string, string> = { 'Content-Type': contentType };
  if (random.int(20) > 0) headers['Authorization'] = `Bearer ${token}`;
  if (random.int(30) === 0) headers['X-Huge'] = 'h'.repeat(20_000); // beyond Node's header limit: 431
  if (chunked) {
    // Declares more than it sends, or sends a size that is not hex.
    const size = random.int(2) === 0 ? (body.length + 10).toString(16) : 'zz';
    const framed = Buffer.concat([Buffer.from(`${size}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
    return { describe: `${defect} ${contentType}`, head: postHead('/photos', headers, 'chunked'), body: framed };
  }
  if (abortAfter === undefined) return { describe: `${defect} ${contentType}`, head: postHead('/photos', headers, body.length), body };
  return { describe: `${defect} ${contentType}`, head: postHead('/photos', headers, body.length + 1000), body, abortAfter };
}

async function send(port: number, request: Case): Promise<RawResponse | undefined> {
  const exchange = rawExchange(port);
  await exchange.write(request.head);
  if (request.abortAfter !== undefined) {
    await exchange.write(request.body.subarray(0, request.abortAfter));
    await new Promise((resolve) => setTimeout(resolve, 20));
    exchange.socket.destroy();
    return undefined;
  }
  await exchange.write(request.body);
  const response = await Promise.race([exchange.response, new Promise<'silent'>((resolve) => setTimeout(() => resolve('silent'), 10_000))]);
  exchange.socket.destroy();
  if (response === 'silent') throw new Error(`no answer within 10 s to: ${request.describe}`);
  return response;
}

describe('multipart fuzz', () => {
  it(`answers ${REQUESTS} generated malformed uploads with 4xx problems, stores none of them, and stays up`, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 20_251_201);
    const random = prng(seed);
    const dir = mkdtempSync(join(tmpdir(), 'upload-fuzz-'));
    const originals = createFsObjectStore({ root: dir });
    await originals.ensureBucket();
    const bus = createMemoryBus({ broker: new MemoryBroker(), catalogue: photoCatalogue });
    // A client that stops sending (a chunk declared longer than sent) is cut off by the idle timeout.
    const env = {
      JWT_SECRET,
      LOG_LEVEL: process.env.FUZZ_LOG ?? 'silent',
      MAX_FILES_PER_REQUEST: '3',
      OUTBOX_INTERVAL_MS: '600000',
      UPLOAD_IDLE_TIMEOUT_MS: '1000',
    };
    const app = await buildUploadApp({ config: loadConfig(uploadConfigSchema, env), originals, bus });
    try {
      const port = Number(new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port);
      const cases = Array.from({ length: REQUESTS }, () => generate(random));
      const wrong: string[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < cases.length) {
            const request = cases[next++]!;
            const response = await send(port, request);
            if (request.abortAfter !== undefined) continue;
            const problem = response && /^application\/problem\+json/.test(response.headers['content-type'] ?? '');
            if (!response || response.status < 400 || response.status >= 500 || !problem) {
              wrong.push(`${request.describe} -> ${response ? `${response.status} ${response.body.slice(0, 200)}` : 'no answer'}`);
            }
          }
        }),
      );
      expect(wrong, `seed ${seed}`).toEqual([]);

      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
      await expect.poll(() => originals.list(''), { timeout: 10_000 }).toEqual([]);
      const form = new FormData();
      form.append('file', new Blob([Buffer.concat([pngDeclaring(64, 48), randomBytes(32)])], { type: 'image/png' }), 'valid.png');
      const headers = { authorization: `Bearer ${token}` };
      const response = await fetch(`http://127.0.0.1:${port}/photos`, { method: 'POST', body: form, headers });
      expect(response.status).toBe(202);
      const [photo] = ((await response.json()) as { photos: { id: string; sha256: string }[] }).photos;
      const unrelated = async () => (await originals.list('')).filter((key) => !key.includes(photo!.id) && !key.includes(photo!.sha256));
      await expect.poll(unrelated).toEqual([]);
      expect(await originals.list('')).toContain(`originals/${photo!.id}`);
    } finally {
      await app.close();
      await bus.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
