import type { Readable } from 'node:stream';

/** The body of a put as a sequence of byte chunks, pulled one at a time (backpressure for free). */
export async function* chunksOf(body: Readable | Buffer): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(body)) {
    yield body;
    return;
  }
  for await (const chunk of body as AsyncIterable<unknown>) {
    if (Buffer.isBuffer(chunk)) yield chunk;
    else if (chunk instanceof Uint8Array) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    else throw new TypeError('put body must yield bytes (Buffer or Uint8Array), not strings or objects');
  }
}
