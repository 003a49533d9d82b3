import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Raised by ByteMeter when more than `maxBytes` pass through it. */
export class ByteLimitExceeded extends Error {
  override readonly name = 'ByteLimitExceeded';
  constructor(readonly maxBytes: number) {
    super(`the file is larger than ${maxBytes} bytes`);
  }
}

/**
 * Passes bytes through while hashing them (SHA-256) and counting them; fails the stream as soon as the
 * count passes `maxBytes`, so an oversized upload is stopped while streaming, not after.
 */
export class ByteMeter extends Transform {
  private readonly hash = createHash('sha256');
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
    this.hash.update(chunk);
    callback(null, chunk);
  }

  /** The hex SHA-256 of everything that passed; call once the stream has ended. */
  digest(): string {
    return this.hash.digest('hex');
  }
}
