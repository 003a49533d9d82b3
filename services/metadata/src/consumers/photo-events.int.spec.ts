import { defineEvent, defineFamily, EventCatalogue, photoCatalogue, photoFamilies, PhotoUploadedV1 } from '@photos/contracts';
import { createRabbitMqBus, type EventBus } from '@photos/event-bus';
import { createTestVhost } from '@photos/event-bus/test-support/rabbitmq-vhost';
import type { ServiceApp } from '@photos/service-kit';
import Type from 'typebox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../adapters/database.js';
import { newPhotoId, processed, uploaded } from '../test-support/photo-events.js';
import { as, buildTestApp } from '../test-support/test-app.js';
import { openMigratedTestDatabase } from '../test-support/test-database.js';

/** A producer from the future: it publishes `photo.uploaded.v2`, which this service does not know. */
const PhotoUploadedV2 = defineEvent({
  ...PhotoUploadedV1,
  version: 2,
  schema: Type.Object({ ...PhotoUploadedV1.schema.properties, album: Type.String() }),
  example: { ...PhotoUploadedV1.example, album: 'Holidays' },
});
const newerCatalogue = new EventCatalogue(photoCatalogue.channel, [
  defineFamily([PhotoUploadedV1, PhotoUploadedV2], { 1: (data) => ({ ...(data as object), album: '' }) }),
  ...photoFamilies.slice(1),
]);

describe('metadata consumer on RabbitMQ', () => {
  let vhost: Awaited<ReturnType<typeof createTestVhost>>;
  let database: Database;
  let closeDatabase: () => Promise<void>;
  let bus: EventBus;
  let producer: EventBus;
  let app: ServiceApp;
  let closeApp: () => Promise<void>;

  beforeAll(async () => {
    vhost = await createTestVhost('metadata-test');
    let url: string;
    ({ database, url, close: closeDatabase } = await openMigratedTestDatabase());
    bus = await createRabbitMqBus({ url: vhost.url, catalogue: photoCatalogue });
    producer = await createRabbitMqBus({ url: vhost.url, catalogue: newerCatalogue });
    ({ app, close: closeApp } = await buildTestApp({ database, url, bus }));
  });
  afterAll(async () => {
    await closeApp();
    await bus.close();
    await producer.close();
    await closeDatabase();
    await vhost.remove();
  });

  const status = async (id: string) => {
    const response = await app.inject({ method: 'GET', url: `/photos/${id}`, headers: as('alice') });
    return response.statusCode === 200 ? (response.json() as { status: string }).status : response.statusCode;
  };

  it('projects the events it receives through the broker', async () => {
    const id = newPhotoId();
    await producer.publish(processed(id, 'alice'));
    await producer.publish(uploaded(id, 'alice'));
    await vi.waitFor(async () => expect(await status(id)).toBe('ready'), { timeout: 20_000, interval: 100 });
  });

  it('leaves an event of an unknown version to the dead letters of its group, and goes on', async () => {
    const futureId = newPhotoId();
    const future = newerCatalogue.create('photo.uploaded', futureId, { ...uploaded(futureId, 'alice').data, album: 'Holidays' }, { source: '/future' });
    await producer.publish(future);
    const next = newPhotoId();
    await producer.publish(uploaded(next, 'alice'));
    await vi.waitFor(async () => expect(await status(next)).toBe('processing'), { timeout: 20_000, interval: 100 });

    let letters: Awaited<ReturnType<EventBus['deadLetters']>> = [];
    await vi.waitFor(async () => expect((letters = await bus.deadLetters('metadata'))).toHaveLength(1), { timeout: 20_000, interval: 100 });
    expect(letters[0]).toMatchObject({ group: 'metadata', reason: expect.stringMatching(/photo\.uploaded\.v2 is not a known event type/) });
    expect(await status(futureId)).toBe(404);
  });
});
