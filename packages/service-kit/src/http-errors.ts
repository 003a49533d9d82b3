import createError from '@fastify/error';

/**
 * Errors services throw from handlers; the problem-details handler answers them with their status and
 * message (`detail`) and their code. The argument is the detail, e.g. `new NotFoundError('No photo 42')`.
 * For service-specific errors use {@link createError}: `createError('PHOTO_TOO_LARGE', 'Photo exceeds %d bytes', 413)`.
 */
export const BadRequestError = createError<'BAD_REQUEST', 400, [detail: string]>('BAD_REQUEST', '%s', 400);
/** 401: missing or invalid credentials. */
export const UnauthorizedError = createError<'UNAUTHORIZED', 401, [detail: string]>('UNAUTHORIZED', '%s', 401);
/** 403: authenticated but not allowed (prefer 404 when the resource's existence must not leak). */
export const ForbiddenError = createError<'FORBIDDEN', 403, [detail: string]>('FORBIDDEN', '%s', 403);
/** 404: no such resource, or not visible to the caller. */
export const NotFoundError = createError<'NOT_FOUND', 404, [detail: string]>('NOT_FOUND', '%s', 404);
/** 408: the client took too long to send its request (idle or whole-body timeout). */
export const RequestTimeoutError = createError<'REQUEST_TIMEOUT', 408, [detail: string]>('REQUEST_TIMEOUT', '%s', 408);
/** 409: conflicts with the current state (e.g. the email is taken). */
export const ConflictError = createError<'CONFLICT', 409, [detail: string]>('CONFLICT', '%s', 409);
/** 413: the body exceeds a byte, pixel or frame limit. */
export const PayloadTooLargeError = createError<'PAYLOAD_TOO_LARGE', 413, [detail: string]>('PAYLOAD_TOO_LARGE', '%s', 413);
/** 415: a content type (or file type read from magic bytes) the service does not accept. */
export const UnsupportedMediaTypeError = createError<'UNSUPPORTED_MEDIA_TYPE', 415, [detail: string]>('UNSUPPORTED_MEDIA_TYPE', '%s', 415);
/** 429: rate limited. */
export const TooManyRequestsError = createError<'TOO_MANY_REQUESTS', 429, [detail: string]>('TOO_MANY_REQUESTS', '%s', 429);

export { createError };
