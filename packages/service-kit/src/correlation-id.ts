import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { startServerSpan } from './server-spans.js';

/** The header that carries the correlation id in requests and replies (and that services forward). */
export const CORRELATION_ID_HEADER = 'x-correlation-id';

// Bounded and free of spaces and quotes, so a client cannot inject log lines or giant ids.
const VALID_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// W3C trace context: version-traceid-parentid-flags; version ff and an all-zero trace id are invalid.
const TRACEPARENT = /^(?!ff)[0-9a-f]{2}-(?!0{32})([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The correlation id a request brings: a valid `x-correlation-id`, else the trace id of a valid W3C
 * `traceparent`, else `undefined`.
 */
export function correlationIdFrom(headers: IncomingHttpHeaders): string | undefined {
  const given = headers[CORRELATION_ID_HEADER];
  if (typeof given === 'string' && VALID_CORRELATION_ID.test(given)) return given;
  const traceparent = headers.traceparent;
  const traceId = typeof traceparent === 'string' ? TRACEPARENT.exec(traceparent.trim().toLowerCase())?.[1] : undefined;
  return traceId;
}

/**
 * Fastify `genReqId`: the request's correlation id ({@link correlationIdFrom}), else, when tracing is on,
 * the trace id of the request's server span (started here, see startServerSpan), else a new random UUID.
 */
export function genCorrelationId(request: IncomingMessage, serviceName = 'service'): string {
  const traceId = startServerSpan(request, serviceName);
  return correlationIdFrom(request.headers) ?? traceId ?? randomUUID();
}

/**
 * Echoes the correlation id (`request.id`) in the `x-correlation-id` reply header of every reply,
 * errors and 404s included. Set early (onRequest) so it survives error handling.
 */
export const correlationIdPlugin: FastifyPluginAsync = fp(
  async (app) => {
    app.addHook('onRequest', async (request, reply) => {
      reply.header(CORRELATION_ID_HEADER, request.id);
    });
  },
  { name: '@photos/service-kit/correlation-id', fastify: '5.x' },
);
