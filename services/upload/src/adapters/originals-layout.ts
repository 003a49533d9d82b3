import { createHash } from 'node:crypto';

// 13 digits of milliseconds since 1970 sort as numbers until the year 2286.
const sortableTime = (ms: number) => String(Math.max(0, Math.floor(Number.isFinite(ms) ? ms : 0))).padStart(13, '0');
const ENTRY_KEY = /^[a-z]+\/(?:(\d{13})-)?([^/]+)\.json$/;

/**
 * The keys of the originals bucket: the one place they are built. Other services never rebuild them:
 * `photo.uploaded` carries the original's key, and metadata keeps it. Keys are made of ids and hashes
 * only, never of a client's file name. Outbox entries start with a time, so a listing is oldest first
 * and tells their age without reading them.
 */
export const originalsLayout = {
  original: (photoId: string) => `originals/${photoId}`,
  /** Present once the upload is committed; holds its `photo.uploaded`. */
  record: (photoId: string) => `records/${photoId}.json`,
  /**
   * The dedupe claim: one per (owner, content) pair, created only if absent. The owner id is hashed:
   * it may hold any character.
   */
  claim: (ownerId: string, sha256: string) => `checksums/${createHash('sha256').update(ownerId).digest('hex').slice(0, 32)}/${sha256}`,
  /** An upload's outbox entry: written first, removed once its event reached the broker. */
  entry: (startedAt: Date, photoId: string) => `outbox/${sortableTime(startedAt.getTime())}-${photoId}.json`,
  entriesPrefix: 'outbox/',
  /**
   * Where older releases kept an upload's intent (removed at commit; their event had its own entry in
   * `outbox/`, named by the event's id). Still read, so that a bucket they wrote is settled.
   */
  legacyIntentsPrefix: 'intents/',
  /** The id and time (ms) an entry's key holds; the time is undefined for keys of older releases (`outbox/<id>.json`). */
  parseEntry(key: string): { id: string; writtenAt: number | undefined } | undefined {
    const match = ENTRY_KEY.exec(key);
    return match ? { id: match[2]!, writtenAt: match[1] === undefined ? undefined : Number(match[1]) } : undefined;
  },
};
