/**
 * Tracing across processes rides on the message headers: with tracing on, an event published through the
 * Kafka adapter and through the RabbitMQ adapter carries, read back raw from the broker, the context of its
 * producer span in `ce_traceparent` / `cloudEvents:traceparent` (the CloudEvents distributed-tracing
 * extension), and a consumer of the bus handles it in a consumer span that is a child of that producer span.
 */
import { randomUUID } from 'node:crypto';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { EventCatalogue, photoFamilies, type CloudEvent, type PhotoFamily } from '@photos/contracts';
import { createKafkaBus, createRabbitMqBus, type EventBus } from '@photos/event-bus';
import { createTestVhost } from '@photos/event-bus/test-support/rabbitmq-vhost';
import { installTracing, type Tracing } from '@photos/service-kit';
import { connect } from 'amqplib';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { firstKafkaRecord, nextGroupMessage, uploadedEvent } from '../support/raw-messages.js';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
beforeAll(async () => {
  tracing = await installTracing('traceparent-headers', [new SimpleSpanProcessor(exporter)]);
});
afterAll(() => tracing?.shutdown());
beforeEach(() => exporter.reset());

/** The trace id the event was made with (its producer's parent), as a request's would be. */
const ORIGIN_TRACE_ID = '1'.repeat(32);

const uploaded = (catalogue: EventCatalogue<PhotoFamily>) =>
  uploadedEvent(catalogue, { source: '/test/traceparent', traceparent: `00-${ORIGIN_TRACE_ID}-${'2'.repeat(16)}-01` });

/** Publishes `event` (from no active span: as an outbox relay does) and returns its producer span. */
async function publishedBy(bus: EventBus, event: CloudEvent) {
  await context.with(trace.deleteSpan(context.active()), () => bus.publish(event));
  const producer = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.PRODUCER && s.attributes['messaging.message.id'] === event.id);
  expect(producer, 'a producer span for the event').toBeDefined();
  expect(producer!.spanContext().traceId).toBe(ORIGIN_TRACE_ID);
  expect(producer!.parentSpanContext?.spanId).toBe('2'.repeat(16));
  return producer!;
}

/**
 * Subscribes `group` on `bus` (stopped with the bus); once subscribed, gives a function that waits for the
 * group's next event and returns the span its handler ran in.
 */
async function consumedBy(bus: EventBus, group: string): Promise<() => Promise<ReadableSpan>> {
  let active: string | undefined;
  let handled!: () => void;
  const handledOnce = new Promise<void>((resolve) => (handled = resolve));
  const handlers = { 'photo.uploaded': async () => void ((active = trace.getActiveSpan()?.spanContext().spanId), handled()) };
  await bus.subscribe({ group, handlers });
  return async () => {
    await handledOnce;
    // The consumer span ends once the handler has returned and the event is acknowledged.
    await expect.poll(() => exporter.getFinishedSpans().some((s) => s.spanContext().spanId === active)).toBe(true);
    return exporter.getFinishedSpans().find((s) => s.spanContext().spanId === active)!;
  };
}

describe('with tracing on, events carry their producer span in the traceparent header', () => {
  it('Kafka: ce_traceparent names the producer span; a consumer span is its child', async () => {
    const catalogue = new EventCatalogue<PhotoFamily>(`traceparent-${randomUUID().slice(0, 8)}`, photoFamilies);
    const brokers = inject('kafkaBrokers');
    const bus = await createKafkaBus({ brokers, clientId: 'traceparent', catalogue });
    try {
      const event = uploaded(catalogue);
      const producer = await publishedBy(bus, event);
      expect(producer.attributes).toMatchObject({
        'messaging.system': 'kafka',
        'messaging.destination.name': catalogue.channel,
        'messaging.operation': 'publish',
      });
      const { headers } = await firstKafkaRecord(brokers, catalogue.channel);
      expect(headers['ce_traceparent']).toBe(`00-${ORIGIN_TRACE_ID}-${producer.spanContext().spanId}-01`);

      const consumer = await (await consumedBy(bus, `traceparent-${randomUUID().slice(0, 8)}`))();
      expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
      expect(consumer.attributes).toMatchObject({ 'messaging.system': 'kafka', 'messaging.operation': 'process' });
    } finally {
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
      const producer = await publishedBy(bus, uploaded(catalogue));
      expect(producer.attributes).toMatchObject({ 'messaging.system': 'rabbitmq', 'messaging.operation': 'publish' });
      const { headers } = await nextGroupMessage(connection, catalogue.channel, group);
      expect(headers['cloudEvents:traceparent']).toBe(`00-${ORIGIN_TRACE_ID}-${producer.spanContext().spanId}-01`);

      // A group subscribed before the publication, to see the consumer span.
      exporter.reset();
      const consumed = await consumedBy(bus, 'traceparent-consumer');
      const second = await publishedBy(bus, uploaded(catalogue));
      const consumer = await consumed();
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
