import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Context, type Span } from '@opentelemetry/api';
import type { CloudEvent } from '@photos/contracts';

/**
 * Spans of the bus, after the OpenTelemetry messaging semantic conventions. They go through the global
 * API: with no SDK installed (tracing off) every call is a no-op and events keep the `traceparent` they
 * were made with.
 */
const tracer = () => trace.getTracer('@photos/event-bus');

/** The `messaging.system` of a transport (`memory` is ours: the in-process broker). */
export type MessagingSystem = 'kafka' | 'rabbitmq' | 'memory';

const attributesOf = (event: CloudEvent, system: MessagingSystem, destination: string, operation: 'publish' | 'process') => ({
  'messaging.system': system,
  'messaging.destination.name': destination,
  'messaging.operation': operation,
  'messaging.operation.type': operation,
  'messaging.message.id': event.id,
  'cloudevents.event_id': event.id,
  'cloudevents.event_type': event.type,
  'cloudevents.event_subject': event.subject,
});

const contextOf = (traceparent: string | undefined): Context => (traceparent === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, { traceparent }));

/**
 * Publishes `event` inside a producer span and carries that span's context in the event's `traceparent`
 * (the CloudEvents distributed-tracing extension). The parent is the active span when there is one (a
 * consumer publishing what it made), else the `traceparent` the event was made with: an outbox relay
 * publishes long after the request, outside its context.
 */
export async function publishTraced(
  event: CloudEvent,
  transport: { system: MessagingSystem; destination: string },
  send: (event: CloudEvent) => Promise<void>,
): Promise<void> {
  const active = trace.getSpan(context.active());
  const parent = active?.isRecording() ? context.active() : contextOf(event.traceparent);
  const span = tracer().startSpan(
    `publish ${transport.destination}`,
    { kind: SpanKind.PRODUCER, attributes: attributesOf(event, transport.system, transport.destination, 'publish') },
    parent,
  );
  if (!span.isRecording()) return send(event);
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(parent, span), carrier);
  const traced = carrier['traceparent'] ? { ...event, traceparent: carrier['traceparent'] } : event;
  return ended(span, () => send(traced));
}

/**
 * Runs a consumer's handling of `event` (all its tries) in a consumer span, a child of the producer
 * span whose context the event carries, so the handler's own spans and publications join the trace.
 */
export function processTraced<T>(
  event: CloudEvent,
  transport: { system: MessagingSystem; destination: string; group: string },
  work: () => Promise<T>,
  failureOf: (result: T) => string | undefined = () => undefined,
): Promise<T> {
  const parent = contextOf(event.traceparent);
  const span = tracer().startSpan(
    `process ${transport.destination}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: { ...attributesOf(event, transport.system, transport.destination, 'process'), 'messaging.consumer.group.name': transport.group },
    },
    parent,
  );
  if (!span.isRecording()) return work();
  return context.with(trace.setSpan(parent, span), () => ended(span, work, failureOf));
}

async function ended<T>(span: Span, work: () => Promise<T>, failureOf: (result: T) => string | undefined = () => undefined): Promise<T> {
  try {
    const result = await work();
    const failure = failureOf(result);
    if (failure !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: failure });
    return result;
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}
