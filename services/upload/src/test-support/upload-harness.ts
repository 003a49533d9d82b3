import { randomBytes, randomUUID } from 'node:crypto';
import { photoCatalogue, type CloudEvent } from '@photos/contracts';
import { createMemoryBus, MemoryBroker, type EventBus } from '@photos/event-bus';
import type { ObjectStore } from '@photos/object-store';
import { buildService, createTokenSigner, loadConfig, type ServiceApp } from '@photos/service-kit';
import { uploadConfigSchema } from '../config.js';
import { uploadService } from '../service.js';
import { originalsLayout } from '../adapters/originals-layout.js';
import { pngDeclaring } from './bad-inputs.js';

export const JWT_SECRET = 'upload-test-secret-0123456789-0123456789';
export const signToken = createTokenSigner({ secret: JWT_SECRET, issuer: 'photo-platform', audience: 'photo-platform', expiresInSeconds: 300 });

/** Timers so long they only run once, as the app starts: a test decides when anything else happens. */
export const quietEnv = {
  JWT_SECRET,
  LOG_LEVEL: 'silent',
  OUTBOX_INTERVAL_MS: '600000',
  INTENT_SWEEP_INTERVAL_MS: '600000',
};

/** Sweeps as often as possible and rolls back every unfinished upload: for after the requests. */
export const sweepingEnv = {
  JWT_SECRET,
  LOG_LEVEL: 'silent',
  OUTBOX_INTERVAL_MS: '50',
  OUTBOX_MIN_AGE_MS: '0',
  INTENT_SWEEP_INTERVAL_MS: '50',
  INTENT_TTL_MS: '0',
};

/** A small file that passes the header check; `seed` makes its bytes (and checksum) its own. */
export function tinyPng(seed: string): { name: string; bytes: Buffer } {
  return { name: `${seed}.png`, bytes: Buffer.concat([pngDeclaring(64, 48), Buffer.from(seed), randomBytes(16)]) };
}

/** Every `photo.uploaded` handed to the bus, in order, on top of a memory bus. */
export function recordingBus(options: { publishDelayMs?: number } = {}): { bus: EventBus; published: CloudEvent[] } {
  const bus = createMemoryBus({ broker: new MemoryBroker(), catalogue: photoCatalogue });
  const published: CloudEvent[] = [];
  const recording: EventBus = {
    ...bus,
    publish: async (event) => {
      if (options.publishDelayMs) await new Promise((resolve) => setTimeout(resolve, options.publishDelayMs));
      await bus.publish(event);
      published.push(event);
    },
  };
  return { bus: recording, published };
}

export async function startUploadApp(originals: ObjectStore, bus: EventBus, env: Record<string, string>): Promise<{ app: ServiceApp; url: string }> {
  // As the runner builds it, so that its photo.deleted handler is subscribed.
  const app = await buildService(uploadService, { config: loadConfig(uploadConfigSchema, env), adapters: { originals }, bus });
  return { app, url: await app.listen({ port: 0, host: '127.0.0.1' }) };
}

export function postPhotos(url: string, files: { name: string; bytes: Buffer }[], ownerId: string): Promise<Response> {
  const form = new FormData();
  for (const file of files) form.append('file', new Blob([file.bytes], { type: 'image/png' }), file.name);
  return fetch(`${url}/photos`, { method: 'POST', body: form, headers: { authorization: `Bearer ${signToken({ sub: ownerId })}` } });
}

/** The keys of the bucket by kind, photo ids where a key names one. */
export async function bucketState(store: ObjectStore) {
  const ids = (keys: string[], pattern: RegExp) => keys.map((key) => pattern.exec(key)?.[1] ?? key).sort();
  const claimKeys = await store.list('checksums/');
  const claimed: string[] = [];
  for (const key of claimKeys) {
    const chunks: Buffer[] = [];
    for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
    claimed.push((JSON.parse(Buffer.concat(chunks).toString()) as CloudEvent).subject!);
  }
  return {
    originals: ids(await store.list('originals/'), /^originals\/(.+)$/),
    records: ids(await store.list('records/'), /^records\/(.+)\.json$/),
    claimed: claimed.sort(),
    /** Uploads under way, or committed with their event not yet published (and older releases' intents). */
    outbox: [...(await store.list(originalsLayout.legacyIntentsPrefix)), ...(await store.list(originalsLayout.entriesPrefix))],
  };
}

export const newOwner = () => `owner-${randomUUID()}`;
