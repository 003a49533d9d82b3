import multipart from '@fastify/multipart';
import type { EventBus } from '@photos/event-bus';
import type { ObjectStore } from '@photos/object-store';
import { authOptionsFrom, authPlugin, createServiceApp, handleEvents, serverTimeouts, type ServiceApp } from '@photos/service-kit';
import { randomUUID } from 'node:crypto';
import type { DestinationStream } from 'pino';
import type { UploadConfig } from './config.js';
import { originalsBucket } from './adapters/originals-bucket.js';
import { onPhotoDeleted } from './consumers/photo-deleted.js';
import { startEventRelay } from './domain/event-relay.js';
import { startUnfinishedUploadSweeper } from './domain/unfinished-upload-sweeper.js';
import { photoRoutes } from './routes/photos.js';
import { uploadMetrics } from './upload-metrics.js';

/** What the upload service is built from; service.ts opens the real ones, tests make their own. */
export interface UploadAppDeps {
  config: UploadConfig;
  originals: ObjectStore;
  bus: EventBus;
  logStream?: DestinationStream;
  newId?: () => string;
  now?: () => Date;
}

/**
 * The upload service: POST /photos streams originals into the originals bucket and commits each with
 * its `photo.uploaded` (see `adapters/originals-bucket.ts`); the relay publishes it. Handles
 * `photo.deleted` (removes originals): the service runner subscribes it as service.ts declares.
 * The relay starts with the app and stops, gracefully, when it closes.
 */
export async function buildUploadApp(deps: UploadAppDeps): Promise<ServiceApp> {
  const { config, originals, bus } = deps;
  const app = await createServiceApp({
    name: 'upload',
    logLevel: config.LOG_LEVEL,
    ...(deps.logStream ? { logStream: deps.logStream } : {}),
    server: serverTimeouts(config),
    trustProxy: config.TRUST_PROXY,
  });
  await app.register(authPlugin, authOptionsFrom(config));
  const files = config.MAX_FILES_PER_REQUEST;
  const multipartLimits = { files, fields: 10, parts: files + 10, fieldSize: 64 * 1024 };
  await app.register(multipart, {
    // One byte over our own limit so that ByteMeter, which answers with a clear 413, trips first.
    limits: { ...multipartLimits, fileSize: config.MAX_UPLOAD_BYTES + 1 },
  });

  const metrics = uploadMetrics(app.metrics);
  const now = deps.now ?? (() => new Date());
  const storage = originalsBucket(originals);
  const relay = startEventRelay({
    storage,
    publish: (event) => bus.publish(event),
    intervalMs: config.OUTBOX_INTERVAL_MS,
    minAgeMs: config.OUTBOX_MIN_AGE_MS,
    now,
    logger: app.log,
    observer: metrics.relay,
  });
  const sweeper = startUnfinishedUploadSweeper({
    storage,
    ttlMs: config.INTENT_TTL_MS,
    intervalMs: config.INTENT_SWEEP_INTERVAL_MS,
    now,
    logger: app.log,
    observer: metrics.sweeper,
  });
  handleEvents(app, 'upload', { 'photo.deleted': onPhotoDeleted(storage) });
  app.addHook('onClose', async () => {
    await sweeper.stop();
    await relay.stop();
  });

  photoRoutes(app, {
    storage,
    limits: { maxBytes: config.MAX_UPLOAD_BYTES, maxPixels: config.MAX_PIXELS, maxFrames: config.MAX_FRAMES, maxHeaderBytes: config.MAX_HEADER_BYTES },
    newId: deps.newId ?? randomUUID,
    now,
    transport: { idleTimeoutMs: config.UPLOAD_IDLE_TIMEOUT_MS, limits: multipartLimits },
    afterUpload: (committed) => {
      metrics.uploaded.inc(committed.length);
      relay.publishNow(committed);
    },
  });
  return app;
}
