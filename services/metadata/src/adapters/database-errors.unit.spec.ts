import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { Prisma } from '../generated/prisma/client.js';
import { isDatabaseUnavailable } from './database-errors.js';

/**
 * The errors below are the ones Prisma 7.10 + @prisma/adapter-pg + pg 8 threw when the database was cut
 * off by a proxy, its backends terminated, or a statement refused, rebuilt with the same classes and
 * fields (captured by experiment; database-errors.int.spec.ts produces the main ones for real).
 */
const known = (message: string, code: string, meta: Record<string, unknown>) =>
  new Prisma.PrismaClientKnownRequestError(message, { code, clientVersion: '7.10.0', meta });
const adapter = (cause: Record<string, unknown>) => new DriverAdapterError(cause as never);
const postgres = (code: string, message: string, severity = 'ERROR') =>
  adapter({ originalCode: code, originalMessage: message, kind: 'postgres', code, severity, message });
/** pg's own errors inside an interactive transaction: passed through, with Prisma's clientVersion added. */
const passedThrough = (error: Error) => Object.assign(error, { clientVersion: '7.10.0' });
const pgServerError = (code: string, message: string) => Object.assign(new pg.DatabaseError(message, 0, 'error'), { code, severity: 'FATAL' });

const unavailable: [string, unknown][] = [
  [
    'model query, server refused the connection (P1001)',
    known("Can't reach database server at 127.0.0.1:39289", 'P1001', {
      modelName: 'Photo',
      driverAdapterError: adapter({ kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 39289 }),
    }),
  ],
  [
    'raw query, server refused the connection (P2010 + DatabaseNotReachable)',
    known('Raw query failed. Code: `N/A`.', 'P2010', {
      driverAdapterError: adapter({ kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 35435 }),
    }),
  ],
  [
    'raw query, backend terminated (P2010 + 57P01)',
    known('Raw query failed. Code: `57P01`.', 'P2010', {
      driverAdapterError: postgres('57P01', 'terminating connection due to administrator command', 'FATAL'),
    }),
  ],
  [
    'too many connections (P2010 + TooManyConnections)',
    known('Raw query failed.', 'P2010', {
      driverAdapterError: adapter({
        originalCode: '53300',
        originalMessage: 'sorry, too many clients already',
        kind: 'TooManyConnections',
        cause: 'sorry, too many clients already',
      }),
    }),
  ],
  [
    'connection closed by the server (ConnectionClosed)',
    known('Server has closed the connection.', 'P1017', { driverAdapterError: adapter({ kind: 'ConnectionClosed' }) }),
  ],
  [
    'transaction could not run in time (P2028)',
    known('Transaction API error: A query cannot be executed on an expired transaction.', 'P2028', {
      modelName: 'Photo',
      operation: 'query',
      timeout: 100,
      timeTaken: 312,
    }),
  ],
  ['pool timeout (P2024)', known('Timed out fetching a new connection from the connection pool.', 'P2024', {})],
  ['in a transaction, the socket closed', passedThrough(new Error('Connection terminated unexpectedly'))],
  ['in a transaction, a client broken by an earlier socket error', passedThrough(new Error('Client has encountered a connection error and is not queryable'))],
  [
    'connect timeout (pg-pool)',
    passedThrough(new Error('Connection terminated due to connection timeout', { cause: new Error('Connection terminated unexpectedly') })),
  ],
  ['no pooled connection in time (pg-pool)', new Error('timeout exceeded when trying to connect')],
  ['server starting up (pg, 57P03)', pgServerError('57P03', 'the database system is starting up')],
  ['connection failure (pg, 08006)', pgServerError('08006', 'connection failure')],
  ['socket refused (pg connect)', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' })],
  ['wrapped once more', new Error('projection failed', { cause: known("Can't reach database server", 'P1001', {}) })],
];

const refusedOnItsMerits: [string, unknown][] = [
  [
    'unique constraint (P2002)',
    known('Unique constraint failed on the constraint: `photo_tombstones_pkey`', 'P2002', {
      modelName: 'PhotoTombstone',
      driverAdapterError: adapter({
        originalCode: '23505',
        originalMessage: 'duplicate key value violates unique constraint',
        kind: 'UniqueConstraintViolation',
        constraint: { index: 'photo_tombstones_pkey' },
      }),
    }),
  ],
  ['division by zero (P2010 + 22012)', known('Raw query failed. Code: `22012`.', 'P2010', { driverAdapterError: postgres('22012', 'division by zero') })],
  [
    'bad input (P2010 + InvalidInputValue)',
    known('Raw query failed. Code: `22P02`.', 'P2010', {
      driverAdapterError: adapter({
        originalCode: '22P02',
        originalMessage: 'invalid input syntax for type integer: "x"',
        kind: 'InvalidInputValue',
        message: 'invalid input syntax',
      }),
    }),
  ],
  [
    'statement cancelled (57014)',
    known('Raw query failed. Code: `57014`.', 'P2010', { driverAdapterError: postgres('57014', 'canceling statement due to user request') }),
  ],
  [
    'database does not exist (a configuration error)',
    known('Raw query failed. Code: `3D000`.', 'P2010', {
      driverAdapterError: adapter({ originalCode: '3D000', originalMessage: 'database "x" does not exist', kind: 'DatabaseDoesNotExist', db: 'x' }),
    }),
  ],
  ['not-null violation (pg, 23502)', pgServerError('23502', 'null value in column "owner_id" violates not-null constraint')],
  ['a bug', new TypeError("Cannot read properties of undefined (reading 'photoId')")],
  ['a plain error mentioning a connection', new Error('the connection string is invalid')],
  ['not an error', 'Connection terminated unexpectedly'],
];

describe('database errors', () => {
  it.each(unavailable)('unavailable: %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each(refusedOnItsMerits)('not unavailable: %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('survives a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    expect(isDatabaseUnavailable(a)).toBe(false);
  });
});
