import type { IncomingMessage } from 'node:http';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Span } from '@opentelemetry/api';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isTracingOn } from './tracing.js';

// The server span of a request, made when Fastify asks for its id (see startServerSpan).
const spans = new WeakMap<IncomingMessage, Span>();

/**
 * Starts the server span of a request, a child of the context its `traceparent` header carries, and
 * returns its trace id; nothing when tracing is off. Called from `genReqId`, the first thing Fastify
 * runs for a request, so a request without a correlation id of its own gets the trace id as one: logs
 * and traces of a request are found with one id. A probe request's span is never ended, so never exported.
 */
export function startServerSpan(request: IncomingMessage, serviceName: string): string | undefined {
  if (!isTracingOn()) return undefined;
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  const span = trace.getTracer(serviceName).startSpan(request.method ?? 'HTTP', { kind: SpanKind.SERVER }, parent);
  spans.set(request, span);
  return span.spanContext().traceId;
}

/**
 * Runs each request's hooks and handler inside its server span (Fastify calls the next hook
 * synchronously from `done`, so `context.with` covers the rest of the request), names the span after
 * the route template and ends it with the status code.
 *
 * Why by hand: `@fastify/otel` and `@opentelemetry/instrumentation-http` start the server span in the
 * patched `node:http`, which under ESM needs a `--import` loader hook (import-in-the-middle) in every
 * start command, tsx and compiled alike; these two hooks need nothing.
 */
export const serverSpansPlugin: FastifyPluginAsync = fp(
  async (app) => {
    app.addHook('onRequest', (request, _reply, done) => {
      const span = spans.get(request.raw);
      if (!span) return done();
      const route = request.routeOptions.url;
      span.updateName(route ? `${request.method} ${route}` : request.method);
      span.setAttributes({ 'http.request.method': request.method, 'url.path': request.url.split('?')[0] ?? '', ...(route ? { 'http.route': route } : {}) });
      const parent = propagation.extract(ROOT_CONTEXT, request.headers);
      context.with(trace.setSpan(parent, span), done);
    });
    app.addHook('onResponse', async (request, reply) => end(request, reply.statusCode));
    app.addHook('onRequestAbort', async (request) => end(request, undefined));
  },
  { name: '@photos/service-kit/server-spans', fastify: '5.x' },
);

function end(request: FastifyRequest, statusCode: number | undefined) {
  const span = spans.get(request.raw);
  if (!span) return;
  spans.delete(request.raw);
  if (request.routeOptions.config?.probe === true) return;
  if (statusCode === undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: 'client aborted' });
  else {
    span.setAttribute('http.response.status_code', statusCode);
    if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
