import type { CloudEvent } from '@photos/contracts';
import type { ObjectStore } from '@photos/object-store';
import { bucketLayout } from './bucket-layout.js';

/**
 * The outbox, kept in the originals bucket itself: an event is written here before the upload is
 * answered and removed once the broker has it. The bucket is the source of truth, so an answered upload
 * survives a broker outage and a restart of this service.
 */
export class PendingEvents {
  constructor(private readonly originals: ObjectStore) {}

  async add(event: CloudEvent): Promise<void> {
    await this.originals.put(bucketLayout.pendingEvent(event.id), Buffer.from(JSON.stringify(event)), { contentType: 'application/json' });
  }

  async remove(eventId: string): Promise<void> {
    await this.originals.delete(bucketLayout.pendingEvent(eventId));
  }

  /** The oldest-keyed pending events, at most `limit`. */
  async list(limit = 100): Promise<CloudEvent[]> {
    const keys = await this.originals.list(bucketLayout.pendingEventsPrefix, limit);
    const events: CloudEvent[] = [];
    for (const key of keys) {
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of await this.originals.get(key)) chunks.push(chunk as Buffer);
      } catch {
        continue; // removed by another replica's relay in the meantime
      }
      events.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as CloudEvent);
    }
    return events;
  }
}
