import { createError, PayloadTooLargeError } from '@photos/service-kit';

/** 400: the body is not well-formed multipart/form-data. */
export const MalformedMultipartError = createError<'MALFORMED_MULTIPART', 400, [detail: string]>('MALFORMED_MULTIPART', '%s', 400);

/** The limits the multipart parser enforces, named in the answers. */
export interface MultipartLimits {
  files: number;
  fields: number;
  parts: number;
  /** Bytes of one form field's value. */
  fieldSize: number;
}

/** What busboy says (plain Errors, told apart by message only) and what the client is told. */
const PARSER_MESSAGES: [RegExp, string][] = [
  [/boundary not found/i, 'The Content-Type has no boundary: send multipart/form-data; boundary=...'],
  [/unexpected end of multipart data|terminated early/i, 'The multipart body ended before its closing boundary (truncated).'],
  [/needle cannot have a length/i, 'The multipart boundary is too long (at most 70 characters).'],
  [/unsupported content-type|missing content-type/i, 'Send photos as multipart/form-data, in parts named "file".'],
];

/**
 * The 4xx answer for a failure of the multipart transport: the parser (busboy, @fastify/multipart) or
 * the request stream under it. Everything that fails there is about the body the client sent (or the
 * client leaving), never the service, so nothing here is a 5xx.
 */
export function multipartFailure(error: unknown, limits: MultipartLimits): Error & { statusCode: number } {
  const { code, message = '', statusCode } = (error ?? {}) as { code?: string; message?: string; statusCode?: number };
  switch (code) {
    case 'FST_PARTS_LIMIT':
      return new PayloadTooLargeError(`The request has more than ${limits.parts} parts.`);
    case 'FST_FILES_LIMIT':
      return new PayloadTooLargeError(`The request has more than ${limits.files} files.`);
    case 'FST_FIELDS_LIMIT':
      return new PayloadTooLargeError(`The request has more than ${limits.fields} form fields.`);
    case 'FST_MP_PREMATURE_CLOSE':
    case 'ECONNRESET':
      return new MalformedMultipartError('The connection closed before the request body ended.');
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) return error as Error & { statusCode: number };
  const known = PARSER_MESSAGES.find(([pattern]) => pattern.test(message));
  return new MalformedMultipartError(known?.[1] ?? 'The multipart body is malformed.');
}
