import { Counter, type Registry } from 'prom-client';

/** The metadata service's own metrics, registered on the app's registry. */
export function metadataMetrics(registry: Registry) {
  return {
    projected: new Counter({
      name: 'metadata_events_projected_total',
      help: 'Events projected, by type and outcome (saved, deleted, or why skipped: duplicate, stale, deleted, owner-mismatch).',
      labelNames: ['type', 'outcome'] as const,
      registers: [registry],
    }),
    cache: new Counter({
      name: 'metadata_cache_requests_total',
      help: 'Read-cache lookups by kind (photo, page, counts) and result (hit, miss, error, bypass while the cache is unusable).',
      labelNames: ['kind', 'result'] as const,
      registers: [registry],
    }),
    albumEvents: new Counter({
      name: 'metadata_album_events_total',
      help: 'Album events after their change was committed, by type and result (published, or lost: the bus refused it; see the error log).',
      labelNames: ['type', 'result'] as const,
      registers: [registry],
    }),
  };
}

export type MetadataMetrics = ReturnType<typeof metadataMetrics>;
