import { createHash } from 'node:crypto';

// 13 digits of milliseconds since 1970 sort as numbers until the year 2286.
const sortableTime = (ms: number) => String(Math.max(0, Math.floor(Number.isFinite(ms) ? ms : 0))).padStart(13, '0');
const TIMED_KEY = /^[a-z]+\/(\d{13})-[^/]+\.json$/;

/**
 * Where the upload service keeps things in the originals bucket. Keys are built from ids and hashes
 * only, never from a client's file name. Intents and outbox entries start with a time, so a listing
 * is oldest first and tells their age without reading them.
 */
export const bucketLayout = {
  original: (photoId: string) => `originals/${photoId}`,
  /** Present once the upload is committed: its `photo.uploaded` is (or was) in the outbox. */
  record: (photoId: string) => `records/${photoId}.json`,
  /**
   * The dedupe claim: one per (owner, content) pair, created only if absent, holding the whole
   * `photo.uploaded` of the photo that won it. The owner id is hashed: it may hold any character.
   */
  claim: (ownerId: string, sha256: string) => `checksums/${createHash('sha256').update(ownerId).digest('hex').slice(0, 32)}/${sha256}`,
  /** Written before any other side effect of an upload; removed once it is committed or rolled back. */
  intent: (startedAt: Date, photoId: string) => `intents/${sortableTime(startedAt.getTime())}-${photoId}.json`,
  intentsPrefix: 'intents/',
  /** An event waiting for the broker, at a key fixed by the event itself (whoever writes it). */
  pendingEvent: (event: { id: string; time: string }) => `outbox/${sortableTime(Date.parse(event.time))}-${event.id}.json`,
  pendingEventsPrefix: 'outbox/',
  /** The time (ms) an intent or outbox key starts with; undefined for outbox keys of older releases (`outbox/<id>.json`). */
  timeOf(key: string): number | undefined {
    const match = TIMED_KEY.exec(key);
    return match ? Number(match[1]) : undefined;
  },
};
