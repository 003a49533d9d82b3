import type { Client } from 'minio';

/** Where and how `putChunks` writes. */
export interface S3PutTarget {
  client: Client;
  bucket: string;
  key: string;
  /** Content-Type and x-amz-meta-* headers. */
  headers: Record<string, string>;
  /** Bytes per multipart part (>= 5 MiB, S3's minimum); also the largest body sent as one PUT. */
  partSize: number;
}

/**
 * One multipart upload with at most one part in flight. The caller waits for `ready()` before it
 * assembles the next part, which bounds memory to two parts however long the body is.
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

const joined = (parts: Buffer[], bytes: number): Buffer => (parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes));

/**
 * Writes the chunks to one object and returns the byte count. A body that fits in one part goes as a
 * single PUT; a longer one as a multipart upload, aborted if the body or S3 fails, so neither an
 * object nor an open upload is left behind. (minio's own putObject sizes parts for the 5 TiB worst case
 * when the length is unknown, buffering up to 528 MiB, and neither catches body errors nor aborts.)
 */
export async function putChunks(target: S3PutTarget, chunks: AsyncIterable<Buffer>): Promise<number> {
  const { client, bucket, key, headers, partSize } = target;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let total = 0;
  let upload: MultipartUpload | undefined;
  try {
    for await (let chunk of chunks) {
      total += chunk.length;
      // Cut a part only when more than a part is pending, so the last part is never empty.
      while (pendingBytes + chunk.length > partSize) {
        const take = partSize - pendingBytes;
        pending.push(chunk.subarray(0, take));
        chunk = chunk.subarray(take);
        upload ??= await MultipartUpload.start(target);
        await upload.ready();
        upload.send(joined(pending, partSize));
        pending = [];
        pendingBytes = 0;
      }
      if (chunk.length > 0) {
        pending.push(chunk);
        pendingBytes += chunk.length;
      }
    }
    if (!upload) {
      await client.putObject(bucket, key, joined(pending, pendingBytes), pendingBytes, { ...headers });
      return total;
    }
    await upload.ready();
    upload.send(joined(pending, pendingBytes));
    await upload.complete();
    return total;
  } catch (error) {
    await upload?.abort();
    throw error;
  }
}
