import type { Readable } from 'node:stream';

/**
 * The whole of a stream of bytes, as one buffer. Collected from 'data' events rather than `for await`,
 * which costs a promise and an iterator result per chunk (an original is read in 64 KiB chunks).
 * @throws the stream's own error.
 */
export function readAll(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    stream.on('data', (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(buffer);
      bytes += buffer.length;
    });
    stream.once('error', reject);
    stream.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes)));
  });
}
