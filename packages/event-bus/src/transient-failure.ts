import { PermanentFailure } from './permanent-failure.js';

/**
 * Thrown (or used as a `cause`) by a handler when a dependency it needs is unavailable for now (the
 * database is down, a service does not answer): the bus retries the event with backoff until the
 * dependency is back, up to the retry horizon, without counting the tries toward `maxAttempts`.
 * Wrap the driver's error: `throw new TransientFailure('database unavailable', { cause: err })`.
 */
export class TransientFailure extends Error {
  override readonly name = 'TransientFailure';
}

/** Node's network error codes that say "the peer cannot be reached right now", not "the request is wrong". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  // DNS says "no such host": in a container network that is a peer not started yet, so it is worth waiting for.
  'ENOTFOUND',
  // undici (fetch): the socket failed or the peer did not answer in time.
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

const MAX_DEPTH = 8;

/**
 * True when `error` says a dependency is unavailable for now: a {@link TransientFailure}, or a Node or
 * undici network error (ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, EHOSTUNREACH, ENETUNREACH, EAI_AGAIN,
 * ENOTFOUND, UND_ERR_SOCKET...), found on the error itself, along its `cause` chain or inside an
 * AggregateError (Node's connect to a host with several addresses). A {@link PermanentFailure} is never
 * transient, whatever its cause.
 */
export function isTransientError(error: unknown): boolean {
  return transient(error, 0, new Set());
}

function transient(error: unknown, depth: number, seen: Set<unknown>): boolean {
  if (typeof error !== 'object' || error === null || depth > MAX_DEPTH || seen.has(error)) return false;
  seen.add(error);
  if (error instanceof PermanentFailure) return false;
  if (error instanceof TransientFailure) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (error instanceof AggregateError && error.errors.some((inner) => transient(inner, depth + 1, seen))) return true;
  return transient((error as { cause?: unknown }).cause, depth + 1, seen);
}
