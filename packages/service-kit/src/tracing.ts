import { context, propagation, trace } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Tracing installed in this process: flushes and removes it. */
export interface Tracing {
  shutdown(): Promise<void>;
}

// OpenTelemetry's API is process-wide (one tracer provider, one context manager): so is this.
let installed: Tracing | undefined;

/** True once {@link startTracing} or {@link installTracing} has set up an SDK in this process. */
export const isTracingOn = (): boolean => installed !== undefined;

/**
 * Installs a tracer provider (service name `serviceName`) whose spans go to `processors`, as the
 * process-wide one, with the W3C trace-context propagator and an AsyncLocalStorage context manager.
 * The runner calls it through {@link startTracing}; tests call it with an in-memory exporter before
 * starting services. The SDK is imported here only, so a process without tracing never loads it.
 */
export async function installTracing(serviceName: string, processors: SpanProcessor[]): Promise<Tracing> {
  if (installed) throw new Error('tracing is already installed in this process');
  const [{ NodeTracerProvider }, { resourceFromAttributes }, { ATTR_SERVICE_NAME }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  const provider = new NodeTracerProvider({ resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }), spanProcessors: processors });
  // Default propagator: W3C trace context and baggage; default context manager: AsyncLocalStorage.
  provider.register();
  const tracing: Tracing = {
    async shutdown() {
      if (installed !== tracing) return;
      installed = undefined;
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        context.disable();
        propagation.disable();
      }
    },
  };
  installed = tracing;
  return tracing;
}

/**
 * Tracing as the standard OpenTelemetry variables ask: when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, spans
 * are batched and exported over OTLP/HTTP (to `<endpoint>/v1/traces`) under `OTEL_SERVICE_NAME`, else
 * `defaultName`. Unset: nothing is installed and the API stays a no-op (no SDK loaded, no cost).
 * Also nothing when tracing is already installed (a test's in-memory exporter, several services in one process).
 */
export async function startTracing(env: Readonly<Record<string, string | undefined>>, defaultName: string): Promise<Tracing | undefined> {
  const endpoint = env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (!endpoint || installed) return undefined;
  const [{ OTLPTraceExporter }, { BatchSpanProcessor }] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/sdk-trace-base'),
  ]);
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
  return installTracing(env['OTEL_SERVICE_NAME'] || defaultName, [new BatchSpanProcessor(exporter)]);
}
