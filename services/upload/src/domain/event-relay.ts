import type { CloudEvent } from '@photos/contracts';
import { bucketLayout } from './bucket-layout.js';
import type { PendingEvents } from './pending-events.js';
import { startPeriodicTask } from './periodic-task.js';

export interface RelayLogger {
  warn(object: object, message: string): void;
}

/** What the relay reports; the app turns it into Prometheus metrics. */
export interface RelayObserver {
  /** After each sweep's listing: entries in the outbox and the age of the oldest, in seconds (0 if none). */
  outboxSeen(pending: number, oldestAgeSeconds: number): void;
  /** An event reached the broker. */
  published(): void;
}

export interface EventRelayDeps {
  pending: PendingEvents;
  publish: (event: CloudEvent) => Promise<void>;
  /** True once the upload behind the event is committed (its record exists). */
  isCommitted: (photoId: string) => Promise<boolean>;
  intervalMs: number;
  /** Entries younger than this are left to the request that wrote them (it publishes them at once). */
  minAgeMs: number;
  now: () => Date;
  logger: RelayLogger;
  observer?: RelayObserver;
}

// Ids of events this relay published lately: an outbox entry written again after its event went out
// (a retry completing an upload at the moment its own request commits it) is dropped, not re-sent.
const REMEMBERED_EVENTS = 10_000;

/**
 * Publishes pending events and removes each once the broker has it. `publishNow` sends the events an
 * upload just committed, straight from memory; the sweep, every `intervalMs`, lists the outbox and
 * sends what a broker outage or a crash left behind (sweeps never overlap).
 *
 * Within one process an event is published once, unless a publish failed after the broker took it:
 * what `publishNow` is sending is in flight and skipped by the sweep (and the reverse), young entries
 * are left to `publishNow`, and recently published ids are remembered. Across replicas, or after a
 * crash between publish and removal, an event may still go out twice: consumers dedupe on the event id.
 *
 * The sweep publishes an entry only once its upload is committed: an entry whose upload is still
 * committing, or is being rolled back, must not announce an original that may never be kept.
 */
export function startEventRelay(deps: EventRelayDeps): { publishNow(events: CloudEvent[]): void; stop(): Promise<void> } {
  const inFlight = new Set<string>();
  const remembered = new Set<string>();
  const sending = new Set<Promise<void>>();
  let stopped = false;

  function remember(id: string): void {
    remembered.add(id);
    if (remembered.size > REMEMBERED_EVENTS) remembered.delete(remembered.values().next().value as string);
  }

  /**
   * Publishes the event unless it is already in flight or published, then removes its entry. The check
   * and the marking happen together, with no await between them: whoever comes second backs off.
   */
  async function send(event: CloudEvent, key: string): Promise<void> {
    if (inFlight.has(event.id)) return;
    if (!remembered.has(event.id)) {
      inFlight.add(event.id);
      try {
        await deps.publish(event);
        remember(event.id);
        deps.observer?.published();
      } finally {
        inFlight.delete(event.id);
      }
    }
    await deps.pending.remove(key);
  }

  async function sweep(): Promise<void> {
    const keys = await deps.pending.keys();
    const now = deps.now().getTime();
    const oldest = keys.reduce((min, key) => Math.min(min, bucketLayout.timeOf(key) ?? now), now);
    deps.observer?.outboxSeen(keys.length, Math.max(0, now - oldest) / 1000);
    for (const key of keys) {
      if (stopped) return;
      const time = bucketLayout.timeOf(key);
      if (time !== undefined && now - time < deps.minAgeMs) continue;
      const event = await deps.pending.read(key);
      if (!event || inFlight.has(event.id)) continue;
      if (!remembered.has(event.id) && (typeof event.subject !== 'string' || !(await deps.isCommitted(event.subject)))) continue;
      await send(event, key);
    }
  }

  const timer = startPeriodicTask(sweep, deps.intervalMs, (error) =>
    deps.logger.warn({ err: error }, 'pending events not published yet; will retry'),
  );

  return {
    publishNow(events) {
      for (const event of events) {
        if (stopped) continue;
        const done = send(event, bucketLayout.pendingEvent(event))
          .catch((error: unknown) => deps.logger.warn({ err: error, eventId: event.id }, 'event not published yet; the sweep will retry'))
          .finally(() => sending.delete(done));
        sending.add(done);
      }
    },
    /** Stops sweeping, then waits for the sweep and the publishes under way. */
    async stop() {
      stopped = true;
      await timer.stop();
      await Promise.all([...sending]);
    },
  };
}
