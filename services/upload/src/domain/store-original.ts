import { pipeline, type Readable } from 'node:stream';
import type { EventContext, PhotoUploaded } from '@photos/contracts';
import { photoCatalogue } from '@photos/contracts';
import { ByteLimitExceeded, ByteMeter } from './byte-meter.js';
import { endingAfter } from './ending-after.js';
import { FrameLimitExceeded, FrameMeter } from './frame-count.js';
import { judgeHeader } from './header-prefix.js';
import { unsupportedTypeMessage } from './image-header.js';
import { rollBackUpload } from './roll-back-upload.js';
import type { StoredOriginal } from './stored-original.js';
import { UploadRejected } from './upload-rejected.js';
import type { ContentId, UploadStorage } from './upload-storage.js';

export interface UploadLimits {
  maxBytes: number;
  maxPixels: number;
  /** Frames of an animation or sequence (GIF, APNG, WebP, HEIF); 422 beyond. */
  maxFrames: number;
  /** How much of a file may be read to find its header (JPEG EXIF / ICC segments come first). */
  maxHeaderBytes: number;
}

export interface OriginalsDeps {
  storage: UploadStorage;
  limits: UploadLimits;
  newId: () => string;
  now: () => Date;
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/** Keeps only characters that are safe to show back; the name is data, never a path. */
function cleanFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  return base.replace(CONTROL_CHARACTERS, '').trim().slice(0, 255) || 'photo';
}

/**
 * One file stored but not committed yet: its outbox entry, original and (unless `claimed` is false)
 * its dedupe claim exist; its record does not.
 */
export interface StagedOriginal {
  record: StoredOriginal;
  /** The `photo.uploaded` this photo will be announced with; the claim holds it too. */
  event: PhotoUploaded;
  entryKey: string;
  content: ContentId;
  /** False when another photo already held the claim for these bytes (see `commitUpload`). */
  claimed: boolean;
}

/**
 * Stages one file: judge the header first (type from magic bytes, pixel limit), with no side effect;
 * then write the upload's outbox entry and stream the original while counting (byte limit; the store hashes it),
 * both at once, the original held back from landing until the entry did; then try to claim (owner,
 * SHA-256) with the photo's `photo.uploaded`. A refused file leaves nothing behind. On any failure what
 * was written is rolled back (best effort: the sweep finishes the job from the entry if the store fails
 * again).
 */
export async function stageOriginal(
  file: { stream: Readable; filename: string },
  ownerId: string,
  context: Omit<EventContext, 'id' | 'time'>,
  deps: OriginalsDeps,
): Promise<StagedOriginal> {
  const { storage, limits } = deps;
  const filename = cleanFilename(file.filename);
  const { verdict, body, sampledBytes } = await judgeHeader(file.stream, {
    maxPixels: limits.maxPixels,
    maxFrames: limits.maxFrames,
    maxPrefixBytes: limits.maxHeaderBytes,
  });
  if (verdict.kind !== 'image') {
    body.resume(); // drain the rest of this part so the request can be answered cleanly
    if (verdict.kind === 'too-many-pixels') {
      throw new UploadRejected(
        'too-many-pixels',
        `${filename} is ${verdict.width}x${verdict.height} pixels; the limit is ${limits.maxPixels} pixels.`,
        filename,
      );
    }
    if (verdict.kind === 'too-many-frames') throw tooManyFrames(filename, verdict.frames, limits.maxFrames);
    if (sampledBytes === 0) throw new UploadRejected('empty-file', `${filename} is empty.`, filename);
    throw new UploadRejected('unsupported-type', unsupportedTypeMessage(filename, verdict), filename);
  }

  const photoId = deps.newId();
  const startedAt = deps.now();
  // The entry must be durable before the original is (a crash in between leaves an original nobody
  // finds), but not before it starts: the two travel together and only the original's end waits.
  const entry = storage.addEntry({ photoId, ownerId, startedAt: startedAt.toISOString() });
  entry.catch(() => undefined);
  const meter = new ByteMeter(limits.maxBytes);
  const metered = pipeline(body, meter, new FrameMeter(verdict.contentType, limits.maxFrames), endingAfter(entry), () => undefined);
  // Both settle before anything is cleaned up: a delete must not overtake a write still under way.
  const [stored, written] = await Promise.allSettled([storage.putOriginal(photoId, metered, verdict.contentType), entry]);
  if (stored.status === 'rejected' || written.status === 'rejected') {
    body.resume();
    // A write that failed on the store's side may still have landed (an answer lost on the way back);
    // an entry whose key is unknown (its write failed) is left to the sweep, which rolls it back.
    await storage
      .deleteOriginal(photoId)
      .then(() => (written.status === 'fulfilled' ? storage.removeEntry(written.value) : undefined))
      .catch(() => undefined);
    const error: unknown = stored.status === 'rejected' ? stored.reason : (written as PromiseRejectedResult).reason;
    if (error instanceof ByteLimitExceeded) {
      throw new UploadRejected('too-large', `${filename} is larger than the limit of ${limits.maxBytes} bytes.`, filename);
    }
    if (error instanceof FrameLimitExceeded) throw tooManyFrames(filename, error.frames, limits.maxFrames);
    throw error;
  }
  const { key: objectKey, sha256 } = stored.value;
  const entryKey = written.value;

  const record: StoredOriginal = {
    photoId,
    ownerId,
    objectKey,
    filename,
    contentType: verdict.contentType,
    bytes: meter.bytes,
    sha256,
    width: verdict.width,
    height: verdict.height,
    uploadedAt: deps.now().toISOString(),
  };
  const event = photoCatalogue.create('photo.uploaded', photoId, record, { ...context, id: deps.newId(), time: deps.now() });
  const content = { ownerId, sha256: record.sha256 };
  try {
    const claimed = await storage.takeClaim(content, event);
    return { record, event, entryKey, content, claimed };
  } catch (error) {
    // The claim may have been written before the error: the rollback looks.
    await rollBackUpload(storage, { photoId, ownerId, entryKey, content }).catch(() => undefined);
    throw error;
  }
}

/** `frames` is what was counted when the limit was passed: the file may have more. */
function tooManyFrames(filename: string, frames: number, maxFrames: number): UploadRejected {
  return new UploadRejected('too-many-frames', `${filename} has ${frames} frames or more; the limit is ${maxFrames} frames.`, filename);
}
