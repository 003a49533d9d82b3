/**
 * What the upload domain's specs run on: the real storage adapter (`originalsBucket`) over a directory of
 * the spec's own (the filesystem object store), and files staged as a request stages them. No peer.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createFsObjectStore, type ObjectStore } from '@photos/object-store';
import { originalsBucket } from '../adapters/originals-bucket.js';
import { stageOriginal, type OriginalsDeps, type StagedOriginal } from '../domain/store-original.js';
import type { UploadStorage } from '../domain/upload-storage.js';
import { pngDeclaring } from './bad-inputs.js';

export interface StorageBed {
  store: ObjectStore;
  storage: UploadStorage;
  /** Every key in the bucket, sorted. */
  keys(): Promise<string[]>;
}

const roots: string[] = [];

/** A fresh bucket in a directory removed by {@link removeStorageBeds}. */
export async function storageBed(): Promise<StorageBed> {
  const root = await mkdtemp(path.join(tmpdir(), 'upload-domain-'));
  roots.push(root);
  const store = createFsObjectStore({ root });
  await store.ensureBucket();
  return { store, storage: originalsBucket(store), keys: async () => (await store.list('')).sort() };
}

export async function removeStorageBeds(): Promise<void> {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
}

/** The bytes of a small PNG that passes the header check; `seed` makes them (and their SHA-256) its own. */
export const pngBytes = (seed: string): Buffer => Buffer.concat([pngDeclaring(64, 48), Buffer.from(seed), randomBytes(16)]);

/** What `stageOriginal` needs, with a clock the caller may move. */
export function originalsDeps(storage: UploadStorage, clock: { now: Date } = { now: new Date('2026-11-01T10:00:00Z') }): OriginalsDeps {
  return { storage, limits: { maxBytes: 10_000, maxPixels: 10_000, maxFrames: 1000, maxHeaderBytes: 4096 }, newId: randomUUID, now: () => clock.now };
}

/** Stages `bytes` as `owner`'s file, as one part of an upload request. */
export function stage(deps: OriginalsDeps, bytes: Buffer, owner = 'owner-1', filename = 'photo.png'): Promise<StagedOriginal> {
  return stageOriginal({ stream: Readable.from([bytes]), filename }, owner, { source: '/test' }, deps);
}
