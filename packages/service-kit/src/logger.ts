import type { Server } from 'node:http';
import type { FastifyHttpOptions, FastifyServerOptions, FastifyRequest } from 'fastify';
import { LogController } from 'fastify';
import { trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type LevelWithSilent, type LoggerOptions } from 'pino';
import { genCorrelationId } from './correlation-id.js';
import { isTracingOn } from './tracing.js';

/** What the logger of a service needs to know. */
export interface LoggerSettings {
  /** The service name, written as `service` on every line. */
  service: string;
  level: LevelWithSilent;
}

/** What stands in a log line for a credential or a query value. */
export const REDACTED = '[redacted]';

/** Paths whose next segment is a share link's token: the BFF's link page and API, metadata's link routes. */
const SHARE_LINK_TOKEN = /^(\/s|\/api\/links|\/links)\/[^/?]+/;

/**
 * A request URL as logs may carry it: the path, and the query's parameter names with every value
 * replaced by {@link REDACTED}. Query values carry tokens (`?access_token=`), signatures (media URLs)
 * and whatever a client puts there; the names are enough to tell requests apart. A share link's token
 * sits in the path (`/s/<token>`, `/api/links/<token>/...`) and opens what it links to: redacted too.
 */
export function redactUrl(url: string): string {
  url = url.replace(SHARE_LINK_TOKEN, `$1/${REDACTED}`);
  const start = url.indexOf('?');
  if (start === -1) return url;
  const query = url
    .slice(start + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals === -1 ? pair : `${pair.slice(0, equals)}=${REDACTED}`;
    })
    .join('&');
  return `${url.slice(0, start)}?${query}`;
}

/**
 * pino options for the JSON logs of a service: level, `service` in every line (and, when tracing is on,
 * the `trace_id` and `span_id` of the active span), ISO `time`, the level as
 * a label, credentials (authorization, cookies) redacted wherever headers get logged, and request URLs
 * logged without their query values ({@link redactUrl}).
 */
export function loggerOptions({ service, level }: LoggerSettings): LoggerOptions {
  return {
    level,
    base: { service, pid: process.pid },
    ...(isTracingOn() ? { mixin: traceIdsOfActiveSpan } : {}),
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { req: requestSerializer },
    redact: {
      paths: [
        'headers.authorization',
        'headers.cookie',
        'headers["set-cookie"]',
        'headers["x-csrf-token"]',
        '*.headers.authorization',
        '*.headers.cookie',
        '*.headers["set-cookie"]',
        '*.headers["x-csrf-token"]',
      ],
      censor: REDACTED,
    },
  };
}

/** `trace_id` and `span_id` of the span a line is logged in, to go from a log line to its trace and back. */
function traceIdsOfActiveSpan(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** Fastify's request serializer (the `req` of "incoming request" lines), with {@link redactUrl}. */
function requestSerializer(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** Server options of a service besides logging: anything Fastify accepts except the logging options set here. */
export type ExtraServerOptions = Omit<
  FastifyHttpOptions<Server>,
  'logger' | 'loggerInstance' | 'genReqId' | 'requestIdHeader' | 'requestIdLogLabel' | 'logController'
>;

/** Settings of {@link serverOptions}. */
export interface ServerOptionsSettings extends LoggerSettings {
  /** Where log lines go; stdout when absent. Tests pass a stream to read the lines. */
  logStream?: DestinationStream;
}

/**
 * Fastify options for a service: JSON logs ({@link loggerOptions}), the correlation id as the request id
 * (`request.id`, logged as `correlationId`, taken from `x-correlation-id` or `traceparent` when valid,
 * else a new UUID), request logging on except for probe routes (`config: { probe: true }`).
 */
export function serverOptions({ logStream, ...settings }: ServerOptionsSettings): FastifyServerOptions {
  return {
    logger: { ...loggerOptions(settings), ...(logStream ? { stream: logStream } : {}) },
    genReqId: (request) => genCorrelationId(request, settings.service),
    // genReqId reads the headers itself: Fastify would otherwise trust any request-id value as is.
    requestIdHeader: false,
    logController: new ServiceLogController({ requestIdLogLabel: 'correlationId' }),
  };
}

/** Request logging on, except for probe routes (health, metrics) that infrastructure calls every few seconds. */
class ServiceLogController extends LogController {
  override isLogDisabled(request: FastifyRequest): boolean {
    return request.routeOptions?.config?.probe === true;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Marks an endpoint called by infrastructure (health, metrics): not request-logged, not in the request histogram. */
    probe?: boolean;
  }
}
