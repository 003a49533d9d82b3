import multipart from '@fastify/multipart';
import type { EventBus, Subscription } from '@photos/event-bus';
import type { ObjectStore } from '@photos/object-store';
import { authOptionsFrom, authPlugin, createServiceApp, type ServiceApp } from '@photos/service-kit';
import { randomUUID } from 'node:crypto';
import { Counter } from 'prom-client';
import type { DestinationStream } from 'pino';
import type { UploadConfig } from './config.js';
import { onPhotoDeleted } from './consumers/photo-deleted.js';
import { startEventRelay } from './domain/event-relay.js';
import { PendingEvents } from './domain/pending-events.js';
import { photoRoutes } from './routes/photos.js';

/** What the upload service is built from; server.ts makes the real ones, tests their own. */
export interface UploadAppDeps {
  config: UploadConfig;
  originals: ObjectStore;
  bus: EventBus;
  logStream?: DestinationStream;
  newId?: () => string;
  now?: () => Date;
}

/**
 * The upload service: POST /photos streams originals into the originals bucket and puts a
 * `photo.uploaded` in the outbox; the relay publishes it. Consumes `photo.deleted` to remove originals.
 * Consumers and relay start when the app is ready and stop, gracefully, when it closes.
 */
export async function buildUploadApp(deps: UploadAppDeps): Promise<ServiceApp> {
  const { config, originals, bus } = deps;
  const app = await createServiceApp({
    name: 'upload',
    logLevel: config.LOG_LEVEL,
    ...(deps.logStream ? { logStream: deps.logStream } : {}),
    readiness: { originals: () => originals.isHealthy(), bus: () => bus.isHealthy() },
  });
  await app.register(authPlugin, authOptionsFrom(config));
  await app.register(multipart, {
    limits: {
      // One byte over our own limit so that ByteMeter, which answers with a clear 413, trips first.
      fileSize: config.MAX_UPLOAD_BYTES + 1,
      files: config.MAX_FILES_PER_REQUEST,
      fields: 10,
      parts: config.MAX_FILES_PER_REQUEST + 10,
    },
  });

  const uploaded = new Counter({ name: 'photos_uploaded_total', help: 'Photos stored (duplicates excluded).', registers: [app.metrics] });
  const pending = new PendingEvents(originals);
  const relay = startEventRelay({
    pending,
    publish: (event) => bus.publish(event),
    intervalMs: config.OUTBOX_INTERVAL_MS,
    logger: app.log,
  });
  let subscription: Subscription | undefined;
  app.addHook('onReady', async () => {
    subscription = await bus.subscribe({ group: 'upload', handlers: { 'photo.deleted': onPhotoDeleted(originals) } });
  });
  app.addHook('onClose', async () => {
    await subscription?.stop();
    await relay.stop();
  });

  photoRoutes(app, {
    originals,
    pending,
    limits: { maxBytes: config.MAX_UPLOAD_BYTES, maxPixels: config.MAX_PIXELS, maxHeaderBytes: config.MAX_HEADER_BYTES },
    newId: deps.newId ?? randomUUID,
    now: deps.now ?? (() => new Date()),
    afterUpload: (events) => {
      uploaded.inc(events.length);
      relay.publishNow(events);
    },
  });
  return app;
}
