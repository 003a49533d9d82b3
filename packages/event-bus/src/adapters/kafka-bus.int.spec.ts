import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import { EventCatalogue, photoFamilies, type PhotoFamily } from '@photos/contracts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { describeEventBusConformance } from '../conformance/conformance-suite.js';
import { sleep, waitFor } from '../conformance/wait-for.js';
import { TransientFailure } from '../transient-failure.js';
import { createKafkaBus } from './kafka-bus.js';

// The brokers come from test/global-setup.ts: librdkafka's mock cluster, or KAFKA_BROKERS when set.
const brokers = inject('kafkaBrokers');
const sessionTimeoutMs = inject('kafkaIsMock') ? 6_000 : 10_000;
let raw: Producer;
let admin: Admin;

beforeAll(async () => {
  const kafka = new Kafka({ clientId: 'conformance-raw', brokers, logLevel: logLevel.NOTHING });
  raw = kafka.producer({ allowAutoTopicCreation: true });
  admin = kafka.admin();
  await Promise.all([raw.connect(), admin.connect()]);
});

afterAll(async () => {
  await raw?.disconnect();
  await admin?.disconnect();
});

/** A key of a partition led by another broker than `key`'s: kafkajs holds all of a broker's partitions while one is retried. */
async function keyOnAnotherLane(topic: string, key: string): Promise<string> {
  const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
  const partitionMetadata = metadata!.partitions;
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionOf = (k: string) => partitioner({ topic, partitionMetadata, message: { key: k, value: null } });
  const leaderOf = (k: string) => partitionMetadata.find((p) => p.partitionId === partitionOf(k))!.leader;
  const leader = leaderOf(key);
  if (new Set(partitionMetadata.map((p) => p.leader)).size < 2) throw new Error(`every partition of ${topic} has one leader: no independent lane`);
  for (;;) {
    const other = randomUUID();
    if (leaderOf(other) !== leader) return other;
  }
}

describeEventBusConformance('kafka', {
  createBus: (catalogue) => createKafkaBus({ brokers, clientId: 'conformance', catalogue, sessionTimeoutMs }),
  publishRaw: async (topic, key, headers, body) => {
    await raw.send({ topic, messages: [{ key, headers, value: body }] });
  },
  joinTimeoutMs: 30_000,
  keyOnAnotherLane,
});

describe('kafka: a handler retried longer than the session timeout', () => {
  it('keeps the consumer in its group (heartbeats while retrying): each event handled once, never redelivered', async () => {
    const catalogue = new EventCatalogue<PhotoFamily>(`kafka-heartbeat-${randomUUID().slice(0, 8)}`, photoFamilies);
    const bus = await createKafkaBus({ brokers, clientId: 'conformance', catalogue, sessionTimeoutMs });
    try {
      const firstAttempts = new Map<string, number>();
      const handled: string[] = [];
      let failingUntil = 0;
      await bus.subscribe({
        group: `heartbeat-${randomUUID().slice(0, 8)}`,
        transientMaxDelayMs: 300,
        retryHorizonMs: 60_000,
        handlers: {
          'photo.uploaded': async (event, { attempt }) => {
            if (attempt === 1) firstAttempts.set(event.id, (firstAttempts.get(event.id) ?? 0) + 1);
            failingUntil ||= Date.now() + sessionTimeoutMs + 3_000;
            if (Date.now() < failingUntil) throw new TransientFailure('database unavailable');
            handled.push(event.id);
          },
        },
      });
      // Events on every broker's partitions: kafkajs heartbeats from any fetcher left idle, so all must be held.
      const events = Array.from({ length: 24 }, () => uploadedEvent(catalogue));
      for (const event of events) await bus.publish(event);
      await waitFor('every event to be handled', () => handled.length >= events.length, 60_000);
      await sleep(2_000);
      expect(handled.sort()).toEqual(events.map((e) => e.id).sort());
      // A consumer evicted from its group gets its uncommitted messages again from the start: attempt 1 twice.
      expect([...firstAttempts.values()].filter((n) => n > 1)).toEqual([]);
    } finally {
      await bus.close();
    }
  });
});

function uploadedEvent(catalogue: EventCatalogue<PhotoFamily>) {
  const photoId = randomUUID();
  const data = {
    photoId,
    ownerId: 'owner-1',
    objectKey: `originals/owner-1/${photoId}`,
    filename: 'a.jpg',
    contentType: 'image/jpeg',
    bytes: 1,
    sha256: 'a'.repeat(64),
    uploadedAt: new Date().toISOString(),
  };
  return catalogue.create('photo.uploaded', photoId, data, { source: '/conformance' });
}
