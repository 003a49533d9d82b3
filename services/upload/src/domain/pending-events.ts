import type { CloudEvent } from '@photos/contracts';
import type { ObjectStore } from '@photos/object-store';
import { bucketLayout } from './bucket-layout.js';
import { putJson, readJson } from './stored-json.js';

/**
 * The outbox, kept in the originals bucket itself: an event is written here before the upload is
 * answered and removed once the broker has it. The bucket is the source of truth, so an answered upload
 * survives a broker outage and a restart of this service. An event's key is fixed by the event (its
 * time, then its id), so writing it twice, e.g. by an upload and by a retry finishing that upload,
 * leaves one entry.
 */
export class PendingEvents {
  constructor(private readonly originals: ObjectStore) {}

  async add(event: CloudEvent): Promise<void> {
    await putJson(this.originals, bucketLayout.pendingEvent(event), event);
  }

  /** Removes the entry at `key` (from `keys`), or the one of `event`; a missing entry is fine. */
  async remove(entry: string | CloudEvent): Promise<void> {
    await this.originals.delete(typeof entry === 'string' ? entry : bucketLayout.pendingEvent(entry));
  }

  /** The keys of every pending event, oldest first (older releases' keys, without a time, mixed in). */
  keys(): Promise<string[]> {
    return this.originals.list(bucketLayout.pendingEventsPrefix);
  }

  /** The event at `key`; undefined when it was removed meanwhile. A storage error rejects. */
  async read(key: string): Promise<CloudEvent | undefined> {
    return (await readJson(this.originals, key)) as CloudEvent | undefined;
  }
}
