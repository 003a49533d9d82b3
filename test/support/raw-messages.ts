/**
 * What the event bus really put on a broker, read back raw (no adapter in between): the first record of a
 * Kafka topic, the next message of a RabbitMQ group's queue. For the specs that hold the wire format
 * against its documents (AsyncAPI headers, trace context).
 */
import { randomUUID } from 'node:crypto';
import type { CloudEvent, EventCatalogue, EventContext, PhotoFamily } from '@photos/contracts';
import type { ChannelModel } from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';
import { groupQueue } from '../../packages/event-bus/src/adapters/rabbitmq-topology.js';

/** A valid `photo.uploaded` of a new photo, with `context` (source, traceparent...). */
export function uploadedEvent(catalogue: EventCatalogue<PhotoFamily>, context: Omit<EventContext, 'id' | 'time'>): CloudEvent {
  const photoId = randomUUID();
  const data = {
    photoId,
    ownerId: randomUUID(),
    objectKey: `originals/o/${photoId}`,
    filename: 'a.jpg',
    contentType: 'image/jpeg' as const,
    bytes: 1,
    sha256: 'a'.repeat(64),
    uploadedAt: new Date().toISOString(),
  };
  return catalogue.create('photo.uploaded', photoId, data, context);
}

/** The first record of `topic` (from its beginning), its headers as strings, read by a consumer group of its own. */
export async function firstKafkaRecord(brokers: string[], topic: string): Promise<{ key: string; headers: Record<string, string> }> {
  const kafka = new Kafka({ clientId: 'raw-reader', brokers, logLevel: logLevel.NOTHING });
  const reader = kafka.consumer({ groupId: `raw-reader-${randomUUID().slice(0, 8)}` });
  try {
    await reader.connect();
    await reader.subscribe({ topic, fromBeginning: true });
    return await new Promise((resolve) => {
      void reader.run({
        eachMessage: async ({ message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
          resolve({ key: String(message.key), headers });
        },
      });
    });
  } finally {
    await reader.disconnect();
  }
}

/**
 * The next message of `group`'s queue on `channel` (the catalogue's channel name), taken off it, waiting up to
 * 5 s for it to arrive; its headers with byte values as UTF-8 strings.
 */
export async function nextGroupMessage(connection: ChannelModel, channelName: string, group: string) {
  const channel = await connection.createChannel();
  const queue = groupQueue(channelName, group);
  let message = await channel.get(queue, { noAck: true });
  for (let tries = 0; message === false && tries < 50; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    message = await channel.get(queue, { noAck: true });
  }
  await channel.close();
  if (message === false) throw new Error('the published event never reached the group queue');
  const headers = Object.fromEntries(
    Object.entries(message.properties.headers ?? {}).map(([name, value]) => [name, Buffer.isBuffer(value) ? value.toString('utf8') : (value as unknown)]),
  );
  return { headers, properties: message.properties };
}
