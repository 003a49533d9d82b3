import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Client } from 'minio';
import { chunksOf } from '../body-chunks.js';

/** Where and how `putBody` writes. */
export interface S3PutTarget {
  client: Client;
  bucket: string;
  key: string;
  /** Content-Type and x-amz-meta-* headers. */
  headers: Record<string, string>;
  /** Bytes per multipart part (>= 5 MiB, S3's minimum); also the largest body sent as one PUT. */
  partSize: number;
  /** The bucket's region, to sign for without asking the server. */
  region: string;
}

/**
 * One multipart upload with at most one part in flight: the caller waits for `ready()` before it
 * sends the next part, and may then reuse the buffer of the part before.
 */
class MultipartUpload {
  private inFlight: Promise<void> = Promise.resolve();
  private readonly etags: { part: number; etag: string }[] = [];

  private constructor(
    private readonly target: S3PutTarget,
    private readonly uploadId: string,
  ) {}

  static async start(target: S3PutTarget): Promise<MultipartUpload> {
    const uploadId = await target.client.initiateNewMultipartUpload(target.bucket, target.key, { ...target.headers });
    return new MultipartUpload(target, uploadId);
  }

  ready(): Promise<void> {
    return this.inFlight;
  }

  send(part: Buffer): void {
    const { client, bucket, key } = this.target;
    const partNumber = this.etags.length + 1;
    this.inFlight = client
      .uploadPart({ bucketName: bucket, objectName: key, uploadID: this.uploadId, partNumber, headers: {} }, part)
      .then(({ etag }) => void this.etags.push({ part: partNumber, etag }));
    // Observed by the next ready() / complete() / abort(); without this a failure while the body is still
    // being read would be reported as an unhandled rejection.
    this.inFlight.catch(() => undefined);
  }

  async complete(): Promise<void> {
    await this.inFlight;
    await this.target.client.completeMultipartUpload(this.target.bucket, this.target.key, this.uploadId, this.etags);
  }

  /** Best effort: the caller rethrows the error that got us here, which matters more than this one. */
  async abort(): Promise<void> {
    await this.inFlight.catch(() => undefined);
    await this.target.client.abortMultipartUpload(this.target.bucket, this.target.key, this.uploadId).catch(() => undefined);
  }
}

/**
 * One PUT of a body held in memory, whose SHA-256 the caller has. Over plain HTTP SigV4 signs that
 * payload hash; over HTTPS the payload is UNSIGNED-PAYLOAD and Content-MD5 guards it. (minio's
 * putObject copies a Buffer into a new one and hashes it with both MD5 and SHA-256 whatever the
 * protocol: on an upload path that is two passes and a copy too many.)
 */
async function putSingle(target: S3PutTarget, bytes: Buffer, sha256: string): Promise<void> {
  const { client, bucket, key, headers, region } = target;
  const signed = client.enableSHA256;
  const res = await client.makeRequestStreamAsync(
    {
      method: 'PUT',
      bucketName: bucket,
      objectName: key,
      headers: { ...headers, 'Content-Length': String(bytes.length), ...(signed ? {} : { 'Content-MD5': createHash('md5').update(bytes).digest('base64') }) },
    },
    bytes,
    signed ? sha256 : '',
    [200],
    region,
  );
  res.resume();
  await finished(res);
}

/**
 * Writes the body to one object and returns its byte count and SHA-256 (hashed as the chunks pass, so
 * a single PUT signs with the same hash). A body that fits in one part goes as a single PUT of exactly
 * its bytes (its chunks gathered, then joined once); a longer one as a multipart upload, aborted if the
 * body or S3 fails, so neither an object nor an open upload is left behind. Parts are filled into two
 * buffers used in turn (one being read into, one in flight), so memory stays at two parts whatever the
 * length; they are allocated only once the body outgrows one part, so small bodies never cost a
 * part-sized allocation (which, per upload, kept the garbage collector busy). (minio's own putObject
 * sizes parts for the 5 TiB worst case when the length is unknown, buffering up to 528 MiB, and neither
 * catches body errors nor aborts.)
 */
export async function putBody(target: S3PutTarget, body: Readable | Buffer): Promise<{ bytes: number; sha256: string }> {
  const { partSize } = target;
  const hash = createHash('sha256');
  if (Buffer.isBuffer(body) && body.length <= partSize) {
    const sha256 = hash.update(body).digest('hex');
    await putSingle(target, body, sha256);
    return { bytes: body.length, sha256 };
  }
  // Until the body outgrows one part: its chunks as they came, not copied.
  const gathered: Buffer[] = [];
  let buffers: Buffer[] | undefined;
  let current = 0;
  let filled = 0;
  let total = 0;
  let upload: MultipartUpload | undefined;
  try {
    for await (const chunk of chunksOf(body)) {
      total += chunk.length;
      hash.update(chunk);
      if (!buffers) {
        if (filled + chunk.length <= partSize) {
          gathered.push(chunk);
          filled += chunk.length;
          continue;
        }
        buffers = [Buffer.allocUnsafeSlow(partSize)];
        Buffer.concat(gathered, filled).copy(buffers[0]!);
        gathered.length = 0;
      }
      for (let offset = 0; offset < chunk.length;) {
        // Ship a full part only once more bytes arrive, so the last part is never empty.
        if (filled === partSize) {
          upload ??= await MultipartUpload.start(target);
          await upload.ready();
          upload.send(buffers[current]!);
          // ready() above means the other buffer's upload has finished: it is free to refill.
          current = 1 - current;
          buffers[current] ??= Buffer.allocUnsafeSlow(partSize);
          filled = 0;
        }
        const copied = chunk.copy(buffers[current]!, filled, offset);
        filled += copied;
        offset += copied;
      }
    }
    const sha256 = hash.digest('hex');
    if (!buffers) {
      await putSingle(target, Buffer.concat(gathered, filled), sha256);
      return { bytes: total, sha256 };
    }
    const last = buffers[current]!.subarray(0, filled);
    upload ??= await MultipartUpload.start(target);
    await upload.ready();
    upload.send(last);
    await upload.complete();
    return { bytes: total, sha256 };
  } catch (error) {
    await upload?.abort();
    throw error;
  }
}
