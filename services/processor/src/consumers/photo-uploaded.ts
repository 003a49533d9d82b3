import type { PhotoUploaded } from '@photos/contracts';
import { processPhoto, type ProcessPhotoDeps } from '../domain/process-photo.js';
import type { ProcessorMetrics } from '../processor-metrics.js';

/** On `photo.uploaded`: process it and count the outcome. Throwing (transient trouble) makes the bus retry. */
export function onPhotoUploaded(deps: ProcessPhotoDeps, metrics: ProcessorMetrics) {
  return async (event: PhotoUploaded): Promise<void> => {
    const stopTimer = metrics.duration.startTimer();
    const outcome = await processPhoto(event, deps);
    stopTimer({ outcome: outcome.kind });
    if (outcome.kind === 'processed') {
      metrics.processed.inc();
      metrics.uploadToProcessed.observe((deps.now().getTime() - Date.parse(event.data.uploadedAt)) / 1000);
    } else if (outcome.kind === 'failed') {
      metrics.failed.inc({ code: outcome.event.data.code });
    }
  };
}
