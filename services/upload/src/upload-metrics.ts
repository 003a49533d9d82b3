import { Counter, Gauge, type Registry } from 'prom-client';
import type { RelayObserver } from './domain/event-relay.js';
import type { SweeperObserver } from './domain/unfinished-upload-sweeper.js';

/** The upload service's own metrics, registered on the app's registry. */
export function uploadMetrics(registry: Registry) {
  const registers = [registry];
  const outboxPending = new Gauge({
    name: 'upload_outbox_pending_events',
    help: 'Outbox entries (uploads under way, or committed with their event not yet published), as of the last sweep.',
    registers,
  });
  const outboxOldest = new Gauge({
    name: 'upload_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest outbox entry, as of the last sweep (0 when empty).',
    registers,
  });
  const published = new Counter({ name: 'upload_outbox_published_total', help: 'Events the outbox relay handed to the broker.', registers });
  const intentsPending = new Gauge({
    name: 'upload_intents_pending',
    help: 'Uploads started and not yet committed or rolled back, as of the last sweep.',
    registers,
  });
  const rolledBack = new Counter({
    name: 'upload_orphans_swept_total',
    help: 'Uploads never committed (e.g. interrupted by a crash) whose leftovers a sweep removed.',
    registers,
  });
  return {
    uploaded: new Counter({ name: 'photos_uploaded_total', help: 'Photos stored (duplicates excluded).', registers }),
    relay: {
      outboxSeen: (pending, oldestAgeSeconds) => {
        outboxPending.set(pending);
        outboxOldest.set(oldestAgeSeconds);
      },
      published: () => published.inc(),
    } satisfies RelayObserver,
    sweeper: {
      intentsSeen: (pending) => intentsPending.set(pending),
      rolledBack: (count) => rolledBack.inc(count),
    } satisfies SweeperObserver,
  };
}
