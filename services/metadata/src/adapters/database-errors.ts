/**
 * Prisma's own codes for "the database cannot serve you now": P1001 cannot reach the server, P1002
 * reached but timed out, P1008 operations timed out, P1017 the server closed the connection, P2024 no
 * pooled connection in time, P2028 the transaction could not start or finish in time.
 */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);

/** `@prisma/adapter-pg`'s error kinds (a DriverAdapterError's `cause.kind`) with the same meaning. */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/**
 * SQLSTATEs of an unavailable server: class 08 (connection exception), 53 (insufficient resources: too
 * many connections, disk full, out of memory), 57P01..57P03 (terminated by an administrator or a crash,
 * still starting up or shutting down). Constraint violations (23) and bad data (22) are not here: those
 * fail again on every try.
 */
const isUnavailableState = (state: string) => state.startsWith('08') || state.startsWith('53') || /^57P0[1-3]$/.test(state);

/** Node's socket codes when connecting to or talking with the server fails. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * `pg`'s errors without a code: the socket closed (`Connection terminated unexpectedly`, also the
 * `cause` of pg-pool's `Connection terminated due to connection timeout`), a client left broken by such
 * an error, or no connection in time. Prisma passes these through as they are inside an interactive
 * transaction.
 */
const PG_MESSAGES = [
  /^Connection terminated/,
  /^Client has encountered a connection error and is not queryable$/,
  /^timeout exceeded when trying to connect$/,
  /^Query read timeout$/,
];

const MAX_DEPTH = 8;

/**
 * True when `error`, as thrown by the Prisma client on `@prisma/adapter-pg` (or by `pg` under it), says
 * that the database is unreachable or unavailable for now, so the same work will succeed once it is
 * back; false for anything the database refused on its merits (a constraint, bad data), which would fail
 * again. Looks through the shapes met in practice: Prisma's known errors (`code` P1001...; raw queries
 * carry the SQLSTATE in `meta.driverAdapterError.cause`), adapter errors, `pg` errors (a SQLSTATE `code`
 * or a bare message) and socket errors, along `cause` chains.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return unavailable(error, 0, new Set());
}

function unavailable(error: unknown, depth: number, seen: Set<unknown>): boolean {
  if (typeof error !== 'object' || error === null || depth > MAX_DEPTH || seen.has(error)) return false;
  seen.add(error);
  const { code, originalCode, kind, message, meta, cause } = error as Record<string, unknown>;
  if (typeof code === 'string' && (PRISMA_CODES.has(code) || SOCKET_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && isUnavailableState(code)))) {
    return true;
  }
  if (typeof originalCode === 'string' && isUnavailableState(originalCode)) return true;
  if (typeof kind === 'string' && ADAPTER_KINDS.has(kind)) return true;
  if (typeof message === 'string' && error instanceof Error && PG_MESSAGES.some((pattern) => pattern.test(message))) return true;
  const driverAdapterError = typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>)['driverAdapterError'] : undefined;
  return unavailable(driverAdapterError, depth + 1, seen) || unavailable(cause, depth + 1, seen);
}
