import { pipeline, type Readable } from 'node:stream';
import { ObjectNotFound, type ObjectStore } from '@photos/object-store';
import { bucketLayout } from './bucket-layout.js';
import { ByteLimitExceeded, ByteMeter } from './byte-meter.js';
import { judgeHeader } from './header-prefix.js';
import type { StoredOriginal } from './stored-original.js';
import { UploadRejected } from './upload-rejected.js';

export interface UploadLimits {
  maxBytes: number;
  maxPixels: number;
  /** How much of a file may be read to find its header (JPEG EXIF / ICC segments come first). */
  maxHeaderBytes: number;
}

export interface OriginalsDeps {
  originals: ObjectStore;
  limits: UploadLimits;
  newId: () => string;
  now: () => Date;
}

/** Keeps only characters that are safe to show back; the name is data, never a path. */
function cleanFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  return base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255) || 'photo';
}

/**
 * Streams one file into the originals bucket: judge the header first (type from magic bytes, pixel
 * limit), then stream while hashing and counting (byte limit), then dedupe on (owner, SHA-256).
 * A refused file leaves nothing behind. Returns the stored original, or the existing one when the
 * owner already uploaded the same bytes.
 */
export async function storeOriginal(
  file: { stream: Readable; filename: string },
  ownerId: string,
  deps: OriginalsDeps,
): Promise<StoredOriginal & { duplicate: boolean }> {
  const { originals, limits } = deps;
  const filename = cleanFilename(file.filename);
  const { verdict, body, sampledBytes } = await judgeHeader(file.stream, { maxPixels: limits.maxPixels, maxPrefixBytes: limits.maxHeaderBytes });
  if (verdict.kind !== 'image') {
    body.resume(); // drain the rest of this part so the request can be answered cleanly
    if (verdict.kind === 'too-many-pixels') {
      throw new UploadRejected('too-many-pixels', `${filename} is ${verdict.width}x${verdict.height} pixels; the limit is ${limits.maxPixels} pixels.`, filename);
    }
    if (sampledBytes === 0) throw new UploadRejected('empty-file', `${filename} is empty.`, filename);
    const what = verdict.detected ? `a ${verdict.detected.toUpperCase()} file` : 'not an image we can read';
    throw new UploadRejected('unsupported-type', `${filename} is ${what}. Accepted: JPEG, PNG, WebP, AVIF, HEIC/HEIF, GIF, TIFF.`, filename);
  }

  const photoId = deps.newId();
  const objectKey = bucketLayout.original(photoId);
  const meter = new ByteMeter(limits.maxBytes);
  const metered = pipeline(body, meter, () => undefined);
  try {
    await originals.put(objectKey, metered, { contentType: verdict.contentType, metadata: { 'photo-id': photoId } });
  } catch (error) {
    if (error instanceof ByteLimitExceeded) {
      throw new UploadRejected('too-large', `${filename} is larger than the limit of ${limits.maxBytes} bytes.`, filename);
    }
    throw error;
  }

  const record: StoredOriginal = {
    photoId,
    ownerId,
    objectKey,
    filename,
    contentType: verdict.contentType,
    bytes: meter.bytes,
    sha256: meter.digest(),
    width: verdict.width,
    height: verdict.height,
    uploadedAt: deps.now().toISOString(),
  };
  const existing = await findByChecksum(originals, ownerId, record.sha256);
  if (existing) {
    await originals.delete(objectKey);
    return { ...existing, duplicate: true };
  }
  await Promise.all([
    originals.put(bucketLayout.record(photoId), Buffer.from(JSON.stringify(record)), { contentType: 'application/json' }),
    originals.put(bucketLayout.checksum(ownerId, record.sha256), Buffer.from(JSON.stringify(photoId)), { contentType: 'application/json' }),
  ]);
  return { ...record, duplicate: false };
}

async function readJson<T>(originals: ObjectStore, key: string): Promise<T | undefined> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of await originals.get(key)) chunks.push(chunk as Buffer);
  } catch (error) {
    if (error instanceof ObjectNotFound) return undefined;
    throw error;
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
}

/** The original this owner already stored with these bytes, if it still exists. */
async function findByChecksum(originals: ObjectStore, ownerId: string, sha256: string): Promise<StoredOriginal | undefined> {
  const photoId = await readJson<string>(originals, bucketLayout.checksum(ownerId, sha256)).catch(() => undefined);
  return typeof photoId === 'string' ? readStoredOriginal(originals, photoId) : undefined;
}

/** The record of a stored original, if any. */
export function readStoredOriginal(originals: ObjectStore, photoId: string): Promise<StoredOriginal | undefined> {
  return readJson<StoredOriginal>(originals, bucketLayout.record(photoId));
}

/** Forgets an original: bytes, record and dedupe entry. Idempotent. */
export async function removeOriginal(originals: ObjectStore, photoId: string): Promise<void> {
  const record = await readStoredOriginal(originals, photoId);
  if (record) await originals.delete(bucketLayout.checksum(record.ownerId, record.sha256));
  await Promise.all([originals.delete(bucketLayout.original(photoId)), originals.delete(bucketLayout.record(photoId))]);
}
