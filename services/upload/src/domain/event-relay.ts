import type { CloudEvent } from '@photos/contracts';
import type { CommittedEvent } from './commit-upload.js';
import { startPeriodicTask } from './periodic-task.js';
import { isUploadEntry, type OutboxEntry, type UploadStorage } from './upload-storage.js';

export interface RelayLogger {
  warn(object: object, message: string): void;
}

/** What the relay reports; the app turns it into Prometheus metrics. */
export interface RelayObserver {
  /**
   * After each sweep's listing: entries in the outbox (uploads under way, and committed ones whose event
   * waits for the broker) and the age of the oldest, in seconds (0 if none).
   */
  outboxSeen(pending: number, oldestAgeSeconds: number): void;
  /** An event reached the broker. */
  published(): void;
}

export interface EventRelayDeps {
  storage: UploadStorage;
  publish: (event: CloudEvent) => Promise<void>;
  intervalMs: number;
  /** Events younger than this are left to the request that committed them (it publishes them at once). */
  minAgeMs: number;
  now: () => Date;
  logger: RelayLogger;
  observer?: RelayObserver;
}

// Ids of events this relay published lately: an outbox entry written again after its event went out
// (a retry completing an upload at the moment its own request commits it) is dropped, not re-sent.
const REMEMBERED_EVENTS = 10_000;
// S3's DeleteObjects takes at most 1000 keys.
const MAX_REMOVED_AT_ONCE = 1000;
// How long a published event's entry waits for others to be removed with. Well below OUTBOX_MIN_AGE_MS'
// default (500 ms), so the sweep rarely meets an entry still waiting (and if it does, it only queues it
// again: the event is remembered as published).
const REMOVAL_BATCH_MS = 200;

/**
 * Publishes committed uploads' events and removes each one's outbox entry once the broker has it.
 * `publishNow` sends the events an upload just committed, straight from memory; the sweep, every
 * `intervalMs`, lists the outbox and sends what a broker outage or a crash left behind: the event in
 * the record of each entry's photo (sweeps never overlap).
 *
 * Within one process an event is published once, unless a publish failed after the broker took it:
 * what `publishNow` is sending is in flight and skipped by the sweep (and the reverse), young entries
 * are left to `publishNow`, and recently published ids are remembered. Across replicas, or after a
 * crash between publish and removal, an event may still go out twice: consumers dedupe on the event id.
 *
 * The sweep publishes only for a committed upload (its record exists): an entry whose upload is still
 * under way, or is being rolled back, must not announce an original that may never be kept. Such an
 * entry is the sweep of unfinished uploads' business.
 */
export function startEventRelay(deps: EventRelayDeps): { publishNow(committed: CommittedEvent[]): void; stop(): Promise<void> } {
  const inFlight = new Set<string>();
  const remembered = new Set<string>();
  const sending = new Set<Promise<void>>();
  let stopped = false;

  // Entries whose event went out wait here to be removed together: one store call for the events
  // published within REMOVAL_BATCH_MS (and while the previous removal was under way), so under load it
  // is one call per batch rather than one per upload. A crash meanwhile leaves the entries to the
  // sweep, which publishes their events again (consumers dedupe on the event id).
  const toRemove = new Set<string>();
  let removing: Promise<void> | undefined;
  let removeNow: (() => void) | undefined;

  function removeSoon(key: string): void {
    toRemove.add(key);
    removing ??= removeQueued();
  }

  async function removeQueued(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, REMOVAL_BATCH_MS);
      removeNow = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    removeNow = undefined;
    while (toRemove.size > 0) {
      const keys = [...toRemove].slice(0, MAX_REMOVED_AT_ONCE);
      // Not removed: the entries stay, and the sweep finds their events published (or publishes them
      // again: consumers dedupe) and removes them.
      await deps.storage
        .removeEntries(keys)
        .catch((error: unknown) =>
          deps.logger.warn({ err: error, entries: keys.length }, "published events' outbox entries not removed yet; the sweep will retry"),
        );
      // Off the queue only now: until then the sweep leaves them alone (see sweep()).
      for (const key of keys) toRemove.delete(key);
    }
    removing = undefined;
  }

  function remember(id: string): void {
    remembered.add(id);
    if (remembered.size > REMEMBERED_EVENTS) remembered.delete(remembered.values().next().value as string);
  }

  /**
   * Publishes the event unless it is already in flight or published, then has its entry removed (soon,
   * with others). The check and the marking happen together, with no await between them: whoever comes
   * second backs off.
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
    removeSoon(key);
  }

  const isYoung = (time: number | undefined, now: number) => time !== undefined && now - time < deps.minAgeMs;

  /** Publishes the event of the entry's committed upload, if it is one, and removes the entry. */
  async function settle(entry: OutboxEntry, now: number): Promise<void> {
    const record = await deps.storage.readRecord(entry.id);
    if (record) {
      // An older release's record holds no event: that release wrote the event an entry of its own.
      if (!record.event) return deps.storage.removeEntry(entry.key);
      if (isYoung(Date.parse(record.event.time), now) || inFlight.has(record.event.id)) return;
      return send(record.event, entry.key);
    }
    // No record: an upload under way, or an entry of an older release holding a whole event.
    const content = await deps.storage.readEntry(entry.key);
    if (!content || isUploadEntry(content) || typeof content.subject !== 'string' || inFlight.has(content.id)) return;
    if (await deps.storage.readRecord(content.subject)) return send(content, entry.key);
    // Its upload was rolled back: the event must never go out.
    if (!(await deps.storage.hasOriginal(content.subject))) await deps.storage.removeEntry(entry.key);
  }

  async function sweep(): Promise<void> {
    const entries = await deps.storage.entries();
    const now = deps.now().getTime();
    const oldest = entries.reduce((min, entry) => Math.min(min, entry.writtenAt ?? now), now);
    deps.observer?.outboxSeen(entries.length, Math.max(0, now - oldest) / 1000);
    for (const entry of entries) {
      if (stopped) return;
      // An entry queued for removal has had its event published: nothing to read.
      if (!isYoung(entry.writtenAt, now) && !toRemove.has(entry.key)) await settle(entry, now);
    }
  }

  const timer = startPeriodicTask(sweep, deps.intervalMs, (error) => deps.logger.warn({ err: error }, 'pending events not published yet; will retry'));

  return {
    publishNow(committed) {
      for (const { event, entryKey } of committed) {
        if (stopped) continue;
        const done = send(event, entryKey)
          .catch((error: unknown) => deps.logger.warn({ err: error, eventId: event.id }, 'event not published yet; the sweep will retry'))
          .finally(() => sending.delete(done));
        sending.add(done);
      }
    },
    /** Stops sweeping, then waits for the sweep, the publishes under way and the removal of their entries. */
    async stop() {
      stopped = true;
      await timer.stop();
      await Promise.all([...sending]);
      removeNow?.();
      await removing;
    },
  };
}
