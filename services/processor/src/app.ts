import type { EventBus } from '@photos/event-bus';
import type { ObjectStore } from '@photos/object-store';
import { createServiceApp, handleEvents, type ServiceApp } from '@photos/service-kit';
import type { DestinationStream } from 'pino';
import { createLibheifDecoder } from './adapters/libheif-decoder.js';
import type { ProcessorConfig } from './config.js';
import { createCpuSlots } from './cpu-slots.js';
import { onPhotoDeleted } from './consumers/photo-deleted.js';
import { onPhotoUploaded } from './consumers/photo-uploaded.js';
import { processorMetrics } from './processor-metrics.js';

export interface ProcessorAppDeps {
  config: ProcessorConfig;
  originals: ObjectStore;
  variants: ObjectStore;
  bus: EventBus;
  logStream?: DestinationStream;
  now?: () => Date;
}

/**
 * The processor: handles `photo.uploaded` (variants) and `photo.deleted` (cleanup), subscribed by the
 * service runner as service.ts declares. Its HTTP side is only health and metrics. Replicas share the
 * work; each photo is handled by one of them.
 */
export async function buildProcessorApp(deps: ProcessorAppDeps): Promise<ServiceApp> {
  const { config, originals, variants, bus } = deps;
  const app = await createServiceApp({
    name: 'processor',
    logLevel: config.LOG_LEVEL,
    ...(deps.logStream ? { logStream: deps.logStream } : {}),
    trustProxy: config.TRUST_PROXY,
  });
  const metrics = processorMetrics(app.metrics);
  const now = deps.now ?? (() => new Date());
  // Only for HEIF files sharp's libvips cannot decode (HEVC, with sharp's prebuilt binaries); its workers
  // start on the first such photo and exit when idle.
  const heifDecoder = createLibheifDecoder({ threads: config.PROCESSOR_CONCURRENCY });
  // PROCESSOR_CONCURRENCY photos in sharp at once; the consumer takes one more (service.ts).
  const cpuSlots = createCpuSlots(config.PROCESSOR_CONCURRENCY);
  handleEvents(app, 'processor', {
    'photo.uploaded': onPhotoUploaded(
      { originals, variants, publish: (event) => bus.publish(event), limits: { maxPixels: config.MAX_PIXELS }, now, heifDecoder, cpuSlots },
      metrics,
    ),
    'photo.deleted': onPhotoDeleted(variants),
  });
  // Runs after the runner has stopped the consumers (its onClose hook is registered later, so runs first).
  app.addHook('onClose', async () => {
    await heifDecoder.close();
  });
  return app;
}
