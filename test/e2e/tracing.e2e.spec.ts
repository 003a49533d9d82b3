/**
 * Issue 13, tracing: one upload through the BFF gives one trace that spans the four services: the BFF's
 * and upload's server spans, the producer span of `photo.uploaded`, the processor's consumer span with
 * the image work inside, the producer span of `photo.processed`, metadata's projection and the BFF's
 * SSE push in consumer spans. The services run in one process (the embedded composition) with an
 * in-memory exporter; what links them is what crosses process boundaries in the multi-process mode: the
 * `traceparent` HTTP header the BFF sends and the `traceparent` extension each event carries in its
 * headers (the raw Kafka and AMQP headers are checked in test/contracts/asyncapi-headers.int.spec.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { installTracing, type Tracing } from '@photos/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPlatform } from '../../apps/embedded/src/embedded-platform.js';
import { distinctPhotos } from '../support/distinct-photos.js';
import { apiClient } from '../support/public-api.js';

const scratch = mkdtempSync(join(tmpdir(), 'tracing-'));
const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let platform: Awaited<ReturnType<typeof startEmbeddedPlatform>>;

beforeAll(async () => {
  tracing = await installTracing('photos', [new SimpleSpanProcessor(exporter)]);
  platform = await startEmbeddedPlatform({ dataDir: scratch, port: 0, host: '127.0.0.1', env: { LOG_LEVEL: 'warn', SCRYPT_COST: '12' } });
}, 120_000);
afterAll(async () => {
  await platform?.stop();
  await tracing?.shutdown();
  rmSync(scratch, { recursive: true, force: true });
});

/** The browser's own span: the root every span of the upload descends from. */
const BROWSER_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const BROWSER_SPAN_ID = '00f067aa0ba902b7';

const describeSpan = (s: ReadableSpan) => ({
  name: s.name,
  scope: s.instrumentationScope.name,
  kind: SpanKind[s.kind],
  group: s.attributes['messaging.consumer.group.name'],
});

describe('tracing', () => {
  it('gives one upload one trace across the BFF, upload, processor and metadata', { timeout: 120_000 }, async () => {
    const api = apiClient(platform.url);
    const { accessToken } = await api.register('tracing@example.com', 'a password for the tracing test');
    exporter.reset();
    const [photo] = await distinctPhotos(1, 640);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(photo!.bytes)]), photo!.name);
    const uploaded = await fetch(`${platform.url}/api/photos`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${accessToken}`, traceparent: `00-${BROWSER_TRACE_ID}-${BROWSER_SPAN_ID}-01` },
    });
    expect(uploaded.status).toBe(202);
    // Without an x-correlation-id of its own, the request's correlation id is its trace id.
    expect(uploaded.headers.get('x-correlation-id')).toBe(BROWSER_TRACE_ID);

    const inTrace = () => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === BROWSER_TRACE_ID);
    const wanted = [
      { name: 'POST /api/photos', scope: 'bff', kind: 'SERVER' },
      { name: 'POST /photos', scope: 'upload', kind: 'SERVER' },
      { name: expect.stringMatching(/^publish /), scope: '@photos/event-bus', kind: 'PRODUCER' },
      { name: expect.stringMatching(/^process /), scope: '@photos/event-bus', kind: 'CONSUMER', group: 'processor' },
      { name: 'process image', scope: 'processor', kind: 'INTERNAL' },
      { name: expect.stringMatching(/^process /), scope: '@photos/event-bus', kind: 'CONSUMER', group: 'metadata' },
      { name: expect.stringMatching(/^process /), scope: '@photos/event-bus', kind: 'CONSUMER', group: expect.stringMatching(/^bff-live-/) },
      { name: 'sse push photo.processed', scope: 'bff', kind: 'INTERNAL' },
    ];
    await expect
      .poll(() => inTrace().map(describeSpan), { timeout: 60_000, interval: 200 })
      .toEqual(expect.arrayContaining(wanted.map((w) => expect.objectContaining(w))));

    const spans = inTrace();
    // Two publications (photo.uploaded, then photo.processed), each with the messaging conventions.
    const producers = spans.filter((s) => s.kind === SpanKind.PRODUCER);
    expect(producers.map((s) => s.attributes['cloudevents.event_type']).sort()).toEqual(['photo.processed.v1', 'photo.uploaded.v1']);
    for (const producer of producers) {
      expect(producer.attributes).toMatchObject({
        'messaging.system': 'memory',
        'messaging.operation': 'publish',
        'messaging.destination.name': expect.any(String),
      });
    }
    // One tree: every span's parent is the browser's span or another span of the trace.
    const ids = new Set([BROWSER_SPAN_ID, ...spans.map((s) => s.spanContext().spanId)]);
    expect(spans.filter((s) => !ids.has(s.parentSpanContext?.spanId ?? '')).map(describeSpan)).toEqual([]);
    // The processor's consumer span is a child of the producer span of photo.uploaded: propagated through the event.
    const uploadedProducer = producers.find((s) => s.attributes['cloudevents.event_type'] === 'photo.uploaded.v1')!;
    const processorConsumer = spans.find((s) => s.attributes['messaging.consumer.group.name'] === 'processor')!;
    expect(processorConsumer.parentSpanContext?.spanId).toBe(uploadedProducer.spanContext().spanId);
    const image = spans.find((s) => s.name === 'process image')!;
    expect(image.parentSpanContext?.spanId).toBe(processorConsumer.spanContext().spanId);
  });
});
