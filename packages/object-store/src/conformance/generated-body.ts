import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

const CHUNK_BYTES = 64 * 1024;

/** A body made on the fly, and what it will have been once read. */
export interface GeneratedBody {
  stream: Readable;
  /** Hex sha256 of every byte the stream produced so far. */
  sha256(): string;
}

/**
 * `bytes` of varied data in fresh 64 KiB chunks: every chunk is new memory, so a store that held on to
 * chunks would show it in memory use. With `failWith`, the stream errors with it after `failAfter` bytes,
 * as an upload does when its byte limit is hit.
 */
export function generatedBody(bytes: number, options: { failAfter?: number; failWith?: Error; onChunk?: () => void } = {}): GeneratedBody {
  const template = randomBytes(CHUNK_BYTES);
  const hash = createHash('sha256');
  const limit = options.failWith ? (options.failAfter ?? 0) : bytes;
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let sent = 0, index = 0; sent < limit; index++) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, limit - sent));
      template.copy(chunk);
      if (chunk.length >= 4) chunk.writeUInt32LE(index);
      hash.update(chunk);
      sent += chunk.length;
      options.onChunk?.();
      yield chunk;
    }
    if (options.failWith) throw options.failWith;
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), sha256: () => hash.copy().digest('hex') };
}

/** Reads a stream to its end and returns the hex sha256 and length of what came out. */
export async function digestOf(stream: AsyncIterable<Buffer>): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Reads a small stream into memory. */
export async function bytesOf(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}
