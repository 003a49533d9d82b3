import { createHash } from 'node:crypto';
import type { CloudEvent, PhotoUploaded } from '@photos/contracts';
import { ObjectNotFound, type ObjectStore } from '@photos/object-store';
import type { StoredOriginal } from '../domain/stored-original.js';
import type { Claim, OutboxEntry, PhotoRecord, UploadStarted, UploadStorage } from '../domain/upload-storage.js';
import { originalsLayout as layout } from './originals-layout.js';

const JSON_TYPE = { contentType: 'application/json' };
const jsonBody = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

/** A small JSON object, or undefined when there is none. Only `ObjectNotFound` means "none". */
async function readJson(store: ObjectStore, key: string): Promise<unknown> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
  } catch (error) {
    if (error instanceof ObjectNotFound) return undefined;
    throw error;
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

const isEvent = (value: unknown): value is PhotoUploaded =>
  typeof value === 'object' && value !== null && 'specversion' in value && typeof (value as PhotoUploaded).data?.photoId === 'string';

function asClaim(value: unknown, key: string): Claim {
  if (typeof value === 'string') return { photoId: value, event: undefined };
  if (!isEvent(value) || value.subject !== value.data.photoId) throw new Error(`the dedupe claim at ${key} is not a photo.uploaded event`);
  return { photoId: value.subject, event: value };
}

/**
 * The upload service's storage on one bucket of the object store (S3 / MinIO, or a directory): the
 * originals, each upload's outbox entry, the dedupe claims (created atomically, `putIfAbsent`) and the
 * records of committed photos, at the keys of `originalsLayout`.
 */
export function originalsBucket(store: ObjectStore): UploadStorage {
  const claimKey = (content: { ownerId: string; sha256: string }) => layout.claim(content.ownerId, content.sha256);
  const listEntries = async (prefix: string): Promise<OutboxEntry[]> =>
    (await store.list(prefix)).flatMap((key) => {
      const parsed = layout.parseEntry(key);
      return parsed ? [{ key, ...parsed }] : [];
    });

  return {
    async addEntry(upload) {
      const key = layout.entry(new Date(upload.startedAt), upload.photoId);
      await store.put(key, jsonBody(upload), JSON_TYPE);
      return key;
    },
    async entries() {
      // Older releases' intents first: they are older than anything this release wrote.
      const [legacy, current] = await Promise.all([listEntries(layout.legacyIntentsPrefix), listEntries(layout.entriesPrefix)]);
      return [...legacy, ...current];
    },
    async readEntry(key) {
      return (await readJson(store, key)) as UploadStarted | CloudEvent | undefined;
    },
    removeEntry: (key) => store.delete(key),
    removeEntries: (keys) => store.deleteMany(keys),

    async putOriginal(photoId, body, contentType) {
      const key = layout.original(photoId);
      const { sha256 } = await store.put(key, body, { contentType, metadata: { 'photo-id': photoId } });
      return { key, sha256 };
    },
    hasOriginal: async (photoId) => (await store.stat(layout.original(photoId))) !== undefined,
    async digestOfOriginal(photoId) {
      const hash = createHash('sha256');
      try {
        for await (const chunk of await store.get(layout.original(photoId))) hash.update(chunk as Buffer);
      } catch (error) {
        if (error instanceof ObjectNotFound) return undefined;
        throw error;
      }
      return hash.digest('hex');
    },
    deleteOriginal: (photoId) => store.delete(layout.original(photoId)),

    takeClaim: (content, event) => store.putIfAbsent(claimKey(content), jsonBody(event), JSON_TYPE),
    async readClaim(content) {
      const key = claimKey(content);
      const value = await readJson(store, key);
      return value === undefined ? undefined : asClaim(value, key);
    },
    deleteClaim: (content) => store.delete(claimKey(content)),

    writeRecord: (event) => store.put(layout.record(event.data.photoId), jsonBody(event), JSON_TYPE).then(() => undefined),
    async readRecord(photoId): Promise<PhotoRecord | undefined> {
      const value = await readJson(store, layout.record(photoId));
      if (value === undefined) return undefined;
      return isEvent(value) ? { original: value.data as StoredOriginal, event: value } : { original: value as StoredOriginal, event: undefined };
    },
    deleteRecord: (photoId) => store.delete(layout.record(photoId)),
  };
}
