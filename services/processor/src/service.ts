import { createObjectStore } from '@photos/object-store';
import { defineService, type OpenedAdapters } from '@photos/service-kit';
import { buildProcessorApp, type ProcessorAppDeps } from './app.js';
import { processorConfigSchema, type ProcessorConfig } from './config.js';
import { configureSharp, PROCESSOR_SHARP_SETTINGS } from './domain/sharp-settings.js';

/** What the processor app is built from besides its config and bus (tests give their own). */
export type ProcessorAdapters = Omit<ProcessorAppDeps, 'config' | 'bus'>;

/** Both buckets, S3/MinIO or directories as the config selects; libvips set up for this process. */
export async function openProcessorAdapters(config: ProcessorConfig): Promise<OpenedAdapters<ProcessorAdapters>> {
  // libvips settings belong to the process: the processor's, also where it shares the process (embedded).
  configureSharp(PROCESSOR_SHARP_SETTINGS);
  const originals = createObjectStore(config, config.ORIGINALS_BUCKET);
  const variants = createObjectStore(config, config.VARIANTS_BUCKET);
  await variants.ensureBucket();
  return { adapters: { originals, variants } };
}

/**
 * The processor: makes the variants of every uploaded photo (`photo.processed`, or
 * `photo.processing-failed` for a file it cannot decode) and removes them on `photo.deleted`.
 */
export const processorService = defineService({
  name: 'processor',
  configSchema: processorConfigSchema,
  open: openProcessorAdapters,
  build: ({ config, adapters, bus }) => buildProcessorApp({ ...adapters, config, bus }),
  checks: ({ adapters }) => ({ ready: { originals: () => adapters.originals.isHealthy(), variants: () => adapters.variants.isHealthy() } }),
  consumes: [
    {
      group: 'processor',
      events: ['photo.uploaded', 'photo.deleted'],
      // One photo more than the CPU slots (app.ts): its original is read while the others decode (cpu-slots.ts).
      concurrency: (config) => config.PROCESSOR_CONCURRENCY + 1,
      maxAttempts: (config) => config.PROCESSOR_MAX_ATTEMPTS,
    },
  ],
  produces: ['photo.processed', 'photo.processing-failed'],
});
