import { Transform, type TransformCallback } from 'node:stream';

/** Raised by ByteMeter when more than `maxBytes` pass through it. */
export class ByteLimitExceeded extends Error {
  override readonly name = 'ByteLimitExceeded';
  constructor(readonly maxBytes: number) {
    super(`the file is larger than ${maxBytes} bytes`);
  }
}

/**
 * Passes bytes through while counting them; fails the stream as soon as the count passes `maxBytes`, so
 * an oversized upload is stopped while streaming, not after. (It does not hash: the object store
 * answers the SHA-256 of what it stored, which it computes anyway to sign the write.)
 */
export class ByteMeter extends Transform {
  bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(new ByteLimitExceeded(this.maxBytes));
      return;
    }
    callback(null, chunk);
  }
}
