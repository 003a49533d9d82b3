import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import Type, { type Static } from 'typebox';

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

function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  fields: Partial<ProblemDetails>,
) {
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
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).send(problem);
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
