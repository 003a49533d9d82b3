/**
 * Tracing across processes rides on the message headers: with tracing on, an event published through the
 * Kafka adapter and through the RabbitMQ adapter carries, read back raw from the broker, the context of its
 * producer span in `ce_traceparent` / `cloudEvents:traceparent` (the CloudEvents distributed-tracing
 * extension), and a consumer of the bus handles it in a consumer span that is a child of that producer span.
 */
import { randomUUID } from 'node:crypto';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { EventCatalogue, photoFamilies, type CloudEvent, type PhotoFamily } from '@photos/contracts';
import { createKafkaBus, createRabbitMqBus, type EventBus } from '@photos/event-bus';
import { createTestVhost } from '@photos/event-bus/test-support/rabbitmq-vhost';
import { installTracing, type Tracing } from '@photos/service-kit';
import { connect } from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { groupQueue } from '../../packages/event-bus/src/adapters/rabbitmq-topology.js';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
beforeAll(async () => {
  tracing = await installTracing('traceparent-headers', [new SimpleSpanProcessor(exporter)]);
});
afterAll(() => tracing?.shutdown());
beforeEach(() => exporter.reset());

/** The trace id the event was made with (its producer's parent), as a request's would be. */
const ORIGIN_TRACE_ID = '1'.repeat(32);

function uploadedEvent(catalogue: EventCatalogue<PhotoFamily>): CloudEvent {
  const photoId = randomUUID();
  const data = {
    photoId,
    ownerId: randomUUID(),
    objectKey: `originals/o/${photoId}`,
    filename: 'a.jpg',
    contentType: 'image/jpeg',
    bytes: 1,
    sha256: 'a'.repeat(64),
    uploadedAt: new Date().toISOString(),
  };
  return catalogue.create('photo.uploaded', photoId, data, { source: '/test/traceparent', traceparent: `00-${ORIGIN_TRACE_ID}-${'2'.repeat(16)}-01` });
}

/** Publishes `event` (from no active span: as an outbox relay does) and returns its producer span. */
async function publishedBy(bus: EventBus, event: CloudEvent) {
  await context.with(trace.deleteSpan(context.active()), () => bus.publish(event));
  const producer = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.PRODUCER && s.attributes['messaging.message.id'] === event.id);
  expect(producer, 'a producer span for the event').toBeDefined();
  expect(producer!.spanContext().traceId).toBe(ORIGIN_TRACE_ID);
  expect(producer!.parentSpanContext?.spanId).toBe('2'.repeat(16));
  return producer!;
}

/** Handles the next event of `group` on `bus` (stopped with the bus) and returns the span the handler ran in. */
async function consumedBy(bus: EventBus, group: string) {
  let active: string | undefined;
  await new Promise<void>((resolve) => {
    const handlers = { 'photo.uploaded': async () => void ((active = trace.getActiveSpan()?.spanContext().spanId), resolve()) };
    void bus.subscribe({ group, handlers });
  });
  // The consumer span ends once the handler has returned and the event is acknowledged.
  await expect.poll(() => exporter.getFinishedSpans().some((s) => s.spanContext().spanId === active)).toBe(true);
  return exporter.getFinishedSpans().find((s) => s.spanContext().spanId === active)!;
}

describe('with tracing on, events carry their producer span in the traceparent header', () => {
  it('Kafka: ce_traceparent names the producer span; a consumer span is its child', async () => {
    const catalogue = new EventCatalogue<PhotoFamily>(`traceparent-${randomUUID().slice(0, 8)}`, photoFamilies);
    const brokers = inject('kafkaBrokers');
    const bus = await createKafkaBus({ brokers, clientId: 'traceparent', catalogue });
    const kafka = new Kafka({ clientId: 'traceparent-reader', brokers, logLevel: logLevel.NOTHING });
    const reader = kafka.consumer({ groupId: `traceparent-${randomUUID().slice(0, 8)}` });
    try {
      const event = uploadedEvent(catalogue);
      const producer = await publishedBy(bus, event);
      expect(producer.attributes).toMatchObject({
        'messaging.system': 'kafka',
        'messaging.destination.name': catalogue.channel,
        'messaging.operation': 'publish',
      });
      await reader.connect();
      await reader.subscribe({ topic: catalogue.channel, fromBeginning: true });
      const headers = await new Promise<Record<string, string>>((resolve) => {
        void reader.run({
          eachMessage: async ({ message }) => resolve(Object.fromEntries(Object.entries(message.headers ?? {}).map(([n, v]) => [n, String(v)]))),
        });
      });
      expect(headers['ce_traceparent']).toBe(`00-${ORIGIN_TRACE_ID}-${producer.spanContext().spanId}-01`);

      const consumer = await consumedBy(bus, `traceparent-${randomUUID().slice(0, 8)}`);
      expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
      expect(consumer.attributes).toMatchObject({ 'messaging.system': 'kafka', 'messaging.operation': 'process' });
    } finally {
      await reader.disconnect();
      await bus.close();
    }
  });

  it('AMQP: cloudEvents:traceparent names the producer span; a consumer span is its child', async () => {
    const { url, remove } = await createTestVhost('traceparent');
    const catalogue = new EventCatalogue<PhotoFamily>('photo-events', photoFamilies);
    const bus = await createRabbitMqBus({ url, catalogue });
    const connection = await connect(url);
    try {
      const group = 'traceparent-raw';
      await (await bus.subscribe({ group, handlers: {} })).stop();
      const event = uploadedEvent(catalogue);
      const producer = await publishedBy(bus, event);
      expect(producer.attributes).toMatchObject({ 'messaging.system': 'rabbitmq', 'messaging.operation': 'publish' });
      const channel = await connection.createChannel();
      let message = await channel.get(groupQueue(catalogue.channel, group), { noAck: true });
      for (let tries = 0; message === false && tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        message = await channel.get(groupQueue(catalogue.channel, group), { noAck: true });
      }
      if (message === false) throw new Error('the published event never reached the group queue');
      const header = message.properties.headers?.['cloudEvents:traceparent'] as Buffer | string | undefined;
      expect(String(header)).toBe(`00-${ORIGIN_TRACE_ID}-${producer.spanContext().spanId}-01`);

      // A group subscribed before the publication, to see the consumer span.
      exporter.reset();
      const consumed = consumedBy(bus, 'traceparent-consumer');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const second = await publishedBy(bus, uploadedEvent(catalogue));
      const consumer = await consumed;
      expect(consumer.parentSpanContext?.spanId).toBe(second.spanContext().spanId);
      expect(consumer.attributes).toMatchObject({
        'messaging.system': 'rabbitmq',
        'messaging.operation': 'process',
        'messaging.consumer.group.name': 'traceparent-consumer',
      });
    } finally {
      await connection.close();
      await bus.close();
      await remove();
    }
  });
});
