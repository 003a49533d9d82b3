import { Counter, Histogram, type Registry } from 'prom-client';

/** The processor's own metrics, registered on the app's registry. */
export function processorMetrics(registry: Registry) {
  return {
    processed: new Counter({ name: 'photos_processed_total', help: 'Photos processed into variants.', registers: [registry] }),
    failed: new Counter({
      name: 'photos_processing_failed_total',
      help: 'Photos that cannot be processed, by code.',
      labelNames: ['code'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'photo_processing_duration_seconds',
      help: 'Time to process one photo (read, decode, encode, store, publish).',
      labelNames: ['outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    uploadToProcessed: new Histogram({
      name: 'photo_upload_to_processed_seconds',
      help: 'Time from upload (uploadedAt) to photo.processed published.',
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
  };
}

export type ProcessorMetrics = ReturnType<typeof processorMetrics>;
