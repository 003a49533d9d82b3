import { pipeline, type Readable } from 'node:stream';
import type { EventContext, PhotoUploaded } from '@photos/contracts';
import { photoCatalogue } from '@photos/contracts';
import type { ObjectStore } from '@photos/object-store';
import { bucketLayout } from './bucket-layout.js';
import { ByteLimitExceeded, ByteMeter } from './byte-meter.js';
import { judgeHeader } from './header-prefix.js';
import { unsupportedTypeMessage } from './image-header.js';
import { PhotoClaims } from './photo-claim.js';
import { rollBackUpload } from './roll-back-upload.js';
import { putJson } from './stored-json.js';
import type { StoredOriginal } from './stored-original.js';
import type { UploadIntent } from './upload-intent.js';
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
 * One file stored but not committed yet: its intent, original and (unless `claimed` is false) its
 * dedupe claim exist; its record and outbox entry do not.
 */
export interface StagedOriginal {
  record: StoredOriginal;
  /** The `photo.uploaded` this photo will be announced with; the claim holds it too. */
  event: PhotoUploaded;
  intentKey: string;
  claimKey: string;
  /** False when another photo already held the claim for these bytes (see `commitUpload`). */
  claimed: boolean;
}

/**
 * Stages one file: judge the header first (type from magic bytes, pixel limit), with no side effect;
 * then write the upload's intent, stream the original while hashing and counting (byte limit), and
 * try to claim (owner, SHA-256) with the photo's `photo.uploaded`. A refused file leaves nothing
 * behind. On any failure what was written is rolled back (best effort: the sweep finishes the job
 * from the intent if the store fails again).
 */
export async function stageOriginal(
  file: { stream: Readable; filename: string },
  ownerId: string,
  context: Omit<EventContext, 'id' | 'time'>,
  deps: OriginalsDeps,
): Promise<StagedOriginal> {
  const { originals, limits } = deps;
  const filename = cleanFilename(file.filename);
  const { verdict, body, sampledBytes } = await judgeHeader(file.stream, { maxPixels: limits.maxPixels, maxPrefixBytes: limits.maxHeaderBytes });
  if (verdict.kind !== 'image') {
    body.resume(); // drain the rest of this part so the request can be answered cleanly
    if (verdict.kind === 'too-many-pixels') {
      throw new UploadRejected('too-many-pixels', `${filename} is ${verdict.width}x${verdict.height} pixels; the limit is ${limits.maxPixels} pixels.`, filename);
    }
    if (sampledBytes === 0) throw new UploadRejected('empty-file', `${filename} is empty.`, filename);
    throw new UploadRejected('unsupported-type', unsupportedTypeMessage(filename, verdict), filename);
  }

  const photoId = deps.newId();
  const startedAt = deps.now();
  const intentKey = bucketLayout.intent(startedAt, photoId);
  try {
    await putJson(originals, intentKey, { photoId, ownerId, startedAt: startedAt.toISOString() } satisfies UploadIntent);
  } catch (error) {
    body.resume();
    throw error;
  }

  const objectKey = bucketLayout.original(photoId);
  const meter = new ByteMeter(limits.maxBytes);
  const metered = pipeline(body, meter, () => undefined);
  try {
    await originals.put(objectKey, metered, { contentType: verdict.contentType, metadata: { 'photo-id': photoId } });
  } catch (error) {
    // A put that failed on the store's side may still have landed (an answer lost on the way back).
    await originals
      .delete(objectKey)
      .then(() => originals.delete(intentKey))
      .catch(() => undefined);
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
  const event = photoCatalogue.create('photo.uploaded', photoId, record, { ...context, id: deps.newId(), time: deps.now() });
  const claimKey = bucketLayout.claim(ownerId, record.sha256);
  try {
    const claimed = await new PhotoClaims(originals).take(claimKey, event);
    return { record, event, intentKey, claimKey, claimed };
  } catch (error) {
    // The claim may have been written before the error: the rollback looks.
    await rollBackUpload(originals, { photoId, ownerId, intentKey, claimKey }).catch(() => undefined);
    throw error;
  }
}
