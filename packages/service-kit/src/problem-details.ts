import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import Type, { type Static } from 'typebox';
import { correlationIdFrom } from './correlation-id.js';

/** One invalid field of a request, located by JSON pointer inside the part of the request named by `in`. */
export const FieldErrorSchema = Type.Object({
  in: Type.String({ description: 'body, querystring, params or headers' }),
  pointer: Type.String({ description: 'JSON pointer inside that part, e.g. /email' }),
  detail: Type.String(),
});

/** RFC 9457 problem details, as every service answers errors (content type application/problem+json). */
export const ProblemDetailsSchema = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  instance: Type.String(),
  correlationId: Type.String(),
  /** A stable machine-readable code (e.g. NOT_FOUND) on client errors that have one. */
  code: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Array(FieldErrorSchema)),
});

/** See {@link FieldErrorSchema}. */
export type FieldError = Static<typeof FieldErrorSchema>;
/** See {@link ProblemDetailsSchema}. */
export type ProblemDetails = Static<typeof ProblemDetailsSchema>;

/** Content type of problem details (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * Security headers every problem answer carries, whatever answered it: the BFF's helmet sets its own
 * (kept), and these cover the answers no hook ran for (Node's 431/400 before Fastify, a URL Fastify
 * could not route). A problem body is data, never a page: nothing may run, frame or sniff it.
 */
export const PROBLEM_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

const HIDDEN_DETAIL = 'The server could not complete the request. Quote the correlation id when reporting it.';

/**
 * The error and not-found handlers of a service, answering RFC 9457 problem details.
 * Schema validation errors: 400 with `errors`. Errors with a 4xx `statusCode`: their message as `detail`.
 * Anything else: logged with its stack, answered with a generic detail that hides the internals.
 */
export const problemDetailsPlugin: FastifyPluginAsync = fp(
  async (app) => {
    app.setErrorHandler(sendErrorProblem);
    app.setNotFoundHandler((request, reply) =>
      sendProblem(request, reply, 404, {
        detail: `No route matches ${request.method} ${pathOf(request)}`,
        code: 'ROUTE_NOT_FOUND',
      }),
    );
  },
  { name: '@photos/service-kit/problem-details', fastify: '5.x' },
);

function sendErrorProblem(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = statusOf(error);
  const headers = (error as { headers?: unknown }).headers;
  if (headers && typeof headers === 'object') reply.headers(headers as Record<string, string>);

  if (status >= 500) {
    request.log.error({ err: error }, 'request failed');
    return sendProblem(request, reply, status, { detail: HIDDEN_DETAIL });
  }
  request.log.info({ code: error.code, status }, error.message);
  const problem: Partial<ProblemDetails> = { detail: error.message };
  if (typeof error.code === 'string') problem.code = error.code;
  if (error.validation) {
    const part = error.validationContext ?? 'body';
    problem.errors = error.validation.map((issue) => {
      const params = issue.params as { missingProperty?: string; additionalProperty?: string };
      const field = params.missingProperty ?? params.additionalProperty;
      return { in: part, pointer: field ? `${issue.instancePath}/${field}` : issue.instancePath || '/', detail: issue.message ?? 'is invalid' };
    });
  }
  return sendProblem(request, reply, status, problem);
}

function sendProblem(request: FastifyRequest, reply: FastifyReply, status: number, fields: Partial<ProblemDetails>) {
  const problem: ProblemDetails = {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail: fields.detail ?? STATUS_CODES[status] ?? 'Error',
    instance: pathOf(request),
    correlationId: request.id,
    ...(fields.code ? { code: fields.code } : {}),
    ...(fields.errors ? { errors: fields.errors } : {}),
  };
  for (const [name, value] of Object.entries(PROBLEM_SECURITY_HEADERS)) if (!reply.hasHeader(name)) reply.header(name, value);
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

/**
 * Fastify `frameworkErrors`: what Fastify refuses before routing (a URL it cannot decode, a parameter
 * too long, a failing route constraint) is a problem+json 4xx too, not Fastify's own JSON. Its message
 * echoes the URL, so the detail here does not.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.code === 'FST_ERR_ASYNC_CONSTRAINT' ? 500 : 400;
  request.log.info({ code: error.code, status }, 'refused before routing');
  void sendProblem(request, reply, status, {
    detail: status === 400 ? 'The request URL is not valid.' : HIDDEN_DETAIL,
    ...(status === 400 && error.code ? { code: error.code } : {}),
  });
}

/** The error's own 4xx/5xx status, else 500 (an error without a status is a bug, not the client's fault). */
function statusOf(error: FastifyError): number {
  const status = error.statusCode ?? (error as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : 500;
}

// The path only: query strings may carry tokens and do not identify the occurrence.
function pathOf(request: FastifyRequest): string {
  const query = request.url.indexOf('?');
  return query === -1 ? request.url : request.url.slice(0, query);
}

/** How Node names the client errors it reports before a request reaches Fastify, and what we answer. */
const CLIENT_ERRORS: Record<string, { status: number; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: 'The request (headers or body) did not arrive in time.' },
  HPE_HEADER_OVERFLOW: { status: 431, detail: 'The request headers are too large.' },
};

/**
 * Fastify `clientErrorHandler`: Node could not read a request (malformed HTTP, headers too large, the
 * headers or whole-request timeout). Answers a problem+json on the raw socket when no response has
 * started on it, then closes the connection (its byte stream can no longer be trusted). Nothing
 * reached a route, so there is no request id: the client's correlation id is echoed when it sent one.
 */
export function answerClientError(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = (error.code && CLIENT_ERRORS[error.code]) || { status: 400, detail: 'The request is not valid HTTP.' };
  const response = (socket as Socket & { _httpMessage?: ServerResponse & { req?: IncomingMessage } })._httpMessage;
  this.log.info({ code: error.code, status: known.status }, `client error: ${error.message}`);
  if (socket.writable && !response?.headersSent) {
    const url = response?.req?.url ?? '/';
    const problem: ProblemDetails = {
      type: 'about:blank',
      title: STATUS_CODES[known.status] ?? 'Error',
      status: known.status,
      detail: known.detail,
      instance: url.split('?')[0] ?? '/',
      correlationId: (response?.req && correlationIdFrom(response.req.headers)) ?? randomUUID(),
    };
    const body = JSON.stringify(problem);
    const security = Object.entries(PROBLEM_SECURITY_HEADERS)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(
      `HTTP/1.1 ${known.status} ${problem.title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n${security}` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
