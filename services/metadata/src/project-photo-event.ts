import type { PhotoProjectionStore } from './adapters/photo-projection-store.js';
import type { ProjectedEvent, Projection } from './domain/photo-projection.js';
import type { MetadataMetrics } from './metadata-metrics.js';
import type { PhotoReads } from './photo-reads.js';

/** Projects one event: store it, then invalidate the owner's cached reads, then count it. */
export type ProjectPhotoEvent = (event: ProjectedEvent) => Promise<Projection>;

/**
 * The one path by which events change the read model, used by the consumer and by DELETE (which applies
 * its own `photo.deleted` at once). The cache is invalidated after the commit, so a read that starts
 * after this resolves never sees the old state.
 */
export function projectPhotoEvent(deps: { store: PhotoProjectionStore; reads: PhotoReads; metrics: MetadataMetrics }): ProjectPhotoEvent {
  return async (event) => {
    const projection = await deps.store.apply(event);
    if (projection.kind !== 'skip') await deps.reads.invalidate(event.data.ownerId);
    const outcome = projection.kind === 'save' ? 'saved' : projection.kind === 'delete' ? 'deleted' : projection.reason;
    deps.metrics.projected.inc({ type: event.type, outcome });
    return projection;
  };
}
