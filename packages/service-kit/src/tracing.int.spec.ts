import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { createServiceApp, type ServiceApp } from './service-app.js';
import { installTracing, isTracingOn, startTracing, type Tracing } from './tracing.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN_ID = '00f067aa0ba902b7';

let app: ServiceApp | undefined;
let tracing: Tracing | undefined;
afterEach(async () => {
  await app?.close();
  await tracing?.shutdown();
  app = tracing = undefined;
});

async function buildApp(logs: Record<string, unknown>[]): Promise<ServiceApp> {
  app = await createServiceApp({ name: 'upload', logLevel: 'info', logStream: { write: (line: string) => void logs.push(JSON.parse(line)) } });
  app.get('/photos/:id', async (request) => {
    request.log.info('handling');
    return { correlationId: request.id };
  });
  return app;
}

describe('tracing', () => {
  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT: nothing installed, logs without trace ids', async () => {
    expect(await startTracing({ OTEL_SERVICE_NAME: 'upload' }, 'upload')).toBeUndefined();
    expect(isTracingOn()).toBe(false);
    const logs: Record<string, unknown>[] = [];
    await buildApp(logs);
    const response = await app!.inject({ url: '/photos/1' });
    expect(response.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(logs.find((line) => line['msg'] === 'handling')).not.toHaveProperty('trace_id');
  });

  it('makes a server span per request, a child of the incoming traceparent, named after the route; logs carry its ids', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = await installTracing('upload', [new SimpleSpanProcessor(exporter)]);
    const logs: Record<string, unknown>[] = [];
    await buildApp(logs);

    const response = await app!.inject({ url: '/photos/1?token=x', headers: { traceparent: `00-${TRACE_ID}-${PARENT_SPAN_ID}-01` } });
    expect(response.statusCode).toBe(200);
    await app!.inject({ url: '/health/live' });
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => [s.name, SpanKind[s.kind], s.instrumentationScope.name])).toEqual([['GET /photos/:id', 'SERVER', 'upload']]);
    const [span] = spans;
    expect(span!.spanContext().traceId).toBe(TRACE_ID);
    expect(span!.parentSpanContext?.spanId).toBe(PARENT_SPAN_ID);
    expect(span!.attributes).toMatchObject({ 'http.route': '/photos/:id', 'http.response.status_code': 200, 'url.path': '/photos/1' });
    expect(logs.find((line) => line['msg'] === 'handling')).toMatchObject({ trace_id: TRACE_ID, span_id: span!.spanContext().spanId });
  });

  it('gives a request without a correlation id of its own its trace id as one', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = await installTracing('upload', [new SimpleSpanProcessor(exporter)]);
    await buildApp([]);
    const response = await app!.inject({ url: '/photos/1' });
    const [span] = exporter.getFinishedSpans();
    expect(response.headers['x-correlation-id']).toBe(span!.spanContext().traceId);
    expect(span!.parentSpanContext).toBeUndefined();
  });
});
