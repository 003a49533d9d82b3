/** Judging a file by its first bytes: how much is read, what the verdict is, and that the body given back is the whole file. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { judgeHeader } from './header-prefix.js';

/** A JPEG whose size (64x48) comes after a 10,000-byte APP1 segment (as EXIF and ICC segments come first), then `rest`. */
function jpegAfterApp1(rest: Buffer): Buffer {
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, 0x27, 0x10]), Buffer.alloc(10_000 - 2, 0x41)]);
  const sof0 = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x30, 0x00, 0x40, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app1, sof0, rest]);
}

/** `bytes` in chunks of `size`, as a request body arrives. */
const chunked = (bytes: Buffer, size = 1024) =>
  Readable.from(Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)));

async function bytesOf(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('judgeHeader', () => {
  it('reads until the header is judged, no further, and gives back the whole file, prefix included', async () => {
    const file = jpegAfterApp1(Buffer.alloc(50_000, 0x42));
    const { verdict, body, sampledBytes } = await judgeHeader(chunked(file), { maxPixels: 10_000, maxFrames: 1000, maxPrefixBytes: 64 * 1024 });
    expect(verdict).toMatchObject({ kind: 'image', contentType: 'image/jpeg', width: 64, height: 48 });
    expect(sampledBytes).toBe(10 * 1024);
    expect(body.readableObjectMode).toBe(false);
    expect((await bytesOf(body)).equals(file)).toBe(true);
  });

  it('judges what it has read once the prefix limit is reached, reading exactly up to it', async () => {
    const file = jpegAfterApp1(Buffer.alloc(1000));
    const { verdict, body, sampledBytes } = await judgeHeader(chunked(file), { maxPixels: 10_000, maxFrames: 1000, maxPrefixBytes: 4096 });
    expect(verdict.kind).toBe('unsupported');
    expect(sampledBytes).toBe(4096);
    expect((await bytesOf(body)).equals(file)).toBe(true);
  });

  it('judges a file shorter than its header as it is, once the stream ends', async () => {
    const file = jpegAfterApp1(Buffer.alloc(0)).subarray(0, 3000);
    const { verdict, body, sampledBytes } = await judgeHeader(chunked(file), { maxPixels: 10_000, maxFrames: 1000, maxPrefixBytes: 64 * 1024 });
    expect([verdict.kind, sampledBytes]).toEqual(['unsupported', 3000]);
    expect((await bytesOf(body)).equals(file)).toBe(true);
  });

  it('judges an empty stream, whose body is empty', async () => {
    const { verdict, body, sampledBytes } = await judgeHeader(Readable.from([]), { maxPixels: 10_000, maxFrames: 1000, maxPrefixBytes: 4096 });
    expect([verdict.kind, sampledBytes]).toEqual(['unsupported', 0]);
    expect((await bytesOf(body)).length).toBe(0);
  });

  it('does not crash the process when a refused file’s source fails after the verdict', async () => {
    const failing = Readable.from(
      (async function* () {
        yield Buffer.from('not an image at all');
        await new Promise((resolve) => setTimeout(resolve, 10));
        throw new Error('the request broke off');
      })(),
    );
    const { verdict, body } = await judgeHeader(failing, { maxPixels: 10_000, maxFrames: 1000, maxPrefixBytes: 4096 });
    expect(verdict.kind).toBe('unsupported');
    body.resume();
    await new Promise((resolve) => body.once('close', resolve));
  });
});
