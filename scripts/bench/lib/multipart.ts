/**
 * POST one file as multipart/form-data (part "file") over node:http, the body streamed with
 * backpressure and a Content-Length known up front, so a 1 GiB body never sits in the client's memory.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

export interface FilePart {
  name: string;
  /** Total bytes `chunks` will yield. */
  size: number;
  chunks: () => Iterable<Buffer> | AsyncIterable<Buffer>;
}

/** `bytes` as 64 KiB chunks, as a socket would deliver them. */
export function* chunked(bytes: Buffer, size = 64 * 1024): Generator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

export async function postMultipart(url: string, token: string, file: FilePart): Promise<{ status: number; body: string }> {
  const boundary = `----bench${randomUUID().replaceAll('-', '')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const req = request(url, {
    method: 'POST',
    agent,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': head.length + file.size + tail.length,
    },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.once('error', reject);
    });
    req.once('error', reject);
  });
  const body = async function* () {
    yield head;
    yield* file.chunks();
    yield tail;
  };
  await Promise.all([pipeline(Readable.from(body(), { objectMode: false }), req), response]);
  return response;
}
