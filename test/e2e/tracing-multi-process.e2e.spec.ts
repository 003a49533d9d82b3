/**
 * Issue 13, tracing in the multi-process mode: every service its own process (test/support/process-platform.ts,
 * on RabbitMQ), each exporting over OTLP/HTTP (JSON) to a collector this test runs. One upload through the
 * BFF gives one trace whose spans come from the four services, as their `service.name` resources say.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { createTestVhost } from '../../packages/event-bus/src/test-support/rabbitmq-vhost.js';
import { distinctPhotos } from '../support/distinct-photos.js';
import { ProcessPlatform } from '../support/process-platform.js';
import { apiClient } from '../support/public-api.js';

interface ExportedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
}

type AnyValue = { stringValue?: string };
interface OtlpJson {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: AnyValue }[] };
    scopeSpans?: { spans?: { name: string; traceId: string; spanId: string; parentSpanId?: string }[] }[];
  }[];
}

/** OTLP/JSON ids are hex; base64 is accepted too (the protobuf-JSON mapping). */
const hex = (id: string | undefined) => (!id ? '' : /^[0-9a-f]+$/.test(id) ? id : Buffer.from(id, 'base64').toString('hex'));

/** The smallest OTLP/HTTP trace receiver: keeps every span it is sent. */
function startCollector(spans: ExportedSpan[]): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpJson;
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service = resourceSpans.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const s of scope.spans ?? [])
            spans.push({ service, name: s.name, traceId: hex(s.traceId), spanId: hex(s.spanId), parentSpanId: hex(s.parentSpanId) });
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const BROWSER_TRACE_ID = '5af7183fb1d4cf5f6cbb2ff9d9b5e2a1';
const BROWSER_SPAN_ID = '1f1e1d1c1b1a1918';

describe('tracing across processes', () => {
  const spans: ExportedSpan[] = [];
  let collector: Server;
  let vhost: Awaited<ReturnType<typeof createTestVhost>>;
  let platform: ProcessPlatform;

  beforeAll(async () => {
    collector = await startCollector(spans);
    vhost = await createTestVhost('tracing');
    platform = new ProcessPlatform({
      AMQP_URL: vhost.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
      // Batches leave every 200 ms instead of 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    await platform.start(1);
  }, 180_000);
  afterAll(async () => {
    await platform?.stop();
    await vhost?.remove();
    await new Promise((resolve) => collector?.close(resolve));
  });

  it('one upload is one trace with spans of the BFF, upload, processor and metadata processes', { timeout: 120_000 }, async () => {
    onTestFailed(() => console.log(platform.logs()));
    const api = apiClient(platform.bff.url);
    const { accessToken } = await api.register('tracing-processes@example.com', 'a password for the tracing test');
    const [photo] = await distinctPhotos(1, 640);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(photo!.bytes)]), photo!.name);
    const uploaded = await fetch(`${platform.bff.url}/api/photos`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${accessToken}`, traceparent: `00-${BROWSER_TRACE_ID}-${BROWSER_SPAN_ID}-01` },
    });
    expect(uploaded.status).toBe(202);

    const inTrace = () => spans.filter((s) => s.traceId === BROWSER_TRACE_ID);
    const has = (service: string, name: RegExp) => inTrace().some((s) => s.service === service && name.test(s.name));
    await expect
      .poll(
        () => ({
          bff: has('bff', /^POST \/api\/photos$/),
          upload: has('upload', /^POST \/photos$/) && has('upload', /^publish /),
          processor: has('processor', /^process /) && has('processor', /^process image$/) && has('processor', /^publish /),
          // photo.uploaded and photo.processed projected.
          metadata: inTrace().filter((s) => s.service === 'metadata' && /^process /.test(s.name)).length === 2,
          push: has('bff', /^sse push photo\.processed$/),
        }),
        { timeout: 60_000, interval: 250 },
      )
      .toEqual({ bff: true, upload: true, processor: true, metadata: true, push: true });
    // One tree: every span's parent is the browser's span or another span of the trace.
    const trace = inTrace();
    const ids = new Set([BROWSER_SPAN_ID, ...trace.map((s) => s.spanId)]);
    expect(trace.filter((s) => !ids.has(s.parentSpanId))).toEqual([]);
    // The processes are linked by the events: each consumer span is a child of the producer span of another process.
    const parentOf = (span: ExportedSpan) => trace.find((s) => s.spanId === span.parentSpanId);
    const consumedBy = (service: string) => trace.filter((s) => s.service === service && /^process /.test(s.name) && s.name !== 'process image');
    const producers = (spans: ExportedSpan[]) => spans.map(parentOf).map((p) => p && `${p.service}: ${p.name.split(' ')[0]}`);
    expect(producers(consumedBy('processor'))).toEqual(['upload: publish']);
    // Metadata projects photo.uploaded (from upload) and photo.processed (from the processor).
    expect(producers(consumedBy('metadata')).sort()).toEqual(['processor: publish', 'upload: publish']);
  });
});
