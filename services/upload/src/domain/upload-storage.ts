import type { Readable } from 'node:stream';
import type { CloudEvent, PhotoUploaded } from '@photos/contracts';
import type { StoredOriginal } from './stored-original.js';

/** The dedupe key of an original: its owner and the SHA-256 of its bytes. */
export interface ContentId {
  ownerId: string;
  sha256: string;
}

/**
 * What an upload's outbox entry says. The entry is written before the upload has any other side effect
 * and stays until its `photo.uploaded` reached the broker: while the upload runs it is the upload's
 * intent (a crash leaves it, and the sweep rolls the upload back from it); once the record is there, it
 * is the event waiting in the outbox (the relay publishes the record's event, then removes it).
 */
export interface UploadStarted {
  photoId: string;
  ownerId: string;
  startedAt: string;
}

/** An outbox entry as listed, oldest first. */
export interface OutboxEntry {
  key: string;
  /** The photo id its key names (an event id for entries of older releases, which hold a whole event). */
  id: string;
  /** When it was written (ms since 1970); undefined for keys of older releases without a time. */
  writtenAt: number | undefined;
}

/**
 * A dedupe claim: the photo that won it and its whole `photo.uploaded`, so that whoever finds an
 * unfinished upload behind a claim can commit it. Claims of older releases hold only the photo id.
 */
export type Claim = { photoId: string; event: PhotoUploaded } | { photoId: string; event: undefined };

/** A committed photo's record: its `photo.uploaded` (records of older releases hold only the original's description). */
export interface PhotoRecord {
  original: StoredOriginal;
  event: PhotoUploaded | undefined;
}

/**
 * Where the upload service keeps originals, outbox entries, dedupe claims and records (one bucket; see
 * `adapters/originals-bucket.ts` for the keys). Every method is one storage round trip unless it says
 * otherwise. Reads answer undefined only for "there is none": a storage error rejects, so an outage is
 * never taken for an absence.
 */
export interface UploadStorage {
  /** Writes the outbox entry of an upload about to start; resolves with its key. */
  addEntry(upload: UploadStarted): Promise<string>;
  /** Outbox entries, oldest first (one listing per prefix the bucket has had). */
  entries(): Promise<OutboxEntry[]>;
  /** The entry at `key`: an upload's, or (older releases) a whole event. */
  readEntry(key: string): Promise<UploadStarted | CloudEvent | undefined>;
  /** Removes an entry; a missing one is fine. */
  removeEntry(key: string): Promise<void>;
  /** Removes entries, in one round trip for up to 1000 of them; missing ones are fine. */
  removeEntries(keys: readonly string[]): Promise<void>;

  /**
   * Streams an original in; resolves with its object key and the SHA-256 (hex) of its bytes once it is
   * durable (the store hashes what it writes: the dedupe key costs no second pass). If `body` fails,
   * nothing is left and the promise rejects with that error.
   */
  putOriginal(photoId: string, body: Readable, contentType: string): Promise<{ key: string; sha256: string }>;
  hasOriginal(photoId: string): Promise<boolean>;
  /** The SHA-256 (hex) of the stored original, undefined when there is none (reads the whole object). */
  digestOfOriginal(photoId: string): Promise<string | undefined>;
  deleteOriginal(photoId: string): Promise<void>;

  /** Creates the claim of `content` for the photo of `event`, atomically; false when another photo holds it. */
  takeClaim(content: ContentId, event: PhotoUploaded): Promise<boolean>;
  readClaim(content: ContentId): Promise<Claim | undefined>;
  deleteClaim(content: ContentId): Promise<void>;

  /** Commits an upload: writes its record, holding its event. Writing the same event twice is harmless. */
  writeRecord(event: PhotoUploaded): Promise<void>;
  readRecord(photoId: string): Promise<PhotoRecord | undefined>;
  deleteRecord(photoId: string): Promise<void>;
}

/** True for an entry holding an upload (as this release writes them), false for an older release's whole event. */
export const isUploadEntry = (entry: UploadStarted | CloudEvent): entry is UploadStarted => !('specversion' in entry);
